"""Shipments: units of an order that leave one location together. Pure values."""

from __future__ import annotations

from enum import StrEnum

import msgspec


class ShipmentStatus(StrEnum):
    SHIPPED = "shipped"  # left the location (or, for pickup, ready at the store)
    DELIVERED = "delivered"  # reached the customer (or collected in store)
    RETURNED = "returned"  # came back undelivered: refused, address unknown, not collected in time
    LOST = "lost"  # the carrier lost it: it never arrives anywhere


UNDELIVERED_STATUSES = frozenset({ShipmentStatus.RETURNED, ShipmentStatus.LOST})  # done with, never delivered


class UndeliveredReason(StrEnum):
    """Why a parcel came back to a location instead of reaching the customer."""

    REFUSED = "refused"  # the customer would not take it
    ADDRESS_UNKNOWN = "address_unknown"  # the carrier found no one at the address, or no address
    NOT_COLLECTED = "not_collected"  # a pickup left at the store past its hold period
    DAMAGED_IN_TRANSIT = "damaged_in_transit"  # the carrier brought it back broken
    LOST = "lost"  # the carrier lost it: nothing comes back, so there is nothing to inspect
    OTHER = "other"


class ShipmentLine(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    line_number: int
    quantity: int


class ShipmentCapture(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    payment_id: str
    amount: int  # minor units
    capture_id: str = ""  # the provider's reference, once captured
    refunded: int = 0  # of it, given back by returns

    @property
    def refundable(self) -> int:
        return self.amount - self.refunded


class ShortageReason(StrEnum):
    MISSING = "missing"  # not where the stock records said
    DAMAGED = "damaged"  # found, but not fit to ship
    # The location will not ship them (a store too busy, closing early, no one to pick): they
    # stay in its stock, and the order is not sent there again.
    DECLINED = "declined"


class Shortage(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Units a location was asked to ship and could not: it reports them, they leave its stock
    (unless it declined them), and the order is sourced again for them."""

    shortage_id: str  # given by the location's system; a repeat of a report is a no-op
    location_id: str
    lines: tuple[ShipmentLine, ...]
    reason: ShortageReason
    reported_at_ms: int = 0


class Shipment(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    shipment_id: str  # given by the location's system; a repeat of a confirmation is a no-op
    location_id: str
    lines: tuple[ShipmentLine, ...]
    status: ShipmentStatus = ShipmentStatus.SHIPPED
    carrier: str = ""
    tracking: str = ""
    value: int = 0  # minor units: what the lines carried cost the customer, and shipping if it carries it
    captures: tuple[ShipmentCapture, ...] = ()
    invoice_number: str = ""
    shipped_at_ms: int = 0
    delivered_at_ms: int = 0
    shipping: int = 0  # of value, the order's shipping charge (the first shipment carries it)
    # The carrier's estimate of the day it arrives (YYYY-MM-DD) and why it last changed; "": none given.
    estimated_delivery: str = ""
    estimate_reason: str = ""
    # The carrier service it went by (the order's, where the location offers it); "": standard.
    shipping_service: str = ""
    # Came back undelivered or lost (``UNDELIVERED_STATUSES``): when it was reported, and why
    # (an UndeliveredReason value).
    returned_at_ms: int = 0
    undelivered_reason: str = ""

    @property
    def paid(self) -> bool:
        return bool(self.invoice_number) and all(c.capture_id for c in self.captures)

    def quantity_of(self, line_number: int) -> int:
        return sum(s.quantity for s in self.lines if s.line_number == line_number)
