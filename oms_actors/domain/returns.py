"""Returns (RMA): requested in any channel, received at any location, inspected, resolved. Pure.

A return has its own small state machine (``RETURN_ALLOWED``); its money and
stock effects (restock, refund with a credit note, store credit, a replacement
or exchange order) are pending steps of the order, done by the shard like any other.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Mapping

import msgspec

from oms_actors.domain.commands import Address
from oms_actors.domain.records import evolve


class ReturnStatus(StrEnum):
    AUTHORIZED = "authorized"  # requested and within the rules: bring it back
    RECEIVED = "received"  # arrived at a location (resolved already, under a resolve-on-receipt policy)
    INSPECTED = "inspected"  # restocked or written off, resolution under way
    RESOLVED = "resolved"  # inspected, and refunded, credited, replaced or sent to repair
    EXPIRED = "expired"  # authorised, never brought back in time (the return policy's arrival_days)
    CANCELLED = "cancelled"  # authorised, then not sent after all (CancelReturn)


class ReturnReason(StrEnum):
    """Why an item comes back, as a code reports can count ("" on a line: not given)."""

    DOES_NOT_FIT = "does_not_fit"
    NOT_AS_DESCRIBED = "not_as_described"
    DAMAGED = "damaged"
    DEFECTIVE = "defective"
    WRONG_ITEM = "wrong_item"
    CHANGED_MIND = "changed_mind"
    ARRIVED_LATE = "arrived_late"
    OTHER = "other"
    UNDELIVERED = "undelivered"  # the parcel came back to us, not from the customer (ReturnRecord.shipment_id)


class Resolution(StrEnum):
    REFUND = "refund"  # to the original payment methods, with a credit note
    STORE_CREDIT = "store_credit"  # to the customer's store credit, with a credit note
    REPLACEMENT = "replacement"  # a new shipment of the same item, sourced like an order
    REPAIR = "repair"  # sent for repair and back; no money moves
    EXCHANGE = "exchange"  # another variant of the same style in its place, shipped like a replacement


SENDS_ITEMS = frozenset({Resolution.REPLACEMENT, Resolution.EXCHANGE})  # on the return's replacement order
GIVES_MONEY = frozenset({Resolution.REFUND, Resolution.STORE_CREDIT})  # money back, less any deduction or fee
# What a customer whose parcel came back undelivered may get: the money, or the items sent again.
UNDELIVERED_RESOLUTIONS = frozenset({Resolution.REFUND, Resolution.STORE_CREDIT, Resolution.REPLACEMENT})
# What a customer may get for units found beyond repair: their price back, or new ones.
MAKES_GOOD = frozenset({Resolution.REFUND, Resolution.STORE_CREDIT, Resolution.REPLACEMENT})
UNCOLLECTED = "uncollected-"  # + shipment id: the return of a pickup left at its store past the hold period
UNREPAIRABLE = "unrepairable"  # how refunds, credit notes and store credit name money for units beyond repair


class Disposition(StrEnum):
    RESTOCK = "restock"  # back into the receiving location's sellable stock
    WRITE_OFF = "write_off"  # damaged: out of stock for good


class ReturnAction(StrEnum):
    RECEIVE = "receive"
    INSPECT = "inspect"
    RESOLVE = "resolve"
    EXPIRE = "expire"
    CANCEL = "cancel"
    TRACK = "track"  # the customer's parcel on its way


RETURN_ALLOWED: Mapping[ReturnStatus, frozenset[ReturnAction]] = {
    ReturnStatus.AUTHORIZED: frozenset({ReturnAction.RECEIVE, ReturnAction.EXPIRE, ReturnAction.CANCEL, ReturnAction.TRACK}),
    # Resolving a received return before it is inspected: the return policy's resolve_on_receipt.
    ReturnStatus.RECEIVED: frozenset({ReturnAction.INSPECT, ReturnAction.RESOLVE}),
    ReturnStatus.INSPECTED: frozenset({ReturnAction.RESOLVE}),
    ReturnStatus.RESOLVED: frozenset(),
    ReturnStatus.EXPIRED: frozenset(),
    ReturnStatus.CANCELLED: frozenset(),
}
DONE_STATUSES = frozenset({ReturnStatus.RESOLVED, ReturnStatus.EXPIRED, ReturnStatus.CANCELLED})  # nothing more to come of it
WITHDRAWN = frozenset({ReturnStatus.EXPIRED, ReturnStatus.CANCELLED})  # nothing came back: its units returnable again
AWAITING_REPAIR = "awaiting_repair"  # a desk's list by repairs rather than by status (ListReturns)


class ReturnLine(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    line_number: int
    quantity: int  # requested
    reason: str
    resolution: Resolution
    received: int = 0
    restocked: int = 0
    written_off: int = 0
    refunded: int = 0  # minor units refunded or credited for this line
    exchange_sku: str = ""  # EXCHANGE: the variant sent in its place
    repaired: int = 0  # REPAIR: units repaired and sent back to the customer
    reason_code: str = ""  # a ReturnReason value; "": not given
    # Kept from the money given back for it (minor units): the loss of value of units that
    # came back used beyond what trying them needs, as inspection found it.
    deducted: int = 0
    deduction_reason: str = ""
    # The return policy's restocking fee for its reason when it was asked for (basis points of
    # the price of the units received, kept from the money given back); 0: none.
    restocking_fee_bps: int = 0

    def restocking_fee(self, price: int) -> int:
        """The fee kept from ``price`` (minor units: the units' price), rounded half up."""
        return (price * self.restocking_fee_bps + 5_000) // 10_000


class RefundPart(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Money given back for a return from one capture of one shipment."""

    shipment_id: str
    payment_id: str
    capture_id: str
    amount: int
    refund_id: str = ""  # the provider's reference, once refunded
    line_number: int = 0  # the order line whose units it pays back (0: a charge, or planned before lines were kept)
    charge: str = ""  # "shipping": the order's delivery charge, given back with the whole order


class ReturnRecord(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    return_id: str
    status: ReturnStatus
    lines: tuple[ReturnLine, ...]
    channel: str  # where it was requested
    location_id: str = ""  # where it was (or will be) received
    requested_at_ms: int = 0
    received_at_ms: int = 0
    resolved_at_ms: int = 0
    refunds: tuple[RefundPart, ...] = ()
    store_credit: int = 0
    credit_notes: tuple[str, ...] = ()
    replacement_order_id: str = ""
    expired_at_ms: int = 0
    kept: bool = False  # the customer keeps the items (the return policy's keep_it_below): nothing comes back
    cancelled_at_ms: int = 0
    cancel_reason: str = ""
    inbound_carrier: str = ""  # the customer's parcel on its way back (TrackReturn)
    inbound_tracking: str = ""
    sent_at_ms: int = 0
    repair_carrier: str = ""  # how its repaired units went back to the customer
    repair_tracking: str = ""
    repaired_at_ms: int = 0
    # Its REPAIR lines' units found beyond repair (DeclareBeyondRepair): written off, and
    # made good by this resolution (a MAKES_GOOD value; "": none found so).
    unrepairable: str = ""
    unrepairable_reason: str = ""
    unrepairable_at_ms: int = 0
    unrepairable_resolved_at_ms: int = 0  # 0: their money or new units not yet gone out
    repair_replacement_order_id: str = ""  # REPLACEMENT: the order sending the new units
    # A parcel that came back undelivered (``Order.return_undelivered``): the shipment it
    # brings back whole, why (an UndeliveredReason value), and where its replacement goes
    # if not to the order's address (the one the carrier could not find, corrected).
    shipment_id: str = ""
    undelivered_reason: str = ""
    ship_to: Address | None = None

    @property
    def awaiting_repair(self) -> bool:
        """Units inspected and sent to repair, not yet back with the customer: the customer's, not
        stock. (Before repairs had a flow, inspection restocked or wrote them off: those wait for nothing.)"""
        return self.status in (ReturnStatus.INSPECTED, ReturnStatus.RESOLVED) and any(
            line.received - line.restocked - line.written_off > line.repaired
            for line in self.lines
            if line.resolution is Resolution.REPAIR
        )

    @property
    def resolved(self) -> bool:
        """Its money and items have gone out (refund, credit, replacement), inspected or not."""
        return self.resolved_at_ms > 0

    def line(self, line_number: int) -> ReturnLine | None:
        return next((line for line in self.lines if line.line_number == line_number), None)

    def with_(self, **changes: object) -> ReturnRecord:
        return evolve(self, **changes)

    def money_lines(self, *, unrepairable: bool = False) -> list[tuple[ReturnLine, Resolution, int]]:
        """(line, resolution, units) a resolution pays back or sends: the lines received, by the
        resolution asked for; or (``unrepairable``) the REPAIR lines' units found beyond repair,
        by the resolution chosen then (each paid with keys of its own: ``UNREPAIRABLE``)."""
        if not unrepairable:
            return [(line, line.resolution, line.received) for line in self.lines if line.received]
        if not self.unrepairable:
            return []
        chosen = Resolution(self.unrepairable)
        return [(line, chosen, line.written_off) for line in self.lines if line.resolution is Resolution.REPAIR and line.written_off]

    def quantity_for(self, resolution: Resolution) -> dict[int, int]:
        """line -> units resolved this way (what was received, restocked or not)."""
        return {line.line_number: line.received for line in self.lines if line.resolution is resolution and line.received}

    @property
    def asks_items(self) -> bool:
        """Whether it was asked to send items back (a replacement or exchange order), reserved when asked."""
        return any(line.resolution in SENDS_ITEMS for line in self.lines)

    @property
    def sends_items(self) -> bool:
        """Whether its resolution ships items back to the customer (a replacement order)."""
        return any(line.received for line in self.lines if line.resolution in SENDS_ITEMS)


def desk_backlog(records: Iterable[ReturnRecord]) -> dict[str, dict[str, tuple[int, int]]]:
    """location -> state -> (returns, when the oldest began waiting, ms): returns to be brought
    there (since asked for), received there and not inspected (since received), and with units
    at repair (since received). Returns with no location wait at no desk."""
    out: dict[str, dict[str, tuple[int, int]]] = {}
    for r in records:
        if not r.location_id:
            continue
        if r.status is ReturnStatus.AUTHORIZED:
            state, since = "authorized", r.requested_at_ms
        elif r.status is ReturnStatus.RECEIVED:
            state, since = "received", r.received_at_ms
        elif r.awaiting_repair:
            state, since = "at_repair", r.received_at_ms
        else:
            continue
        count, oldest = out.setdefault(r.location_id, {}).get(state, (0, since))
        out[r.location_id][state] = (count + 1, min(oldest, since))
    return out


# A returns desk's list: (requested at, order id, currency, return, the unit price of each of its lines).
DeskRow = tuple[int, str, str, ReturnRecord, dict[int, int]]


def desk_order(row: DeskRow) -> tuple[int, str, str]:
    """A returns desk's list order: oldest request first, then order and return id."""
    return row[0], row[1], row[3].return_id


GOODWILL = "goodwill"  # how refunds and credit notes name money given back without a return


class Appeasement(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Money given back on an order without a return (a late delivery, a scratch the customer
    keeps): to the captures it came from, or as store credit, with a credit note."""

    appeasement_id: str  # given by the caller; a repeat with the same content is a no-op
    amount: int  # minor units of the order's currency
    reason: str
    resolution: Resolution  # REFUND or STORE_CREDIT
    by: str
    requested_at_ms: int
    refunds: tuple[RefundPart, ...] = ()
    store_credit: int = 0
    credit_notes: tuple[str, ...] = ()
    resolved_at_ms: int = 0  # 0: the money is still on its way

    @property
    def resolved(self) -> bool:
        return self.resolved_at_ms > 0
