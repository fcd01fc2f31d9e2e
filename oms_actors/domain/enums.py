"""Enumerations of the domain. Values are stable strings: they are stored in Redis."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    WEB = "web"
    MOBILE_APP = "mobile_app"
    STORE = "store"
    CALL_CENTER = "call_center"
    FIELD_SALES = "field_sales"
    MARKETPLACE = "marketplace"


class DeliveryMode(StrEnum):
    SHIP = "ship"
    PICKUP = "pickup"


class PaymentMethod(StrEnum):
    CARD = "card"
    GIFT_CARD = "gift_card"
    STORE_CREDIT = "store_credit"
    INVOICE = "invoice"
    CASH_ON_DELIVERY = "cash_on_delivery"
    CASH_IN_STORE = "cash_in_store"


class LocationType(StrEnum):
    WAREHOUSE = "warehouse"
    STORE = "store"
    DROPSHIP = "dropship"


class CustomerType(StrEnum):
    CONSUMER = "consumer"
    BUSINESS = "business"


class OrderStatus(StrEnum):
    ACCEPTED = "accepted"  # durable, not yet sourced
    ON_HOLD = "on_hold"  # waits for a reviewer (risk, credit, a declined payment)
    REJECTED = "rejected"
    ALLOCATED = "allocated"
    PARTLY_BACKORDERED = "partly_backordered"
    BACKORDERED = "backordered"
    RELEASED = "released"  # every unit sent to its location to fulfil
    PARTLY_SHIPPED = "partly_shipped"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"  # every unit shipped came back undelivered (refunded, credited or sent again)
    CLOSED = "closed"
    CANCELLED = "cancelled"


class LineStatus(StrEnum):
    ACCEPTED = "accepted"
    ALLOCATED = "allocated"
    PARTLY_BACKORDERED = "partly_backordered"
    BACKORDERED = "backordered"
    RELEASED = "released"
    PARTLY_SHIPPED = "partly_shipped"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"  # its units came back undelivered, none delivered
    CANCELLED = "cancelled"
