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
    ACCEPTED = "accepted"
    ALLOCATED = "allocated"
    PARTLY_BACKORDERED = "partly_backordered"
    BACKORDERED = "backordered"
    CANCELLED = "cancelled"


class LineStatus(StrEnum):
    ACCEPTED = "accepted"
    ALLOCATED = "allocated"
    PARTLY_BACKORDERED = "partly_backordered"
    BACKORDERED = "backordered"
    CANCELLED = "cancelled"
