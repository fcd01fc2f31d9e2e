"""The order aggregate and its state machine: pure values, no Ray, no Redis.

An ``Order`` is immutable; every command returns a new version with
``version`` one higher, or raises ``InvalidTransitionError`` and changes
nothing. The owning shard persists the new version before it replaces the old
one in memory, so what a caller was told is always durable.

Side effects outside the order (reservations, payment authorisations and
captures, invoices, stock consumption) are not done here: a command records
them as ``pending`` steps, the shard performs each step idempotently and marks
it done. A crash between the two leaves the step pending, and the shard's
reconciler performs it again; since every step is idempotent, twice is once.

Which command each status allows is one table, ``ALLOWED``; the order's status
is derived from its lines and its approval after every command.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Callable, Iterable, Mapping

import msgspec

from oms_actors.domain.commands import SHIPPING_CHARGE, Address, CreateOrder, PaymentInstruction, ShippingCharge
from oms_actors.domain.delivery import Door, Promiser
from oms_actors.domain.enums import Channel, DeliveryMode, LineStatus, OrderStatus, PaymentMethod
from oms_actors.domain.errors import (
    FailedPreconditionError,
    FieldViolation,
    InvalidTransitionError,
    LineProblem,
    NotFoundError,
    ValidationError,
    no_such_shipment,
)
from oms_actors.domain.fulfilment import (
    UNDELIVERED_STATUSES,
    Shipment,
    ShipmentCapture,
    ShipmentLine,
    ShipmentStatus,
    Shortage,
    ShortageReason,
    UndeliveredReason,
)
from oms_actors.domain.inbound import PROMISE_SEP
from oms_actors.domain.money import Money
from oms_actors.domain.network import Product
from oms_actors.domain.payment_state import OverdueNotice, PaymentRecord, PaymentStatus, Receipt
from oms_actors.domain.records import evolve
from oms_actors.domain.return_policy import DAY_MS
from oms_actors.domain.returns import (
    DONE_STATUSES,
    GIVES_MONEY,
    GOODWILL,
    MAKES_GOOD,
    RETURN_ALLOWED,
    UNDELIVERED_RESOLUTIONS,
    WITHDRAWN,
    Appeasement,
    Disposition,
    RefundPart,
    Resolution,
    ReturnAction,
    ReturnLine,
    ReturnReason,
    ReturnRecord,
    ReturnStatus,
)


class LineAllocation(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    location_id: str
    quantity: int


def _add(parts: tuple[LineAllocation, ...], location_id: str, quantity: int) -> tuple[LineAllocation, ...]:
    """Per-location counts with ``quantity`` added at ``location_id`` (zeros dropped)."""
    counts: dict[str, int] = {a.location_id: a.quantity for a in parts}
    counts[location_id] = counts.get(location_id, 0) + quantity
    return tuple(LineAllocation(location_id=loc, quantity=q) for loc, q in counts.items() if q > 0)


def _same_report(
    location_id: str, lines: tuple[ShipmentLine, ...], asked_location: str, quantities: Mapping[int, int]
) -> bool:
    """Whether a location's repeated report (same id) says what the first one said."""
    return location_id == asked_location and {line.line_number: line.quantity for line in lines} == dict(quantities)


def _at(parts: tuple[LineAllocation, ...], location_id: str) -> int:
    return sum(a.quantity for a in parts if a.location_id == location_id)


def _promised(parts: tuple[LineAllocation, ...]) -> int:
    """Units of these parts promised from supply on its way (at promise sites, ``domain.inbound``)."""
    if not parts:
        return 0
    return sum([a.quantity for a in parts if PROMISE_SEP in a.location_id])


def _on_hand(parts: tuple[LineAllocation, ...]) -> tuple[LineAllocation, ...]:
    """The parts held from stock on hand: what can be released to a location and shipped."""
    return tuple(a for a in parts if PROMISE_SEP not in a.location_id)


# The methods with an instrument the customer may replace (ReplacePaymentInstrument).
INSTRUMENTS = frozenset({PaymentMethod.CARD, PaymentMethod.GIFT_CARD})


def _sold_terms(product: Product | None, order_window_days: int | None) -> dict[str, Any]:
    """The return terms a line keeps from its product at sale: its own window (where the
    product has one and the order's channel takes returns at all) and whether it is a final sale."""
    if product is None:
        return {}  # not in the catalogue given: the catalogue's terms when it is returned
    own = product.return_window_days if product.return_window_days and order_window_days != 0 else None
    return {"final_sale": not product.returnable, "return_window_days": own}


def _total(parts: tuple[LineAllocation, ...]) -> int:
    # Called for every line on every change of an order; most of these tuples are empty or hold one part.
    if not parts:
        return 0
    return sum([a.quantity for a in parts])


class OrderLine(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    line_number: int
    sku: str
    quantity: int
    unit_price: Money
    status: LineStatus = LineStatus.ACCEPTED
    # Units sourced at each location (shipped ones included), and units promised from
    # supply on its way (at promise sites: ``domain.inbound``), released once it arrives.
    allocations: tuple[LineAllocation, ...] = ()
    released: tuple[LineAllocation, ...] = ()  # of those, units released to the location to fulfil
    shipped: tuple[LineAllocation, ...] = ()  # of those, units that left the location
    delivered: int = 0
    cancelled: int = 0
    tax_rate_bps: int = 0  # of the tax included in unit_price
    # The terms its product was sold under: its own return window (None: the order's), and
    # whether it was a final sale. ``final_sale`` None: sold before lines kept it (the
    # catalogue's current flag applies).
    return_window_days: int | None = None
    final_sale: bool | None = None
    # The day (YYYY-MM-DD) its units were promised to arrive, told when it was first wholly
    # planned (``domain.delivery``); kept as told. None: not yet, or waiting for stock with no date.
    promised_on: str | None = None
    # The day its units not yet shipped arrive as last sourced (the promise when it was told).
    # None: not promised yet, or, once promised, some unit now waits for stock with no date.
    estimated_on: str | None = None
    # Shipped units that came back undelivered (``Order.return_undelivered``): refunded,
    # credited or sent again by a replacement order, so nothing more is due of them here.
    undelivered: int = 0

    @property
    def line_total(self) -> Money:
        return self.unit_price.times(self.quantity)

    @property
    def active(self) -> int:
        """Units still wanted: ordered less cancelled."""
        return self.quantity - self.cancelled

    @property
    def allocated_quantity(self) -> int:
        return _total(self.allocations)

    @property
    def released_quantity(self) -> int:
        return _total(self.released)

    @property
    def shipped_quantity(self) -> int:
        return _total(self.shipped)

    @property
    def promised_quantity(self) -> int:
        """Allocated units promised from supply not yet arrived."""
        return _promised(self.allocations)

    @property
    def backordered_quantity(self) -> int:
        """Units not held from stock on hand: unfilled, or promised from supply on its way."""
        if self.status in (LineStatus.ACCEPTED, LineStatus.CANCELLED):
            return 0
        return self.active - self.allocated_quantity + self.promised_quantity

    def shipped_from(self, location_id: str) -> int:
        return _at(self.shipped, location_id)

    def unshipped_at(self, location_id: str) -> int:
        """Units released to the location and not yet shipped from it."""
        return _at(self.released, location_id) - _at(self.shipped, location_id)

    @property
    def settled(self) -> int:
        """Units this order has done with: delivered, or back undelivered."""
        return self.delivered + self.undelivered

    @property
    def delivery_at_risk(self) -> bool:
        """Promised, with units not yet delivered, and sourced again since so that they arrive
        after the promise, or wait for stock with no date."""
        if self.promised_on is None or self.settled >= self.active:
            return False
        return self.estimated_on is None or self.estimated_on > self.promised_on

    def late(self, today: str) -> bool:
        """``delivery_at_risk``, or promised a day before ``today`` (YYYY-MM-DD) and not all delivered."""
        if self.promised_on is None or self.settled >= self.active:
            return False
        return self.promised_on < today or self.delivery_at_risk

    def holdings(self) -> dict[str, int]:
        """location -> units still reserved there: allocated and not yet shipped."""
        held = {a.location_id: a.quantity - _at(self.shipped, a.location_id) for a in self.allocations}
        return {loc: q for loc, q in held.items() if q > 0}

    def derive_status(self, sourced: bool) -> LineStatus:
        active = self.quantity - self.cancelled
        if active == 0:
            return LineStatus.CANCELLED
        if not sourced:
            return LineStatus.ACCEPTED
        if self.delivered + self.undelivered >= active:
            return LineStatus.DELIVERED if self.delivered else LineStatus.UNDELIVERED
        shipped = _total(self.shipped)
        if shipped >= active:
            return LineStatus.SHIPPED
        if shipped:
            return LineStatus.PARTLY_SHIPPED
        if _total(self.released) >= active:
            return LineStatus.RELEASED
        # Units promised from supply on its way are not in hand: backordered, with a date.
        allocated = _total(self.allocations) - _promised(self.allocations)
        if allocated == 0:
            return LineStatus.BACKORDERED
        if allocated < active:
            return LineStatus.PARTLY_BACKORDERED
        return LineStatus.ALLOCATED


# omit_defaults: an order sourced without a day asked for is stored as before (no late_cost).
class SourcingExplanation(msgspec.Struct, frozen=True, kw_only=True, gc=False, omit_defaults=True):
    """Why the order was sourced so: cost broken down, proof status, the greedy alternative."""

    status: str  # "OPTIMAL" when proven, else "FEASIBLE"
    unit_cost: int
    shipment_cost: int
    unfilled_cost: int
    bound: int
    greedy_cost: int
    solver: str
    shipments: int
    late_cost: int = 0  # units planned to arrive after the day the order asked for (Order.deliver_by)

    @property
    def cost(self) -> int:
        return self.unit_cost + self.shipment_cost + self.unfilled_cost + self.late_cost


class SourcingResult(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """What sourcing reserved for one order: per line, the units at each location (complete)."""

    order_id: str
    allocations: dict[int, tuple[LineAllocation, ...]]  # line number -> allocations
    explanation: SourcingExplanation | None = None

    def units_by_location(self) -> dict[str, int]:
        """Units the plan ships from each location, over all lines (its use of their capacity)."""
        return _units_by_location(a for allocations in self.allocations.values() for a in allocations)


class ApprovalStatus(StrEnum):
    PENDING = "pending"  # risk and payment not yet assessed
    APPROVED = "approved"
    HELD = "held"  # waits for a reviewer
    REJECTED = "rejected"


class ReleaseWait(StrEnum):
    """Why units of an open order are not with a location yet: what service staff tell a customer."""

    ASSESSMENT = "assessment"  # risk and payment checks under way
    REVIEW = "review"  # held for a reviewer
    RETURN = "return"  # a replacement, waiting for the return it replaces
    PAYMENT = "payment"  # a payment not authorised (a declined card waits for another)
    STOCK = "stock"  # units no location holds
    SUPPLY = "supply"  # units promised from supply on its way
    ONE_PARCEL = "one_parcel"  # to go in one parcel, and no one location holds it all yet
    DELIVERY_DAY = "delivery_day"  # for a later day (deliver_from), not due to leave yet


class HoldRequest(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A reviewer's hold asked for while the order was still being assessed."""

    by: str
    reason: str
    at_ms: int


class Approval(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    status: ApprovalStatus = ApprovalStatus.PENDING
    reasons: tuple[str, ...] = ()
    decided_by: str = ""  # "risk-rules" or the reviewer
    decided_at_ms: int = 0


class Command(StrEnum):
    SOURCE = "source"
    APPROVE = "approve"
    HOLD = "hold"
    REJECT = "reject"
    RELEASE = "release"
    SHIP = "ship"
    DELIVER = "deliver"
    CANCEL = "cancel"
    CANCEL_LINES = "cancel_lines"
    CLOSE = "close"
    RETURN = "return"


_S, _C = OrderStatus, Command
# The state machine, in one place: which commands each status accepts.
ALLOWED: Mapping[OrderStatus, frozenset[Command]] = {
    _S.ACCEPTED: frozenset({_C.SOURCE, _C.HOLD, _C.REJECT, _C.CANCEL, _C.CANCEL_LINES}),
    # (Held after a first shipment: what left before travels on, is delivered and may come back.)
    _S.ON_HOLD: frozenset({_C.SOURCE, _C.APPROVE, _C.REJECT, _C.CANCEL, _C.CANCEL_LINES, _C.DELIVER, _C.RETURN}),
    _S.ALLOCATED: frozenset({_C.APPROVE, _C.HOLD, _C.REJECT, _C.RELEASE, _C.CANCEL, _C.CANCEL_LINES}),
    _S.PARTLY_BACKORDERED: frozenset(
        {_C.SOURCE, _C.APPROVE, _C.HOLD, _C.REJECT, _C.RELEASE, _C.SHIP, _C.CANCEL, _C.CANCEL_LINES}
    ),
    _S.BACKORDERED: frozenset({_C.SOURCE, _C.APPROVE, _C.HOLD, _C.REJECT, _C.CANCEL, _C.CANCEL_LINES}),
    _S.RELEASED: frozenset({_C.SHIP, _C.CANCEL, _C.CANCEL_LINES}),
    _S.PARTLY_SHIPPED: frozenset(
        {_C.SOURCE, _C.RELEASE, _C.SHIP, _C.DELIVER, _C.CANCEL, _C.CANCEL_LINES, _C.RETURN}
    ),
    _S.SHIPPED: frozenset({_C.DELIVER, _C.RETURN}),
    _S.DELIVERED: frozenset({_C.CLOSE, _C.RETURN}),
    _S.UNDELIVERED: frozenset({_C.CLOSE}),
    _S.CLOSED: frozenset(),
    _S.REJECTED: frozenset(),
    _S.CANCELLED: frozenset(),
}
OPEN_STATUSES = frozenset(s for s, commands in ALLOWED.items() if commands)
# Where units may wait for stock long enough to be given up (``Order.backorder_expired``).
_BACKORDER_EXPIRES = frozenset({OrderStatus.PARTLY_BACKORDERED, OrderStatus.BACKORDERED, OrderStatus.PARTLY_SHIPPED})
BACKORDER_EXPIRED = "backorder expired"  # the cancel reason of units that waited too long for stock
_DONE_LINES = frozenset({LineStatus.DELIVERED, LineStatus.UNDELIVERED})  # nothing more to ship or deliver

# Pending side effects, performed by the shard and then marked done.
STEP_ASSESS = "assess"  # risk rules and payment authorisation
STEP_INVENTORY = "inventory"  # make the shards hold exactly this order's holdings
STEP_VOID = "void"  # give back authorised money no shipment will need
STEP_CAPTURE = "capture:"  # + shipment id: capture and invoice
STEP_CONSUME = "consume:"  # + shipment id: the shipped units leave stock
STEP_RELEASE = "release"  # approved, paid, and units no location was asked to ship yet
STEP_RESTOCK = "restock:"  # + return id: inspected units back into the receiving location's stock
STEP_RESOLVE = "resolve:"  # + return id: refund, store credit, replacement
STEP_SHORTAGE = "shortage:"  # + shortage id: units a location could not ship leave its stock
STEP_APPEASE = "appease:"  # + appeasement id: money given back without a return, with credit notes
STEP_SECURE = "secure:"  # + return id: its replacement or exchange order placed, reserved and held for it
STEP_UNSECURE = "unsecure:"  # + return id: that order withdrawn, the return having expired or been cancelled
STEP_UNREPAIRABLE = "unrepairable:"  # + return id: units beyond repair made good (money back or new units)
RETURNS = "returns"  # who holds a replacement order for the return it waits for, and approves it
# Orders whose customer has paid for something may be given money back as goodwill; a
# closed one too (the customer complains after the return window: nothing can come
# back, but service can still make it good). Its step runs, and it is finished again.
APPEASABLE = frozenset({OrderStatus.PARTLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CLOSED})


class OrderNote(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """What service staff wrote on the order: for each other (internal) or for the customer too."""

    note_id: str  # given by the caller; the same note again is a no-op
    text: str
    by: str
    at_ms: int
    internal: bool = True


MAX_NOTES = 200  # per order: a conversation belongs in a ticket system, not on the order


class Order(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    order_id: str
    channel: Channel
    customer_id: str
    idempotency_key: str
    content_hash: str
    lines: tuple[OrderLine, ...]
    delivery_mode: DeliveryMode
    ship_to: Address | None = None
    pickup_location_id: str = ""
    payments: tuple[PaymentInstruction, ...] = ()
    external_reference: str = ""
    status: OrderStatus = OrderStatus.ACCEPTED
    created_at_ms: int = 0
    updated_at_ms: int = 0
    version: int = 1
    sourced: bool = False
    sourcing: SourcingExplanation | None = None
    approval: Approval = Approval()
    payment_records: tuple[PaymentRecord, ...] = ()
    shipments: tuple[Shipment, ...] = ()
    pending: tuple[str, ...] = ()
    cancel_reason: str = ""
    closed: bool = False
    returns: tuple[ReturnRecord, ...] = ()
    receipts: tuple[Receipt, ...] = ()  # money received on account against its invoices
    overdue: tuple[OverdueNotice, ...] = ()  # its invoices that went past their due date unpaid
    shortages: tuple[Shortage, ...] = ()  # units locations were asked to ship and could not
    shipping: ShippingCharge | None = None  # delivery charged to the customer, with the first shipment
    appeasements: tuple[Appeasement, ...] = ()  # money given back without a return
    notes: tuple[OrderNote, ...] = ()
    erased_at_ms: int = 0  # its customer's personal data erased (``erase_personal_data``)
    # The return policy's window for its channel when it was placed: the terms it was sold
    # under. None: placed before orders kept it (the policy's current window applies).
    return_window_days: int | None = None
    # HoldOrder while the order was assessed: held for review once it is (``hold_for_review``).
    hold_requested: HoldRequest | None = None
    # The day (YYYY-MM-DD) the customer asked to have it by: sourcing weighs a location that
    # would deliver later by what each day late costs (RoutingRules). "": none asked.
    deliver_by: str = ""
    # The carrier service the customer chose at checkout (a location's CarrierService code:
    # express, next day): only locations offering it ship the order, and by it. "": standard.
    shipping_service: str = ""
    # Everything in one parcel (the customer chose "send it all together"): sourced from one
    # location and released to it only once it holds every unit (``release_due``).
    ship_complete: bool = False
    # The day (YYYY-MM-DD) the customer wants it delivered, not before: its lines are promised
    # that day at the earliest, and while ``scheduled`` nothing is released (``due_for_release``).
    deliver_from: str = ""
    scheduled: bool = False

    # -- creation -------------------------------------------------------------

    @classmethod
    def accept(
        cls,
        command: CreateOrder,
        *,
        order_id: str,
        now_ms: int,
        content_hash: str = "",
        return_window_days: int | None = None,
        products: Mapping[str, Product] | None = None,
    ) -> Order:
        """``content_hash``: ``command.content_hash()`` when the caller has computed it already;
        ``return_window_days``: the return policy's window for the order's channel now;
        ``products``: the catalogue now, whose return terms each line keeps (a line whose SKU
        is not in it keeps none: the catalogue's terms apply when it is returned)."""
        terms = products or {}
        return cls(
            order_id=order_id,
            channel=command.channel,
            customer_id=command.customer_id,
            idempotency_key=command.idempotency_key,
            content_hash=content_hash or command.content_hash(),
            lines=tuple(
                OrderLine(
                    line_number=i, sku=line.sku, quantity=line.quantity, unit_price=line.unit_price,
                    tax_rate_bps=line.tax_rate_bps, **_sold_terms(terms.get(line.sku), return_window_days),
                )  # fmt: skip
                for i, line in enumerate(command.lines, start=1)
            ),
            delivery_mode=command.delivery_mode,
            ship_to=command.ship_to,
            pickup_location_id=command.pickup_location_id,
            shipping=command.shipping,
            payments=command.payments,
            payment_records=tuple(
                PaymentRecord(payment_id=f"P{i}", method=p.method, amount=p.amount, token=p.token)
                for i, p in enumerate(command.payments, start=1)
            ),
            external_reference=command.external_reference,
            created_at_ms=now_ms,
            updated_at_ms=now_ms,
            return_window_days=return_window_days,
            deliver_by=command.deliver_by,
            shipping_service=command.shipping_service,
            ship_complete=command.ship_complete,
            deliver_from=command.deliver_from,
            scheduled=bool(command.deliver_from),
            # A return's replacement: sourced and reserved like any order, then held until
            # the return it waits for is received (``settle_for_return``).
            hold_requested=(
                HoldRequest(by=RETURNS, reason=f"waits for return {command.awaits_return}", at_ms=now_ms)
                if command.awaits_return else None
            ),
        )

    # -- reads ----------------------------------------------------------------

    def return_window_ms(self, policy_ms: int) -> int:
        """How long after delivery its lines may be returned: its own window, or for an order
        placed before orders kept one, ``policy_ms`` (the return policy's for its channel now)."""
        return policy_ms if self.return_window_days is None else self.return_window_days * DAY_MS

    def line_window_ms(self, line_number: int, window_ms: int) -> int:
        """How long after its last delivery the line may be returned: its product's own window
        when it was sold with one, else ``window_ms`` (the order's: ``return_window_ms``)."""
        own = self.line(line_number).return_window_days
        return window_ms if own is None else own * DAY_MS

    def return_by_ms(self, line_number: int) -> int | None:
        """The last moment the line may be returned; None before it is delivered or when
        neither the line nor the order keeps a window of its own."""
        delivered = self.last_delivery_ms(line_number)
        if not delivered:
            return None
        own = self.line(line_number).return_window_days
        days = own if own is not None else self.return_window_days
        return None if days is None else delivered + days * DAY_MS

    def is_final_sale(self, line_number: int, non_returnable: frozenset[str]) -> bool:
        """Whether the line cannot be returned: as its product was when sold, or for a line sold
        before lines kept that, as the catalogue says now (``non_returnable``)."""
        line = self.line(line_number)
        return line.sku in non_returnable if line.final_sale is None else line.final_sale

    @property
    def promised_on(self) -> str | None:
        """The day (YYYY-MM-DD) the last of its units still wanted was promised to arrive; None
        while any such line has no promise."""
        days = [line.promised_on for line in self.lines if line.active]
        if not days or None in days:
            return None
        return max(days)  # type: ignore[type-var]  # no None left

    @property
    def awaits_promised_delivery(self) -> bool:
        """Open, with a promised line not all delivered: what may turn late (ListOrders ``late``)."""
        return self.is_open and any(line.promised_on is not None and line.settled < line.active for line in self.lines)

    def is_late(self, today: str) -> bool:
        """A line of it is late on ``today`` (YYYY-MM-DD, UTC): ``OrderLine.late``."""
        return self.is_open and any(line.late(today) for line in self.lines)

    @property
    def currency(self) -> str:
        return self.lines[0].unit_price.currency

    @property
    def total(self) -> Money:
        total = Money.zero(self.currency)
        for line in self.lines:
            total = total + line.line_total
        if self.shipping is not None:
            total = total + self.shipping.amount
        return total

    @property
    def payable(self) -> int:
        """What the customer owes for units not cancelled, in minor units: with the shipping
        charge unless every unit was cancelled before any shipped."""
        items = sum(line.unit_price.amount_minor * line.active for line in self.lines)
        return items + self.shipping_owed

    @property
    def shipping_owed(self) -> int:
        if self.shipping is None or not any(line.active for line in self.lines):
            return 0
        return self.shipping.amount.amount_minor

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def finished(self) -> bool:
        """No command may change it and no step is left: only reads concern it from now on."""
        return not self.is_open and not self.pending

    @property
    def unshipped(self) -> int:
        return sum(line.active - line.shipped_quantity for line in self.lines)

    def line(self, line_number: int) -> OrderLine:
        return self.lines[line_number - 1]

    def shipment(self, shipment_id: str) -> Shipment | None:
        return next((s for s in self.shipments if s.shipment_id == shipment_id), None)

    def works_at(self, location_id: str) -> bool:
        """Has it units released to, shipped from or reported short at this location, or is it
        collected there: is it that location's work? (A location repeating its report of a
        shortage must still find it.)"""
        return (
            any(r.location_id == location_id for line in self.lines for r in line.released)
            or any(s.location_id == location_id for s in self.shipments)
            or any(s.location_id == location_id for s in self.shortages)
            or self.collected_at(location_id)
        )

    def collected_at(self, location_id: str) -> bool:
        """A pickup at this store: its staff hand over (or get back) every parcel of it, wherever it left from."""
        return self.delivery_mode is DeliveryMode.PICKUP and self.pickup_location_id == location_id

    def payment(self, payment_id: str) -> PaymentRecord:
        return next(p for p in self.payment_records if p.payment_id == payment_id)

    def holdings(self) -> list[tuple[int, str, str, int]]:
        """(line, location, sku, units) this order should hold reserved now: its complete holding."""
        return [
            (line.line_number, loc, line.sku, qty)
            for line in self.lines
            for loc, qty in sorted(line.holdings().items())
        ]

    def units_by_location(self) -> dict[str, int]:
        """location -> units planned there, shipped or still held (its use of the location's capacity)."""
        return _units_by_location(a for line in self.lines for a in line.allocations)

    def allocated_units(self) -> dict[tuple[str, str], int]:
        """(location, sku) -> units held reserved."""
        held: dict[tuple[str, str], int] = {}
        for _, loc, sku, qty in self.holdings():
            held[(loc, sku)] = held.get((loc, sku), 0) + qty
        return held

    @property
    def payments_authorized(self) -> bool:
        """Every payment authorised, together covering what the customer still owes.

        An order without payment instructions owes nothing up front (a channel that
        collects payment itself)."""
        if not self.payment_records:
            return True
        if any(p.status in (PaymentStatus.PENDING, PaymentStatus.DECLINED) for p in self.payment_records):
            return False
        return sum(p.captured + p.capturable for p in self.payment_records) >= self.payable

    def derive_status(self) -> OrderStatus:
        if self.approval.status is ApprovalStatus.REJECTED:
            return OrderStatus.REJECTED
        active = [line for line in self.lines if line.status is not LineStatus.CANCELLED]
        if not active:
            return OrderStatus.CANCELLED
        if self.closed:
            return OrderStatus.CLOSED
        if not self.sourced:
            return OrderStatus.ON_HOLD if self.approval.status is ApprovalStatus.HELD else OrderStatus.ACCEPTED
        statuses = {line.status for line in active}
        if statuses == {LineStatus.UNDELIVERED}:
            return OrderStatus.UNDELIVERED
        if statuses <= _DONE_LINES:
            return OrderStatus.DELIVERED
        if statuses <= {LineStatus.SHIPPED, *_DONE_LINES}:
            return OrderStatus.SHIPPED
        if self.approval.status is ApprovalStatus.HELD:  # (units still to ship wait for a reviewer)
            return OrderStatus.ON_HOLD
        if statuses & {LineStatus.SHIPPED, LineStatus.PARTLY_SHIPPED, *_DONE_LINES}:
            return OrderStatus.PARTLY_SHIPPED
        if statuses == {LineStatus.RELEASED}:
            return OrderStatus.RELEASED
        if statuses == {LineStatus.BACKORDERED}:
            return OrderStatus.BACKORDERED
        if statuses & {LineStatus.BACKORDERED, LineStatus.PARTLY_BACKORDERED}:
            return OrderStatus.PARTLY_BACKORDERED
        return OrderStatus.ALLOCATED

    # -- the machinery of every command ---------------------------------------

    def _check(self, command: Command) -> None:
        if command not in ALLOWED[self.status]:
            raise InvalidTransitionError(
                f"order {self.order_id} is {self.status.value}; {command.value} is not allowed",
                current=self.status.value,
                requested=command.value,
            )

    def _next(self, *, now_ms: int, add: Iterable[str] = (), drop: Iterable[str] = (), **changes: Any) -> Order:
        dropped = set(drop)
        pending = [p for p in self.pending if p not in dropped]
        pending += [p for p in add if p not in pending]
        # Line statuses follow from the lines and whether the order is sourced.
        sourced = changes.get("sourced", self.sourced)
        lines = changes.get("lines", self.lines)
        derived = tuple(
            line if (status := line.derive_status(sourced)) is line.status else evolve(line, status=status)
            for line in lines
        )
        draft = evolve(
            self,
            **changes | {"lines": derived},
            version=self.version + 1,
            updated_at_ms=max(now_ms, self.updated_at_ms),
            pending=tuple(pending),
        )
        status = draft.derive_status()
        # Release is due whenever the order is approved and paid for and holds units not
        # yet released; kept among the pending steps so everyone can see it is owed.
        due = Command.RELEASE in ALLOWED[status] and draft.release_due
        pending = [p for p in pending if p != STEP_RELEASE] + ([STEP_RELEASE] if due else [])
        return evolve(draft, status=status, pending=tuple(pending))

    def status_allows(self, command: Command) -> bool:
        return command in ALLOWED[self.derive_status()]

    def _void_if_done(self, order: Order) -> tuple[str, ...]:
        """Void is due once nothing is left to ship and some authorised money was not captured."""
        if order.unshipped == 0 and any(p.capturable for p in order.payment_records):
            return (STEP_VOID,)
        return ()

    # -- commands -------------------------------------------------------------

    def apply_sourcing(self, result: SourcingResult, *, now_ms: int, promiser: Promiser | None = None) -> Order:
        """Records what is reserved now: per line, the complete allocation by location. With a
        ``promiser``, a line wholly planned for the first time is promised its delivery day, and
        a promised line's estimate is worked out again for its units not yet shipped."""
        self._check(Command.SOURCE)
        lines = []
        for line in self.lines:
            allocations = tuple(a for a in result.allocations.get(line.line_number, ()) if a.quantity > 0)
            allocated = sum(a.quantity for a in allocations)
            if allocated > line.active:
                raise ValueError(f"line {line.line_number} allocated {allocated} > wanted {line.active}")
            for a in line.released:
                if _at(allocations, a.location_id) < a.quantity:
                    raise ValueError(f"line {line.line_number}: sourcing took back units released to {a.location_id}")
            lines.append(evolve(line, allocations=allocations))
        first = not self.sourced
        return self._next(
            now_ms=now_ms,
            lines=self._dated(tuple(lines), promiser),
            sourced=True,
            sourcing=result.explanation or self.sourcing,
            add=(STEP_ASSESS,) if first and self.approval.status is ApprovalStatus.PENDING else (),
        )

    def reestimate(self, promiser: Promiser, *, now_ms: int) -> Order:
        """Each promised line's estimate worked out again from now, where its units are held:
        an order released days after it was sourced (held for review) leaves later than it
        was estimated. No change: the order as it was."""
        lines = self._dated(self.lines, promiser)
        if all(new is old for new, old in zip(lines, self.lines)):
            return self
        return self._next(now_ms=now_ms, lines=lines)

    def _dated(self, lines: tuple[OrderLine, ...], promiser: Promiser | None) -> tuple[OrderLine, ...]:
        """The lines (their allocations as they now are), each promised its delivery day if it
        has none and every unit is held, or with its estimate for the units not yet shipped
        worked out again; the same line where nothing changes. An order sent in one parcel
        arrives when its last unit can: every line gets that day, and none while a unit waits."""
        if promiser is None:
            return lines
        due = [line for line in lines if line.shipped_quantity < line.active]
        days = {line.line_number: self._promise(promiser, line) for line in due}
        if self.deliver_from:  # not before the day asked for
            days = {n: max(d, self.deliver_from) if d is not None else None for n, d in days.items()}
        waiting = {line.line_number: line.allocated_quantity < line.active for line in due}
        if self.ship_complete and due:
            day = None if None in days.values() else max(d for d in days.values() if d is not None)
            days = dict.fromkeys(days, day)
            waiting = dict.fromkeys(waiting, any(waiting.values()))
        return tuple(
            self._dated_line(line, days[line.line_number], waiting[line.line_number]) if line.line_number in days else line
            for line in lines
        )

    @staticmethod
    def _dated_line(line: OrderLine, day: str | None, waiting: bool) -> OrderLine:
        if line.promised_on is None:
            return line if day is None else evolve(line, promised_on=day, estimated_on=day)
        # No day for units all held somewhere (a location the promiser's copy of the network
        # does not know yet) says nothing new: the estimate stays.
        if day != line.estimated_on and (day is not None or waiting):
            return evolve(line, estimated_on=day)
        return line

    def _promise(self, promiser: Promiser, line: OrderLine) -> str | None:
        """The day the line's units not yet shipped arrive from where they are held, from now."""
        return promiser.line_promise(
            ((a.location_id, a.quantity - _at(line.shipped, a.location_id)) for a in line.allocations),
            line.active - line.shipped_quantity,
            self.door(),
        )

    def door(self) -> Door:
        """Where its units go and how: the address's place and country, or the store; the
        carrier service asked for."""
        to = self.ship_to
        return Door(
            latitude=to.latitude if to is not None else None,
            longitude=to.longitude if to is not None else None,
            pickup_location_id=self.pickup_location_id if self.delivery_mode is DeliveryMode.PICKUP else "",
            service=self.shipping_service,
            country=to.country_code if to is not None and self.delivery_mode is DeliveryMode.SHIP else "",
        )

    def record_receipt(self, receipt: Receipt, *, now_ms: int) -> Order:
        """Money received against one of the order's invoices, in any status (a fact, not a
        step); once per receipt id, so a retried recording changes nothing."""
        if any(r.receipt_id == receipt.receipt_id for r in self.receipts):
            return self
        if receipt.invoice_number not in {s.invoice_number for s in self.shipments if s.invoice_number}:
            raise FailedPreconditionError(
                f"order {self.order_id} has no invoice {receipt.invoice_number}", code="NOT_THIS_ORDERS_INVOICE"
            )
        return self._next(now_ms=now_ms, receipts=(*self.receipts, receipt))

    def note_overdue(self, notice: OverdueNotice, *, now_ms: int) -> Order:
        """One of the order's invoices is past its due date unpaid: noted once per invoice, in
        any status, so whoever follows the order's events can remind the customer."""
        if any(n.invoice_number == notice.invoice_number for n in self.overdue):
            return self
        if notice.invoice_number not in {s.invoice_number for s in self.shipments if s.invoice_number}:
            raise FailedPreconditionError(
                f"order {self.order_id} has no invoice {notice.invoice_number}", code="NOT_THIS_ORDERS_INVOICE"
            )
        return self._next(now_ms=now_ms, overdue=(*self.overdue, notice))

    def replace_payment_instrument(
        self, payment_id: str, token: str, *, now_ms: int, method: PaymentMethod | None = None
    ) -> Order:
        """The customer pays a declined payment with another card or gift card (``method``:
        the one of the two it is paid with from now; None: its own), the same amount, asked
        for again by the shard (``authorization_key`` counts the attempt). Only while the
        order waits for it; the same instrument again: no change."""
        record = next((p for p in self.payment_records if p.payment_id == payment_id), None)
        if record is None:
            raise NotFoundError(f"order {self.order_id} has no payment {payment_id}", resource="payment", resource_id=payment_id)
        method = method or record.method
        if record.token == token and record.method is method:
            return self
        if record.status is not PaymentStatus.DECLINED or self.approval.status is not ApprovalStatus.HELD:
            raise FailedPreconditionError(
                f"payment {payment_id} of order {self.order_id} is {record.status.value}: only a declined payment "
                "of a held order takes another instrument",
                code="PAYMENT_NOT_DECLINED",
            )
        if record.method not in INSTRUMENTS:
            raise FailedPreconditionError(
                f"payment {payment_id} is {record.method.value}: it has no instrument to replace", code="NO_INSTRUMENT"
            )
        if method not in INSTRUMENTS:
            raise FailedPreconditionError(
                f"a payment is paid with another card or gift card, not {method.value}", code="NO_INSTRUMENT"
            )
        index = [p.payment_id for p in self.payment_records].index(payment_id)
        return self._next(
            now_ms=now_ms,
            payment_records=tuple(
                p.with_(token=token, method=method) if p.payment_id == payment_id else p for p in self.payment_records
            ),
            payments=tuple(evolve(p, token=token, method=method) if i == index else p for i, p in enumerate(self.payments)),
        )

    def record_authorizations(self, records: tuple[PaymentRecord, ...], *, now_ms: int) -> Order:
        """New payment state after an authorisation attempt (no status change by itself)."""
        return self._next(now_ms=now_ms, payment_records=records)

    def approve(self, *, by: str, now_ms: int, reasons: tuple[str, ...] = (), by_rules: bool = False) -> Order:
        """``by_rules``: the risk rules' own decision, which a hold asked for while they
        assessed (``hold_requested``) turns into a hold; a reviewer's approval stands."""
        self._check(Command.APPROVE)
        if self.approval.status not in (ApprovalStatus.PENDING, ApprovalStatus.HELD):
            raise InvalidTransitionError(
                f"order {self.order_id} is already {self.approval.status.value}",
                current=self.approval.status.value,
                requested="approve",
            )
        if not self.payments_authorized:
            declined = "; ".join(
                f"{p.payment_id} declined: {p.declined_reason}" for p in self.payment_records if p.status is PaymentStatus.DECLINED
            )
            raise FailedPreconditionError(
                f"order {self.order_id}: payments are not authorised for the whole order" + (f" ({declined})" if declined else ""),
                code="PAYMENT_NOT_AUTHORIZED",
            )
        if by_rules and self.approval.status is ApprovalStatus.PENDING and (asked := self.hold_requested) is not None:
            # Someone asked to hold it while it was assessed: the rules passed it, a reviewer decides.
            return self.hold(reasons=reasons, by=asked.by, now_ms=now_ms)
        return self._next(
            now_ms=now_ms,
            approval=Approval(status=ApprovalStatus.APPROVED, reasons=reasons, decided_by=by, decided_at_ms=now_ms),
            drop=(STEP_ASSESS,),
        )

    def hold(self, *, reasons: tuple[str, ...], by: str, now_ms: int) -> Order:
        self._check(Command.HOLD)
        if self.approval.status is not ApprovalStatus.PENDING:
            raise InvalidTransitionError(
                f"order {self.order_id} is already {self.approval.status.value}",
                current=self.approval.status.value,
                requested="hold",
            )
        if (asked := self.hold_requested) is not None and asked.reason not in reasons:
            reasons = (*reasons, asked.reason)  # the reviewer reads the rules' reasons and the agent's
        return self._next(
            now_ms=now_ms,
            approval=Approval(status=ApprovalStatus.HELD, reasons=reasons, decided_by=by, decided_at_ms=now_ms),
            drop=(STEP_ASSESS,),
        )

    def hold_for_review(self, *, by: str, reason: str, now_ms: int) -> Order:
        """A reviewer stops an approved order before the rest of it ships (a fraud suspicion, a
        customer on the phone): the units released to locations and not yet shipped are called
        back, reservations stay, and ReviewOrder decides again (approving releases them anew;
        after a first shipment, what is not wanted any more is cancelled, not rejected). What
        left before travels on and is delivered as any shipment. Held already: no change.

        An order still being assessed keeps the request (``hold_requested``): once assessed it
        is held, whatever the rules decided, unless they rejected it. Asked again: no change."""
        if self.approval.status is ApprovalStatus.HELD:
            return self
        if self.approval.status is ApprovalStatus.PENDING:
            self._check(Command.HOLD)
            if self.hold_requested is not None:
                return self
            return self._next(now_ms=now_ms, hold_requested=HoldRequest(by=by, reason=reason, at_ms=now_ms))
        if self.status not in (
            OrderStatus.ALLOCATED, OrderStatus.PARTLY_BACKORDERED, OrderStatus.BACKORDERED, OrderStatus.RELEASED,
            OrderStatus.PARTLY_SHIPPED,
        ):  # fmt: skip
            raise InvalidTransitionError(
                f"order {self.order_id} is {self.status.value}", current=self.status.value, requested="hold"
            )
        return self._next(
            now_ms=now_ms,
            # Released and not shipped: called back. What has left travels on.
            lines=tuple(evolve(line, released=line.shipped) if line.released != line.shipped else line for line in self.lines),
            approval=Approval(status=ApprovalStatus.HELD, reasons=(reason,), decided_by=by, decided_at_ms=now_ms),
        )

    def reject(self, *, reasons: tuple[str, ...], by: str, now_ms: int) -> Order:
        """Rejected: nothing ships, every reservation is given back, every authorisation voided."""
        self._check(Command.REJECT)
        if self.shipments:
            raise InvalidTransitionError(
                f"order {self.order_id} has shipped units already: cancel what has not shipped instead",
                current=self.status.value,
                requested="reject",
            )
        if self.approval.status not in (ApprovalStatus.PENDING, ApprovalStatus.HELD):
            raise InvalidTransitionError(
                f"order {self.order_id} is already {self.approval.status.value}",
                current=self.approval.status.value,
                requested="reject",
            )
        lines = tuple(
            evolve(line, cancelled=line.quantity, allocations=(), released=()) for line in self.lines
        )
        order = self._next(
            now_ms=now_ms,
            lines=lines,
            approval=Approval(status=ApprovalStatus.REJECTED, reasons=reasons, decided_by=by, decided_at_ms=now_ms),
            cancel_reason="rejected: " + "; ".join(reasons),
            drop=(STEP_ASSESS,),
            add=(STEP_INVENTORY,),
        )
        return evolve(order, pending=order.pending + self._void_if_done(order))

    @property
    def release_due(self) -> bool:
        """Approved, paid for, and holding units no location was asked to ship yet."""
        return (
            self.approval.status is ApprovalStatus.APPROVED
            and self.payments_authorized
            # Promised units wait for their supply: what is due is what is held on hand.
            and any(line.released != line.allocations and line.released != _on_hand(line.allocations) for line in self.lines)
            # One parcel: nothing goes to the location until it holds every unit still wanted.
            and (not self.ship_complete or self.held_whole)
            and not self.scheduled  # its day has not come (``let_go``)
        )

    def due_for_release(self, promiser: Promiser, today: str) -> bool:
        """Scheduled, and ``today`` is the day its units must leave to arrive on deliver_from,
        or later: from the first location holding them that must send them (where no day can
        be told, deliver_from itself)."""
        if not self.scheduled:
            return False
        door = self.door()
        held = {a.location_id for line in self.lines for a in _on_hand(line.allocations)}
        days = [promiser.ship_by(loc, self.deliver_from, door) or self.deliver_from for loc in held]
        return today >= min(days, default=self.deliver_from)

    def reschedule(self, day: str, *, now_ms: int, promiser: Promiser | None = None) -> Order:
        """The customer wants it on another day (YYYY-MM-DD), or as soon as it can go (""):
        before any of it has shipped. Units released to a location are called back (as a hold
        does: they leave its list, and it may no longer confirm them) until the new day; its
        stock stays reserved; its lines are promised again from the new day (with a
        ``promiser``). The same day again: no change."""
        if day == self.deliver_from:
            return self
        if not self.is_open:
            raise InvalidTransitionError(
                f"order {self.order_id} is {self.status.value}", current=self.status.value, requested="reschedule"
            )
        if self.shipments:
            raise FailedPreconditionError(
                f"order {self.order_id} has shipped units already: the parcel's day is the carrier's now",
                code="ALREADY_SHIPPED",
            )
        if day and self.deliver_by and day > self.deliver_by:
            raise ValidationError.of(
                [FieldViolation(field="deliver_from", description=f"after the order's deliver_by ({self.deliver_by})")]
            )
        moved = evolve(self, deliver_from=day)
        # Nothing has shipped: every line is promised anew, and what was released comes back (for a later day).
        lines = tuple(
            evolve(line, promised_on=None, estimated_on=None, released=line.released if not day else ())
            for line in self.lines
        )
        return self._next(now_ms=now_ms, lines=moved._dated(lines, promiser), deliver_from=day, scheduled=bool(day))

    def let_go(self, *, now_ms: int) -> Order:
        """Its day has come: what it holds is released (``release_due``) like any order's."""
        return self._next(now_ms=now_ms, scheduled=False) if self.scheduled else self

    @property
    def release_waits_for(self) -> tuple[ReleaseWait, ...]:
        """What keeps units of an open order from its locations, every reason that applies;
        none when nothing waits (all released, or a release about to happen)."""
        if not self.is_open or all(line.released_quantity >= line.active for line in self.lines):
            return ()
        waits = []
        if self.approval.status is ApprovalStatus.PENDING:
            waits.append(ReleaseWait.ASSESSMENT)
        elif self.approval.status is ApprovalStatus.HELD:
            waits.append(ReleaseWait.RETURN if self.approval.decided_by == RETURNS else ReleaseWait.REVIEW)
        if self.approval.status is not ApprovalStatus.PENDING and not self.payments_authorized:
            waits.append(ReleaseWait.PAYMENT)
        if any(line.allocated_quantity < line.active for line in self.lines):
            waits.append(ReleaseWait.STOCK)
        if any(_promised(line.allocations) for line in self.lines):
            waits.append(ReleaseWait.SUPPLY)
        if self.ship_complete and not self.held_whole and any(_on_hand(line.allocations) for line in self.lines):
            waits.append(ReleaseWait.ONE_PARCEL)
        if self.scheduled:
            waits.append(ReleaseWait.DELIVERY_DAY)
        return tuple(waits)

    @property
    def held_whole(self) -> bool:
        """Every unit still wanted is held from stock on hand (none waits for stock or supply)."""
        return all(sum(a.quantity for a in _on_hand(line.allocations)) >= line.active for line in self.lines)

    def release(self, *, now_ms: int) -> Order:
        """Every allocated unit not yet released goes to its location (a fulfilment request)."""
        self._check(Command.RELEASE)
        if self.approval.status is not ApprovalStatus.APPROVED:
            raise FailedPreconditionError(f"order {self.order_id} is not approved", code="NOT_APPROVED")
        if not self.payments_authorized:
            raise FailedPreconditionError(f"order {self.order_id}: payments not authorised", code="PAYMENT_NOT_AUTHORIZED")
        if not self.release_due:
            raise FailedPreconditionError(f"order {self.order_id} has nothing left to release", code="NOTHING_TO_RELEASE")
        return self._next(
            now_ms=now_ms,
            lines=tuple(evolve(line, released=_on_hand(line.allocations)) for line in self.lines),
            drop=(STEP_RELEASE,),
        )

    def ship(
        self,
        *,
        shipment_id: str,
        location_id: str,
        quantities: Mapping[int, int],
        carrier: str = "",
        tracking: str = "",
        shipping_service: str = "",
        now_ms: int,
    ) -> Order:
        """Units that left a location: capture and invoice their value, consume their stock.
        ``shipping_service``: the carrier service they went by ("": the location's standard one)."""
        existing = self.shipment(shipment_id)
        if existing is not None:
            if _same_report(existing.location_id, existing.lines, location_id, quantities):
                return self  # the location's system repeated its confirmation
            raise FailedPreconditionError(
                f"shipment {shipment_id} was confirmed with other contents", code="SHIPMENT_ID_REUSED"
            )
        self._check(Command.SHIP)
        lines = list(self.lines)
        value = 0
        if self.ship_complete and (
            missing := [
                line.line_number for line in self.lines
                if line.unshipped_at(location_id) > quantities.get(line.line_number, 0)
            ]
        ):  # fmt: skip
            raise FailedPreconditionError(
                f"order {self.order_id} goes in one parcel: confirm every unit released to {location_id} "
                f"(lines {', '.join(map(str, missing))} left out), or report the missing ones short first",
                code="SHIP_COMPLETE",
            )
        for line, qty in self._released_here(location_id, quantities, f"shipment {shipment_id}", "confirmed"):
            lines[line.line_number - 1] = evolve(line, shipped=_add(line.shipped, location_id, qty))
            value += line.unit_price.amount_minor * qty
        # The first shipment carries the shipping charge: it is captured and invoiced with it.
        shipping = self.shipping.amount.amount_minor if self.shipping is not None and not self.shipments else 0
        shipment = Shipment(
            shipment_id=shipment_id,
            location_id=location_id,
            lines=tuple(ShipmentLine(line_number=n, quantity=q) for n, q in sorted(quantities.items())),
            carrier=carrier,
            tracking=tracking,
            value=value + shipping,
            shipped_at_ms=now_ms,
            shipping=shipping,
            shipping_service=shipping_service,
        )
        return self._next(
            now_ms=now_ms,
            lines=tuple(lines),
            shipments=self.shipments + (shipment,),
            add=(STEP_CAPTURE + shipment_id, STEP_CONSUME + shipment_id),
        )

    def change_ship_to(self, address: Address, *, now_ms: int) -> Order:
        """A new delivery address (the customer called): before anything has shipped, within
        the country it ships to, whose risk checks it passed. Units released stay with their
        locations, which read the address when they pack (the shard sources the others again).
        The same address again: no change."""
        if self.delivery_mode is not DeliveryMode.SHIP or self.ship_to is None:
            raise FailedPreconditionError(f"order {self.order_id} is collected in store", code="NOT_SHIPPED_TO_AN_ADDRESS")
        if address == self.ship_to:
            return self
        if not self.is_open:
            raise InvalidTransitionError(
                f"order {self.order_id} is {self.status.value}", current=self.status.value, requested="change_ship_to"
            )
        if self.shipments:
            raise FailedPreconditionError(
                f"order {self.order_id} has shipped units already: the address travels with them", code="ALREADY_SHIPPED"
            )
        if address.country_code != self.ship_to.country_code:
            raise FailedPreconditionError(
                f"order {self.order_id} ships to {self.ship_to.country_code}: another country needs a new order",
                code="COUNTRY_CHANGE",
            )
        return self._next(now_ms=now_ms, ship_to=address)

    def _released_here(
        self, location_id: str, quantities: Mapping[int, int], subject: str, done: str
    ) -> list[tuple[OrderLine, int]]:
        """Each line and its units of a location's report (a shipment, a shortage), checked
        against what was released there and has not shipped: all lines, or an error naming
        every line that does not match (NOT_RELEASED_HERE)."""
        problems: list[LineProblem] = []
        found: list[tuple[OrderLine, int]] = []
        for number, qty in sorted(quantities.items()):
            if not 1 <= number <= len(self.lines):
                problems.append(LineProblem(line_number=number, sku="", reason="no such line"))
                continue
            line = self.lines[number - 1]
            open_here = _at(line.released, location_id) - _at(line.shipped, location_id)
            if qty <= 0 or qty > open_here:
                reason = f"{open_here} released to {location_id} and not yet shipped, {qty} {done}"
                problems.append(LineProblem(line_number=number, sku=line.sku, reason=reason))
                continue
            found.append((line, qty))
        if problems:
            raise FailedPreconditionError(
                f"{subject} does not match what {location_id} was asked to ship", code="NOT_RELEASED_HERE", lines=problems
            )
        return found

    def shortage(self, shortage_id: str) -> Shortage | None:
        return next((s for s in self.shortages if s.shortage_id == shortage_id), None)

    def report_shortage(
        self, *, shortage_id: str, location_id: str, quantities: Mapping[int, int], reason: ShortageReason, now_ms: int
    ) -> Order:
        """Units released to a location that it cannot ship (missing or damaged when picked):
        no longer released or allocated there, so sourcing plans them again; the step takes
        them off the location's stock with their reservation. Declined ones stay in its stock,
        and the order is not planned there again (``declined_locations``)."""
        existing = self.shortage(shortage_id)
        if existing is not None:
            if _same_report(existing.location_id, existing.lines, location_id, quantities):
                return self  # the location's system repeated its report
            raise FailedPreconditionError(
                f"shortage {shortage_id} was reported with other contents", code="SHORTAGE_ID_REUSED"
            )
        self._check(Command.SHIP)
        lines = list(self.lines)
        for line, qty in self._released_here(location_id, quantities, f"shortage {shortage_id}", "reported short"):
            lines[line.line_number - 1] = evolve(
                line,
                released=_add(line.released, location_id, -qty),
                allocations=_add(line.allocations, location_id, -qty),
            )
        if self.ship_complete:
            # One parcel: the rest released there is called back (its reservation stays), so
            # the whole order is sourced again together rather than shipped without these units.
            for i, line in enumerate(lines):
                if (back := line.unshipped_at(location_id)) > 0:
                    lines[i] = evolve(line, released=_add(line.released, location_id, -back))
        shortage = Shortage(
            shortage_id=shortage_id,
            location_id=location_id,
            lines=tuple(ShipmentLine(line_number=n, quantity=q) for n, q in sorted(quantities.items())),
            reason=reason,
            reported_at_ms=now_ms,
        )
        return self._next(
            now_ms=now_ms,
            lines=tuple(lines),
            shortages=(*self.shortages, shortage),
            add=() if reason is ShortageReason.DECLINED else (STEP_SHORTAGE + shortage_id,),
        )

    @property
    def declined_locations(self) -> frozenset[str]:
        """Locations that declined to ship some of it: sourcing sends it nothing more there."""
        if not self.shortages:
            return frozenset()
        return frozenset(s.location_id for s in self.shortages if s.reason is ShortageReason.DECLINED)

    def record_capture(
        self, shipment_id: str, *, captures: tuple[ShipmentCapture, ...], records: tuple[PaymentRecord, ...],
        invoice_number: str, now_ms: int,
    ) -> Order:
        """The shipment is paid and invoiced; what no shipment will need can now be voided."""
        shipments = tuple(
            evolve(s, captures=captures, invoice_number=invoice_number) if s.shipment_id == shipment_id else s
            for s in self.shipments
        )
        order = self._next(
            now_ms=now_ms, shipments=shipments, payment_records=records, drop=(STEP_CAPTURE + shipment_id,)
        )
        return evolve(order, pending=order.pending + tuple(
            s for s in self._void_if_done(order) if s not in order.pending
        ))

    def deliver(self, shipment_id: str, *, now_ms: int) -> Order:
        shipment = self.shipment(shipment_id)
        if shipment is not None and shipment.status is ShipmentStatus.DELIVERED:
            return self  # a repeated confirmation
        self._check(Command.DELIVER)
        if shipment is not None and shipment.status in UNDELIVERED_STATUSES:
            raise shipment_returned(self.order_id, shipment)
        if shipment is None:
            raise no_such_shipment(self.order_id, shipment_id)
        lines = tuple(
            evolve(line, delivered=line.delivered + shipment.quantity_of(line.line_number))
            for line in self.lines
        )
        shipments = tuple(
            evolve(s, status=ShipmentStatus.DELIVERED, delivered_at_ms=now_ms)
            if s.shipment_id == shipment_id
            else s
            for s in self.shipments
        )
        return self._next(now_ms=now_ms, lines=lines, shipments=shipments)

    def estimate_shipment(self, shipment_id: str, day: str, *, reason: str, now_ms: int) -> Order:
        """The carrier's estimate of the day a parcel arrives (YYYY-MM-DD; a delay, or sooner):
        the shipment keeps it, and the estimate of each promised line it carries becomes the
        latest of its parcels still on their way (and of its units not shipped yet, whose
        estimate only moves later here). The same day again changes nothing."""
        shipment = self.shipment(shipment_id)
        if shipment is None:
            raise no_such_shipment(self.order_id, shipment_id)
        if shipment.estimated_delivery == day:
            return self
        if shipment.status is ShipmentStatus.DELIVERED:
            raise FailedPreconditionError(
                f"shipment {shipment_id} of order {self.order_id} was delivered", code="SHIPMENT_DELIVERED"
            )
        if shipment.status in UNDELIVERED_STATUSES:
            raise shipment_returned(self.order_id, shipment)
        estimated = evolve(shipment, estimated_delivery=day, estimate_reason=reason)
        shipments = tuple(estimated if s.shipment_id == shipment_id else s for s in self.shipments)
        lines = []
        for line in self.lines:
            n = line.line_number
            waiting = line.shipped_quantity < line.active
            if line.promised_on is None or not shipment.quantity_of(n) or (waiting and line.estimated_on is None):
                lines.append(line)
                continue
            on_way = [s for s in shipments if s.status is ShipmentStatus.SHIPPED and s.quantity_of(n)]
            days = [s.estimated_delivery for s in on_way if s.estimated_delivery]
            if waiting and line.estimated_on:
                days.append(line.estimated_on)
            lines.append(evolve(line, estimated_on=max(days)))
        return self._next(now_ms=now_ms, lines=tuple(lines), shipments=shipments)

    def cancel(self, *, reason: str, now_ms: int) -> Order:
        """Cancels every unit not yet shipped; what shipped stays shipped and paid."""
        self._check(Command.CANCEL)
        return self._cancel_lines([line.line_number for line in self.lines], reason=reason, now_ms=now_ms)

    def cancel_lines(self, line_numbers: Iterable[int], *, reason: str, now_ms: int) -> Order:
        self._check(Command.CANCEL_LINES)
        numbers = list(line_numbers)
        bad = [n for n in numbers if not 1 <= n <= len(self.lines)]
        if bad or not numbers:
            raise FailedPreconditionError(
                f"order {self.order_id} has no line {bad[0] if bad else '(none given)'}",
                code="NO_SUCH_LINE",
                lines=[LineProblem(line_number=n, sku="", reason="no such line") for n in bad],
            )
        return self._cancel_lines(numbers, reason=reason, now_ms=now_ms)

    def reduce_lines(self, targets: Mapping[int, int], *, reason: str, now_ms: int) -> Order:
        """Lines down to ``targets`` units each ("two, not three"): the units no longer wanted
        are cancelled, taken first from supply promised on its way, then from units no location
        was asked to ship, then called back from locations (newest allocation last). A line
        already at its target is left alone, so a retry changes nothing; one below what shipped,
        or at more than it has, is refused with every such line named."""
        self._check(Command.CANCEL_LINES)
        problems = []
        for n, target in sorted(targets.items()):
            if not 1 <= n <= len(self.lines):
                problems.append(LineProblem(line_number=n, sku="", reason="no such line"))
                continue
            line = self.lines[n - 1]
            if not line.shipped_quantity <= target <= line.active:
                problems.append(
                    LineProblem(
                        line_number=n, sku=line.sku,
                        reason=f"{target} units: between the {line.shipped_quantity} shipped and the {line.active} wanted",
                    )  # fmt: skip
                )
        if problems or not targets:
            raise FailedPreconditionError(
                f"order {self.order_id}: {len(problems)} lines cannot be reduced so", code="CANNOT_REDUCE", lines=problems
            )
        lines = list(self.lines)
        for n, target in targets.items():
            line = lines[n - 1]
            drop = line.active - target
            if drop:
                lines[n - 1] = _without_units(line, drop)
        if lines == list(self.lines):
            return self
        return self._with_cancelled(lines, reason=reason, now_ms=now_ms)

    def waiting_units(self) -> dict[int, int]:
        """line -> its units held nowhere and promised no day: waiting for stock to come."""
        return {line.line_number: waiting for line in self.lines if (waiting := line.active - line.allocated_quantity) > 0}

    def backorder_expired(self, now_ms: int, after_ms: int) -> bool:
        """Units of it still wait for stock ``after_ms`` after it was placed, or for an order
        for a later day, after that day began: it waits for nothing before (an order held for
        review, or not sourced yet, is left to its reviewer or its sourcing)."""
        since = self.created_at_ms
        if self.deliver_from:
            since = max(since, int(dt.datetime.fromisoformat(self.deliver_from).replace(tzinfo=dt.UTC).timestamp() * 1000))
        return self.status in _BACKORDER_EXPIRES and now_ms - since >= after_ms and bool(self.waiting_units())

    def cancel_backorders(self, *, now_ms: int) -> Order:
        """The units still waiting for stock cancelled (the routing rules' backorder_cancel_days):
        the rest of each line stays as it is, and with nothing else left the order is cancelled."""
        waiting = self.waiting_units()
        if not waiting:
            return self
        return self.reduce_lines(
            {n: self.line(n).active - units for n, units in waiting.items()}, reason=BACKORDER_EXPIRED, now_ms=now_ms
        )

    def _cancel_lines(self, numbers: list[int], *, reason: str, now_ms: int) -> Order:
        lines = list(self.lines)
        for n in numbers:
            line = lines[n - 1]
            shipped = line.shipped_quantity
            lines[n - 1] = evolve(
                line,
                cancelled=line.quantity - shipped,
                allocations=line.shipped,  # what shipped keeps its allocation; the rest is given back
                released=line.shipped,
            )
        return self._with_cancelled(lines, reason=reason, now_ms=now_ms)

    def _with_cancelled(self, lines: list[OrderLine], *, reason: str, now_ms: int) -> Order:
        """The order with units cancelled on ``lines``: holdings made exact, and the money no
        shipment will need given back once nothing is left to ship."""
        order = self._next(now_ms=now_ms, lines=tuple(lines), cancel_reason=reason, add=(STEP_INVENTORY,))
        return evolve(order, pending=order.pending + tuple(s for s in self._void_if_done(order) if s not in order.pending))

    def close(self, *, now_ms: int) -> Order:
        self._check(Command.CLOSE)
        return self._next(now_ms=now_ms, closed=True)

    def step_done(self, step: str, *, now_ms: int, **changes: object) -> Order:
        """A pending side effect was performed (and made durable elsewhere)."""
        if step not in self.pending:
            return self
        return self._next(now_ms=now_ms, drop=(step,), **changes)

    # -- returns ------------------------------------------------------------------

    def return_(self, return_id: str) -> ReturnRecord | None:
        return next((r for r in self.returns if r.return_id == return_id), None)

    def returnable(self, line_number: int) -> int:
        """Units of a line delivered and not already on a return (one expired or cancelled gave
        them back; a parcel that came back undelivered held none of them)."""
        line = self.line(line_number)
        on_returns = sum(
            rl.quantity
            for r in self.returns
            if r.status not in WITHDRAWN and not r.shipment_id
            for rl in r.lines
            if rl.line_number == line_number
        )
        return line.delivered - on_returns

    def closable(self, now_ms: int, window_ms: int) -> bool:
        """Delivered, nothing pending, every return done (resolved and its repairs back with the
        customer, expired or cancelled), and the return window shut on every line (``window_ms``:
        the order's, where a line keeps none of its own). Nothing delivered (every parcel came
        back): as soon as what came back is inspected and its money or items went out."""
        if self.status not in (OrderStatus.DELIVERED, OrderStatus.UNDELIVERED) or self.pending:
            return False
        if any(r.status not in DONE_STATUSES or r.awaiting_repair for r in self.returns):
            return False
        shut = [
            self.last_delivery_ms(line.line_number) + self.line_window_ms(line.line_number, window_ms)
            for line in self.lines if line.delivered
        ]  # fmt: skip
        if self.status is OrderStatus.UNDELIVERED:
            return not shut
        return bool(shut) and now_ms > max(shut)

    def last_delivery_ms(self, line_number: int) -> int:
        return max(
            (s.delivered_at_ms for s in self.shipments if s.status is ShipmentStatus.DELIVERED and s.quantity_of(line_number)),
            default=0,
        )

    def request_return(
        self,
        *,
        return_id: str,
        lines: Mapping[int, tuple[int, str, Resolution]],
        channel: str,
        location_id: str,
        window_ms: int,
        non_returnable: frozenset[str],
        now_ms: int,
        exchanges: Mapping[int, str] | None = None,
        styles: Mapping[str, str] | None = None,
        keep_below: Money | None = None,
        reason_codes: Mapping[int, str] | None = None,
        sold_out: frozenset[str] = frozenset(),
        restocking_fee: Callable[[str], int] | None = None,
    ) -> Order:
        """Authorises a return within the rules, or refuses it naming every line that breaks one.

        ``window_ms``: the order's return window (``return_window_ms``), for lines sold with
        none of their own; ``non_returnable``: the catalogue's SKUs that cannot be returned
        now, for lines sold before they kept that (``final_sale``).
        ``reason_codes``: line -> its ``ReturnReason`` value, where the caller gave one.
        ``sold_out``: SKUs no location has a unit of: an exchange for one is refused (the
        customer takes a refund or another variant), unless the return exists already.
        ``keep_below``: the return policy's keep_it_below. When every line is an item priced
        under it (and none is for repair), the customer keeps the items: the return is
        resolved now, as if received and inspected, with nothing restocked.
        ``restocking_fee``: the return policy's fee (basis points) for a reason code
        (``ReturnPolicy.restocking_fee_bps_for``), fixed on each line giving money back; a
        return the customer keeps costs no restocking.

        ``exchanges``: line -> the SKU wanted in its place, for EXCHANGE lines; ``styles``:
        the style of each known SKU of the lines and the exchanges (unknown ones absent).
        An exchange stays within the style of the item returned: another size or colour,
        not another product, since it ships at no charge."""
        exchanges = exchanges or {}
        styles = styles or {}
        codes = reason_codes or {}
        existing = self.return_(return_id)
        wanted = {n: (q, reason, res, exchanges.get(n, "")) for n, (q, reason, res) in lines.items()}
        if existing is not None:
            same = {rl.line_number: (rl.quantity, rl.reason, rl.resolution, rl.exchange_sku) for rl in existing.lines} == wanted
            same = same and {rl.line_number: rl.reason_code for rl in existing.lines} == {n: codes.get(n, "") for n in wanted}
            if same:
                return self
            raise FailedPreconditionError(f"return {return_id} was requested with other lines", code="RETURN_ID_REUSED")
        self._check(Command.RETURN)
        problems: list[LineProblem] = []
        for number, (qty, _, resolution, exchange_sku) in sorted(wanted.items()):
            if not 1 <= number <= len(self.lines):
                problems.append(LineProblem(line_number=number, sku="", reason="no such line"))
                continue
            line = self.line(number)
            left = self.returnable(number)
            if qty < 1 or qty > left:
                problems.append(
                    LineProblem(line_number=number, sku=line.sku, reason=f"{left} delivered and not yet returned, {qty} asked")
                )
            elif self.is_final_sale(number, non_returnable):
                problems.append(LineProblem(line_number=number, sku=line.sku, reason="this item cannot be returned"))
            elif now_ms > self.last_delivery_ms(number) + self.line_window_ms(number, window_ms):
                problems.append(LineProblem(line_number=number, sku=line.sku, reason="the return window has closed"))
            elif (refusal := _exchange_refusal(line.sku, resolution, exchange_sku, styles)) is not None:
                problems.append(LineProblem(line_number=number, sku=line.sku, reason=refusal))
            elif resolution is Resolution.EXCHANGE and exchange_sku in sold_out:
                problems.append(
                    LineProblem(line_number=number, sku=line.sku, reason=f"{exchange_sku} is sold out: a refund, or another variant")
                )
        if problems:
            raise FailedPreconditionError(
                f"return {return_id} of order {self.order_id} is not allowed", code="RETURN_NOT_ALLOWED", lines=problems
            )
        kept = keep_below is not None and all(
            res is not Resolution.REPAIR
            and self.line(n).unit_price.currency == keep_below.currency
            and self.line(n).unit_price.amount_minor < keep_below.amount_minor
            for n, (_, _, res, _) in wanted.items()
        )
        record = ReturnRecord(
            return_id=return_id,
            status=ReturnStatus.INSPECTED if kept else ReturnStatus.AUTHORIZED,
            lines=tuple(
                ReturnLine(
                    line_number=n, quantity=q, reason=reason, resolution=res, exchange_sku=exchange_sku,
                    received=q if kept else 0, reason_code=codes.get(n, ""),
                    restocking_fee_bps=(
                        restocking_fee(codes.get(n, "")) if restocking_fee and res in GIVES_MONEY and not kept else 0
                    ),
                )  # fmt: skip
                for n, (q, reason, res, exchange_sku) in sorted(wanted.items())
            ),
            channel=channel,
            location_id="" if kept else location_id,
            requested_at_ms=now_ms,
            received_at_ms=now_ms if kept else 0,
            kept=kept,
        )
        # What goes out for it is reserved now, not when it comes back: the size asked for
        # in exchange may be sold out by then.
        steps = (STEP_SECURE + return_id,) if record.asks_items else ()
        if kept:
            steps += (STEP_RESOLVE + return_id,)
        return self._next(now_ms=now_ms, returns=self.returns + (record,), add=steps)

    def return_undelivered(
        self,
        shipment_id: str,
        *,
        return_id: str,
        reason: UndeliveredReason,
        resolution: Resolution,
        location_id: str,
        now_ms: int,
        ship_to: Address | None = None,
        note: str = "",
    ) -> Order:
        """A parcel came back to ``location_id`` instead of reaching the customer (refused,
        address unknown, a pickup not collected in time): the shipment is returned, its units
        are the order's no longer (``OrderLine.undelivered``), and a return of the whole parcel
        is recorded as received there. Its money goes back, or its items go out again, at once
        (``resolution``: a refund, store credit, or a replacement order, to ``ship_to`` if the
        address was wrong); the location inspects the parcel later like any return, restocking
        it or writing it off. No return policy applies: the customer never had the items.
        A parcel the carrier lost (``UndeliveredReason.LOST``) comes back nowhere: the shipment
        is LOST, and its return has nothing to receive or inspect (no location), only the
        resolution to go out (what the carrier pays for it is not the customer's matter).

        Only a parcel on its way (shipped, not delivered) comes back. The same report again
        changes nothing; another under the same return id is refused."""
        existing = self.return_(return_id)
        if existing is not None:
            if (existing.shipment_id, existing.undelivered_reason, existing.ship_to) == (shipment_id, reason.value, ship_to) and {
                rl.resolution for rl in existing.lines
            } == {resolution}:
                return self
            raise FailedPreconditionError(f"return {return_id} was recorded with other details", code="RETURN_ID_REUSED")
        shipment = self.shipment(shipment_id)
        if shipment is None:
            raise no_such_shipment(self.order_id, shipment_id)
        if shipment.status is ShipmentStatus.DELIVERED:
            raise FailedPreconditionError(
                f"shipment {shipment_id} of order {self.order_id} was delivered: the customer returns it (RequestReturn)",
                code="SHIPMENT_DELIVERED",
            )
        if shipment.status in UNDELIVERED_STATUSES:
            raise shipment_returned(self.order_id, shipment)
        self._check(Command.DELIVER)  # on its way: delivered, or back
        if resolution not in UNDELIVERED_RESOLUTIONS:
            raise FailedPreconditionError(
                f"a parcel that came back is refunded, credited or sent again, not {resolution.value}",
                code="RESOLUTION_NOT_ALLOWED",
            )
        pickup = self.delivery_mode is DeliveryMode.PICKUP
        if (reason is UndeliveredReason.NOT_COLLECTED) != pickup and reason in (
            UndeliveredReason.NOT_COLLECTED, UndeliveredReason.ADDRESS_UNKNOWN,
        ):  # fmt: skip
            raise FailedPreconditionError(
                f"order {self.order_id} is {'collected in store' if pickup else 'shipped to an address'}: "
                f"its parcel cannot come back {reason.value}",
                code="REASON_NOT_ALLOWED",
            )
        if ship_to is not None:
            if resolution is not Resolution.REPLACEMENT or self.ship_to is None:
                raise FailedPreconditionError(
                    "a new address is for the items sent again to an order shipped to an address", code="NOT_SHIPPED_AGAIN"
                )
            if ship_to.country_code != self.ship_to.country_code:
                raise FailedPreconditionError(
                    f"order {self.order_id} ships to {self.ship_to.country_code}: another country needs a new order",
                    code="COUNTRY_CHANGE",
                )
        lost = reason is UndeliveredReason.LOST
        record = ReturnRecord(
            return_id=return_id,
            status=ReturnStatus.INSPECTED if lost else ReturnStatus.RECEIVED,
            lines=tuple(
                ReturnLine(
                    line_number=sl.line_number, quantity=sl.quantity, received=sl.quantity, reason=note or reason.value,
                    resolution=resolution, reason_code=ReturnReason.UNDELIVERED.value,
                )  # fmt: skip
                for sl in sorted(shipment.lines, key=lambda sl: sl.line_number)
            ),
            channel=self.channel.value,
            location_id="" if lost else location_id,
            requested_at_ms=now_ms,
            received_at_ms=now_ms,
            shipment_id=shipment_id,
            undelivered_reason=reason.value,
            ship_to=ship_to,
        )
        status = ShipmentStatus.LOST if lost else ShipmentStatus.RETURNED
        back = evolve(shipment, status=status, returned_at_ms=now_ms, undelivered_reason=reason.value)
        return self._next(
            now_ms=now_ms,
            lines=tuple(
                evolve(line, undelivered=line.undelivered + shipment.quantity_of(line.line_number)) for line in self.lines
            ),
            shipments=tuple(back if s.shipment_id == shipment_id else s for s in self.shipments),
            returns=self.returns + (record,),
            add=(STEP_RESOLVE + return_id,),
        )

    def uncollected(self, now_ms: int, hold_ms: Mapping[str, int]) -> list[str]:
        """Shipments of a pickup order ready at its store longer than the store's hold period
        (``hold_ms``: store -> its hold; a store without one keeps them until collected)."""
        hold = hold_ms.get(self.pickup_location_id) if self.delivery_mode is DeliveryMode.PICKUP else None
        if not hold:
            return []
        return [s.shipment_id for s in self.shipments if s.status is ShipmentStatus.SHIPPED and now_ms - s.shipped_at_ms > hold]

    def record_secured(self, return_id: str, *, replacement_order_id: str, now_ms: int) -> Order:
        """The return's replacement order is placed (held until the return is received)."""
        record = self.return_(return_id)
        assert record is not None
        return self._next(
            now_ms=now_ms,
            returns=self._with_return(record.with_(replacement_order_id=replacement_order_id)),
            drop=(STEP_SECURE + return_id,),
        )

    def lapsed_returns(self, now_ms: int, arrival_ms: int | None) -> list[str]:
        """Returns authorised more than ``arrival_ms`` ago and still not received (None: none lapse)."""
        if arrival_ms is None:
            return []
        return [r.return_id for r in self.returns if r.status is ReturnStatus.AUTHORIZED and now_ms - r.requested_at_ms > arrival_ms]

    def expire_returns(self, return_ids: Iterable[str], *, now_ms: int) -> Order:
        """Authorised returns never brought back: expired, their units returnable again within
        the window, and the order free to close. One received meanwhile stays as it is."""
        lapsed = {
            rid for rid in return_ids
            if (r := self.return_(rid)) is not None and ReturnAction.EXPIRE in RETURN_ALLOWED[r.status]
        }  # fmt: skip
        if not lapsed:
            return self
        returns = tuple(
            r.with_(status=ReturnStatus.EXPIRED, expired_at_ms=now_ms) if r.return_id in lapsed else r for r in self.returns
        )
        # What was reserved to go out for them goes back (placed or, its step still pending, maybe placed).
        secured = [rid for rid in sorted(lapsed) if self.return_(rid).asks_items]  # type: ignore[union-attr]
        return self._next(
            now_ms=now_ms,
            returns=returns,
            drop=[STEP_SECURE + rid for rid in secured],
            add=[STEP_UNSECURE + rid for rid in secured],
        )

    def track_return(self, return_id: str, *, carrier: str, tracking: str, now_ms: int) -> Order:
        """The customer's parcel is on its way: recorded while the return is authorised (a
        new parcel replaces the last); the same again changes nothing."""
        existing = self.return_(return_id)
        if existing is not None and (existing.inbound_carrier, existing.inbound_tracking) == (carrier, tracking):
            return self
        record = self._return_step(return_id, ReturnAction.TRACK)
        sent = record.with_(inbound_carrier=carrier, inbound_tracking=tracking, sent_at_ms=now_ms)
        return self._next(now_ms=now_ms, returns=self._with_return(sent))

    def cancel_return(self, return_id: str, *, reason: str, now_ms: int) -> Order:
        """The customer will not send it after all: an authorised return is cancelled, its
        units returnable again, and what was reserved to go out for it withdrawn. Again: no change."""
        existing = self.return_(return_id)
        if existing is not None and existing.status is ReturnStatus.CANCELLED:
            return self
        record = self._return_step(return_id, ReturnAction.CANCEL)
        cancelled = record.with_(status=ReturnStatus.CANCELLED, cancelled_at_ms=now_ms, cancel_reason=reason)
        withdraw = record.asks_items
        return self._next(
            now_ms=now_ms,
            returns=self._with_return(cancelled),
            drop=[STEP_SECURE + return_id] if withdraw else [],
            add=[STEP_UNSECURE + return_id] if withdraw else [],
        )

    def settle_for_return(self, wanted: Mapping[str, int], *, return_ref: str, now_ms: int) -> Order:
        """A return's replacement order, as its return came back: units per SKU down to what
        was received (``wanted``; nothing: the return expired or brought nothing back for
        it, and the order is cancelled), then approved to ship. Idempotent. An order someone
        released already (a reviewer sending the exchange ahead of the return), finished or
        cancelled is left as it is, as is one the risk rules held for a reason of their own."""
        if self.finished or self.status in (OrderStatus.CANCELLED, OrderStatus.REJECTED):
            return self
        if self.approval.status is ApprovalStatus.APPROVED or self.approval.status is ApprovalStatus.REJECTED:
            return self
        if not any(wanted.get(line.sku, 0) for line in self.lines if line.active):
            return self.cancel(reason=f"return {return_ref} brought nothing back to send for", now_ms=now_ms)
        targets = {
            line.line_number: min(line.active, wanted.get(line.sku, 0))
            for line in self.lines
            if line.active and wanted.get(line.sku, 0) < line.active
        }
        order = self.reduce_lines(targets, reason=f"return {return_ref} brought back less", now_ms=now_ms) if targets else self
        asked = order.hold_requested
        if order.approval.status is ApprovalStatus.PENDING:  # not yet assessed: it goes on once it is
            return order._next(now_ms=now_ms, hold_requested=None) if asked is not None else order
        if asked is None or order.approval.decided_by != RETURNS or order.approval.reasons != (asked.reason,):
            return order  # held by the rules or a reviewer too: a reviewer decides
        return order.approve(by=RETURNS, reasons=(f"return {return_ref} received",), now_ms=now_ms)

    def _return_step(self, return_id: str, action: ReturnAction) -> ReturnRecord:
        record = self.return_(return_id)
        if record is None:
            raise FailedPreconditionError(f"order {self.order_id} has no return {return_id}", code="NO_SUCH_RETURN")
        if action not in RETURN_ALLOWED[record.status]:
            raise InvalidTransitionError(
                f"return {return_id} is {record.status.value}; {action.value} is not allowed",
                current=record.status.value,
                requested=action.value,
            )
        return record

    def _with_return(self, record: ReturnRecord) -> tuple[ReturnRecord, ...]:
        return tuple(record if r.return_id == record.return_id else r for r in self.returns)

    def receive_return(
        self, return_id: str, *, location_id: str, quantities: Mapping[int, int], now_ms: int, resolve_now: bool = False
    ) -> Order:
        """``resolve_now``: the money and items go out now, before inspection (the return
        policy's resolve_on_receipt)."""
        existing = self.return_(return_id)
        if existing is not None and existing.status is not ReturnStatus.AUTHORIZED:
            if existing.location_id == location_id and {
                rl.line_number: rl.received for rl in existing.lines if rl.received
            } == {n: q for n, q in quantities.items() if q}:
                return self  # the store's system repeated its receipt
        record = self._return_step(return_id, ReturnAction.RECEIVE)
        problems = [
            LineProblem(line_number=n, sku="", reason="not on this return, or more than was requested")
            for n, q in quantities.items()
            if record.line(n) is None or not 0 <= q <= record.line(n).quantity
        ]
        if problems or not any(quantities.values()):
            raise FailedPreconditionError(
                f"receipt of return {return_id} does not match it", code="RETURN_MISMATCH", lines=problems
            )
        lines = tuple(evolve(rl, received=quantities.get(rl.line_number, 0)) for rl in record.lines)
        received = record.with_(status=ReturnStatus.RECEIVED, lines=lines, location_id=location_id, received_at_ms=now_ms)
        return self._next(now_ms=now_ms, returns=self._with_return(received), add=(STEP_RESOLVE + return_id,) if resolve_now else ())

    def inspect_return(
        self,
        return_id: str,
        *,
        dispositions: Mapping[int, Disposition],
        now_ms: int,
        deductions: Mapping[int, tuple[Money, str]] | None = None,
    ) -> Order:
        """Each received line is restocked where it was received, or written off; then resolved.
        A REPAIR line's units are the customer's: they go to repair, neither restocked nor
        written off (``complete_repair``), so a disposition for one is refused.

        ``deductions``: line -> (amount, reason) kept from the money a refunded or credited
        line gives back: units used beyond what trying them needs lost that much of their
        value (EU consumer law lets the seller keep it). Only before the money went out.

        Inspected already: the same inspection again is the caller's to recognise
        (``inspected_as``); another is refused (``RETURN_INSPECTED``)."""
        inspected = self.return_(return_id)
        done = (ReturnStatus.INSPECTED, ReturnStatus.RESOLVED)
        if inspected is not None and inspected.received_at_ms and inspected.status in done:
            raise FailedPreconditionError(
                f"return {return_id} was inspected already, with other dispositions or deductions", code="RETURN_INSPECTED"
            )
        record = self._return_step(return_id, ReturnAction.INSPECT)
        deductions = deductions or {}
        if deductions and (record.resolved or STEP_RESOLVE + return_id in self.pending):
            raise FailedPreconditionError(
                f"return {return_id} was refunded on receipt (the return policy's resolve_on_receipt): "
                "nothing is left to deduct from",
                code="RETURN_RESOLVED",
            )
        problems = [
            LineProblem(
                line_number=rl.line_number, sku=self.line(rl.line_number).sku,
                reason="sent for repair: the customer's unit, neither restocked nor written off",
            )
            for rl in record.lines
            if rl.resolution is Resolution.REPAIR and rl.line_number in dispositions
        ]  # fmt: skip
        problems += self._deduction_problems(record, deductions)
        if problems:
            raise FailedPreconditionError(
                f"inspection of return {return_id} does not match it", code="RETURN_MISMATCH", lines=problems
            )
        lines = []
        for rl in record.lines:
            if rl.resolution is Resolution.REPAIR:
                lines.append(rl)
                continue
            disposition = dispositions.get(rl.line_number, Disposition.RESTOCK)
            deducted, why = deductions.get(rl.line_number, (None, ""))
            lines.append(
                evolve(
                    rl,
                    restocked=rl.received if disposition is Disposition.RESTOCK else 0,
                    written_off=rl.received if disposition is Disposition.WRITE_OFF else 0,
                    deducted=deducted.amount_minor if deducted is not None else 0,
                    deduction_reason=why,
                )
            )
        # Resolved on receipt already: inspecting it finishes it; otherwise its resolution follows.
        inspected = record.with_(status=ReturnStatus.RESOLVED if record.resolved else ReturnStatus.INSPECTED, lines=tuple(lines))
        steps = (STEP_RESTOCK + return_id,) if any(rl.restocked for rl in lines) else ()
        if not record.resolved:
            steps += (STEP_RESOLVE + return_id,)  # (pending already when resolving on receipt: once)
        return self._next(now_ms=now_ms, returns=self._with_return(inspected), add=steps)

    def inspected_as(
        self,
        return_id: str,
        *,
        dispositions: Mapping[int, Disposition],
        deductions: Mapping[int, tuple[Money, str]] | None = None,
    ) -> bool:
        """Whether the return was inspected already exactly so (a desk's repeated message),
        rather than with other dispositions or deductions (a mistake the desk must hear of)."""
        record = self.return_(return_id)
        if record is None or record.status not in (ReturnStatus.INSPECTED, ReturnStatus.RESOLVED) or not record.received_at_ms:
            return False
        deductions = deductions or {}
        for rl in record.lines:
            if rl.resolution is Resolution.REPAIR:
                if rl.line_number in dispositions:
                    return False
                continue
            asked = dispositions.get(rl.line_number, Disposition.RESTOCK)
            done = Disposition.WRITE_OFF if rl.written_off else Disposition.RESTOCK
            if rl.received and asked is not done:
                return False
            amount, why = deductions.get(rl.line_number, (None, ""))
            if amount is None:
                amount = Money(amount_minor=0, currency=self.currency)
            if (amount.amount_minor, amount.currency, why) != (rl.deducted, self.currency, rl.deduction_reason):
                return False
        return all(record.line(n) is not None for n in (*dispositions, *deductions))

    def _deduction_problems(self, record: ReturnRecord, deductions: Mapping[int, tuple[Money, str]]) -> list[LineProblem]:
        """Every line whose deduction cannot be kept: not a received line of the return, not
        money given back, not in the order's currency, or more than its units cost."""
        problems = []
        for number, (amount, _) in sorted(deductions.items()):
            rl = record.line(number)
            line = self.line(number) if 1 <= number <= len(self.lines) else None
            if rl is None or line is None or not rl.received:
                reason = "not a line of this return with units received"
            elif rl.resolution not in GIVES_MONEY:
                reason = f"resolved by {rl.resolution.value}: only money given back is reduced"
            elif amount.currency != self.currency:
                reason = f"in {amount.currency}: the order's currency is {self.currency}"
            elif not 0 < amount.amount_minor <= (left := self._worth(evolve(rl, deducted=0), rl.received, unrepairable=False)):
                reason = f"more than the {left} its units received give back" + (
                    " after the restocking fee" if rl.restocking_fee_bps else ""
                )
            else:
                continue
            problems.append(LineProblem(line_number=number, sku=line.sku if line is not None else "", reason=reason))
        return problems

    def complete_repair(self, return_id: str, *, carrier: str, tracking: str, now_ms: int) -> Order:
        """The units of a return's REPAIR lines, repaired, are on their way back to the customer."""
        record = self.return_(return_id)
        if record is None:
            raise FailedPreconditionError(f"order {self.order_id} has no return {return_id}", code="NO_SUCH_RETURN")
        if record.repaired_at_ms and not record.awaiting_repair:
            if (record.repair_carrier, record.repair_tracking) == (carrier, tracking):
                return self  # the repair centre repeated its message
            raise FailedPreconditionError(f"return {return_id}: its repairs went back already", code="NO_REPAIR_PENDING")
        if record.status not in (ReturnStatus.INSPECTED, ReturnStatus.RESOLVED):
            raise InvalidTransitionError(
                f"return {return_id} is {record.status.value}: repairs follow inspection",
                current=record.status.value,
                requested="complete_repair",
            )
        if not record.awaiting_repair:
            raise FailedPreconditionError(f"return {return_id} has nothing sent for repair", code="NO_REPAIR_PENDING")
        lines = tuple(evolve(rl, repaired=rl.received) if rl.resolution is Resolution.REPAIR else rl for rl in record.lines)
        repaired = record.with_(lines=lines, repair_carrier=carrier, repair_tracking=tracking, repaired_at_ms=now_ms)
        return self._next(now_ms=now_ms, returns=self._with_return(repaired))

    def declare_beyond_repair(self, return_id: str, *, resolution: Resolution, reason: str, now_ms: int) -> Order:
        """The units of a return's REPAIR lines cannot be repaired: they are written off (the
        customer's, scrapped, never stock) and made good by ``resolution``: their price back
        to the captures it came from (REFUND) or as store credit, with credit notes, or new
        units at no charge (REPLACEMENT, an order sourced like any). The same again: no change."""
        if resolution not in MAKES_GOOD:
            raise ValueError(f"units beyond repair are refunded, credited or replaced, not {resolution.value}")
        record = self.return_(return_id)
        if record is None:
            raise FailedPreconditionError(f"order {self.order_id} has no return {return_id}", code="NO_SUCH_RETURN")
        if record.unrepairable:
            if record.unrepairable == resolution.value:
                return self  # the repair centre repeated its message
            raise FailedPreconditionError(
                f"return {return_id}: declared beyond repair already, to be made good by {record.unrepairable}",
                code="NO_REPAIR_PENDING",
            )
        if record.status not in (ReturnStatus.INSPECTED, ReturnStatus.RESOLVED):
            raise InvalidTransitionError(
                f"return {return_id} is {record.status.value}: repairs follow inspection",
                current=record.status.value,
                requested="declare_beyond_repair",
            )
        if not record.awaiting_repair:
            raise FailedPreconditionError(
                f"return {return_id} has nothing at repair (its repairs went back already, or none was asked for)",
                code="NO_REPAIR_PENDING",
            )
        lines = tuple(
            evolve(rl, written_off=rl.received - rl.restocked - rl.repaired) if rl.resolution is Resolution.REPAIR else rl
            for rl in record.lines
        )
        declared = record.with_(
            lines=lines, unrepairable=resolution.value, unrepairable_reason=reason, unrepairable_at_ms=now_ms
        )
        return self._next(now_ms=now_ms, returns=self._with_return(declared), add=(STEP_UNREPAIRABLE + return_id,))

    def record_unrepairable(
        self,
        return_id: str,
        *,
        refunds: tuple[RefundPart, ...],
        store_credit: int,
        credit_notes: tuple[str, ...],
        replacement_order_id: str,
        now_ms: int,
    ) -> Order:
        """Units beyond repair made good: their money (added to the return's own) or the order
        sending new ones."""
        record = self.return_(return_id)
        assert record is not None and record.unrepairable
        by_line = self._refunded_by_line(record, refunds, unrepairable=True)
        done = record.with_(
            lines=tuple(evolve(rl, refunded=rl.refunded + by_line.get(rl.line_number, 0)) for rl in record.lines),
            refunds=record.refunds + refunds,
            store_credit=record.store_credit + store_credit,
            credit_notes=record.credit_notes + credit_notes,
            repair_replacement_order_id=replacement_order_id,
            unrepairable_resolved_at_ms=now_ms,
        )
        return self._next(
            now_ms=now_ms, returns=self._with_return(done), drop=(STEP_UNREPAIRABLE + return_id,), **self._refunded(refunds)
        )

    def refund_plan(self, return_id: str, *, unrepairable: bool = False) -> list[RefundPart]:
        """Where the money of a return's refund lines goes back: the captures of the shipments that
        carried them, newest first, never more than those captures still hold. ``unrepairable``:
        of its units found beyond repair instead (``ReturnRecord.money_lines``)."""
        record = self.return_(return_id)
        assert record is not None
        left = {(s.shipment_id, c.payment_id): c.refundable for s in self.shipments for c in s.captures}
        plan: list[RefundPart] = []
        for rl, resolution, units in record.money_lines(unrepairable=unrepairable):
            if resolution is not Resolution.REFUND:
                continue
            owed = self._worth(rl, units, unrepairable=unrepairable)
            for shipment in self._shipments_for(record):
                if not shipment.quantity_of(rl.line_number):
                    continue
                # A shipment can give back at most what its units of this line cost.
                cap = self.line(rl.line_number).unit_price.amount_minor * shipment.quantity_of(rl.line_number)
                for capture in shipment.captures:
                    if owed <= 0 or cap <= 0:
                        break
                    take = min(owed, cap, left[(shipment.shipment_id, capture.payment_id)])
                    if take > 0:
                        plan.append(_refund_part(shipment, capture, take, line_number=rl.line_number))
                        left[(shipment.shipment_id, capture.payment_id)] -= take
                        owed -= take
                        cap -= take
        if not unrepairable and self._returned_in_full(return_id):
            # The customer withdrew from the whole order: its delivery charge goes back too,
            # from the captures of the shipment that carried it (EU consumer law asks this).
            owed = self.shipping_owed
            for shipment in self.shipments:
                for capture in shipment.captures if shipment.shipping else ():
                    take = min(owed, left[(shipment.shipment_id, capture.payment_id)])
                    if take > 0:
                        plan.append(_refund_part(shipment, capture, take, charge=SHIPPING_CHARGE))
                        owed -= take
        return plan

    # -- personal data --------------------------------------------------------------

    def erase_personal_data(self, *, now_ms: int) -> Order:
        """The customer's right to erasure, once the order is over (closed, cancelled, rejected:
        nothing left to deliver, return or refund): who it went to and where, card tokens and
        free text people wrote leave the order; what it was, what it cost and which invoices
        bill it stay (tax law keeps them), under the customer's id. Erased already: no change."""
        if self.erased_at_ms:
            return self
        if self.is_open or self.pending:
            raise FailedPreconditionError(
                f"order {self.order_id} is {self.status.value}: its data is needed until it is over", code="ORDER_OPEN"
            )
        country = self.ship_to.country_code if self.ship_to is not None else ""
        return self._next(
            now_ms=now_ms,
            erased_at_ms=now_ms,
            ship_to=Address(country_code=country) if self.ship_to is not None else None,
            payments=tuple(evolve(p, token="") for p in self.payments),
            payment_records=tuple(p.with_(token="") for p in self.payment_records),
            notes=tuple(evolve(n, text="") for n in self.notes),
            returns=tuple(
                evolve(
                    r,
                    lines=tuple(evolve(rl, reason="") for rl in r.lines),
                    unrepairable_reason="",
                    cancel_reason="",
                    ship_to=Address(country_code=r.ship_to.country_code) if r.ship_to is not None else None,
                )
                for r in self.returns
            ),
            appeasements=tuple(evolve(a, reason="") for a in self.appeasements),
            cancel_reason="",
        )

    # -- notes --------------------------------------------------------------------

    def add_note(self, *, note_id: str, text: str, internal: bool, by: str, now_ms: int) -> Order:
        """A note on the order, in any status (a closed order's customer still calls)."""
        existing = next((n for n in self.notes if n.note_id == note_id), None)
        if existing is not None:
            if (existing.text, existing.internal) == (text, internal):
                return self
            raise FailedPreconditionError(f"note {note_id} was written with another text", code="NOTE_ID_REUSED")
        if len(self.notes) >= MAX_NOTES:
            raise FailedPreconditionError(f"order {self.order_id} has {MAX_NOTES} notes already", code="TOO_MANY_NOTES")
        note = OrderNote(note_id=note_id, text=text, by=by, at_ms=now_ms, internal=internal)
        return self._next(now_ms=now_ms, notes=self.notes + (note,))

    # -- goodwill -----------------------------------------------------------------

    def appeasement(self, appeasement_id: str) -> Appeasement | None:
        return next((a for a in self.appeasements if a.appeasement_id == appeasement_id), None)

    @property
    def compensable(self) -> int:
        """What may still be given back as goodwill: what was captured less what refunds and
        store credit gave back already, or will (goodwill under way)."""
        captured = sum(c.amount for s in self.shipments for c in s.captures)
        refunded = sum(c.refunded for s in self.shipments for c in s.captures)
        credited = sum(r.store_credit for r in self.returns) + sum(a.store_credit for a in self.appeasements)
        under_way = sum(a.amount for a in self.appeasements if not a.resolved)
        return captured - refunded - credited - under_way

    def appease(
        self, *, appeasement_id: str, amount: int, reason: str, resolution: Resolution, by: str, now_ms: int
    ) -> Order:
        """Goodwill: ``amount`` back to the customer without a return, to the captures it came
        from (``REFUND``) or as store credit, no more than it paid and has not had back."""
        existing = self.appeasement(appeasement_id)
        if existing is not None:
            if (existing.amount, existing.reason, existing.resolution) == (amount, reason, resolution):
                return self  # a retry
            raise FailedPreconditionError(
                f"goodwill {appeasement_id} was granted with other terms", code="GOODWILL_ID_REUSED"
            )
        # (Held for review after a first shipment: what shipped was paid for all the same.)
        if self.status not in APPEASABLE and not (self.status is OrderStatus.ON_HOLD and self.shipments):
            raise InvalidTransitionError(
                f"order {self.order_id} is {self.status.value}: goodwill is for what the customer paid for",
                current=self.status.value,
                requested="appease",
            )
        if resolution not in (Resolution.REFUND, Resolution.STORE_CREDIT):
            raise ValueError(f"goodwill is refunded or credited, not {resolution.value}")
        if not 0 < amount <= self.compensable:
            raise FailedPreconditionError(
                f"order {self.order_id}: {amount} is more than the {max(0, self.compensable)} it may still give back",
                code="MORE_THAN_PAID",
            )
        record = Appeasement(
            appeasement_id=appeasement_id, amount=amount, reason=reason, resolution=resolution, by=by,
            requested_at_ms=now_ms,
        )  # fmt: skip
        return self._next(now_ms=now_ms, appeasements=self.appeasements + (record,), add=(STEP_APPEASE + appeasement_id,))

    def appeasement_plan(self, appeasement_id: str) -> list[RefundPart]:
        """Where goodwill's money comes from: the captures of the newest shipments first, never
        more than they still hold. For store credit the same split says which invoices it credits."""
        record = self.appeasement(appeasement_id)
        assert record is not None
        owed = record.amount
        credited: dict[str, int] = {}  # by returns' store credit, on each shipment's invoice
        for r in self.returns:
            for unrepairable in (False, True):
                if r.unrepairable_resolved_at_ms if unrepairable else r.resolved:
                    for sid, by_line in self.store_credit_by_shipment(r.return_id, unrepairable=unrepairable).items():
                        credited[sid] = credited.get(sid, 0) + sum(by_line.values())
        plan: list[RefundPart] = []
        for shipment in self._newest_shipments():
            # An invoice's credit notes never exceed it: what store credit took off it is not there to give.
            room = sum(c.refundable for c in shipment.captures) - credited.get(shipment.shipment_id, 0)
            for capture in shipment.captures:
                take = min(owed, capture.refundable, room)
                if take > 0:
                    room -= take
                    plan.append(_refund_part(shipment, capture, take, charge=GOODWILL))
                    owed -= take
        return plan

    def record_appeasement(
        self, appeasement_id: str, *, refunds: tuple[RefundPart, ...], store_credit: int, credit_notes: tuple[str, ...], now_ms: int
    ) -> Order:
        record = self.appeasement(appeasement_id)
        assert record is not None
        done = evolve(record, refunds=refunds, store_credit=store_credit, credit_notes=credit_notes, resolved_at_ms=now_ms)
        return self._next(
            now_ms=now_ms,
            appeasements=tuple(done if a.appeasement_id == appeasement_id else a for a in self.appeasements),
            drop=(STEP_APPEASE + appeasement_id,),
            **self._refunded(refunds),
        )

    def _returned_in_full(self, return_id: str) -> bool:
        """Whether this return brings back, for a refund, the last of everything the order
        shipped, with nothing left to ship and the delivery charge not yet given back."""
        if self.shipping is None or not self.shipments or self.unshipped:
            return False
        back: dict[int, int] = {}
        for r in self.returns:
            if any(p.charge == SHIPPING_CHARGE for p in r.refunds):
                return False
            if r.return_id == return_id or r.resolved or r.status is ReturnStatus.INSPECTED:
                for rl in r.lines:
                    if rl.resolution is Resolution.REFUND:
                        back[rl.line_number] = back.get(rl.line_number, 0) + rl.received
        return all(back.get(line.line_number, 0) >= line.shipped_quantity for line in self.lines)

    def store_credit_by_shipment(self, return_id: str, *, unrepairable: bool = False) -> dict[str, dict[int, int]]:
        """A return's store credit by line, attributed to the newest shipments that carried each
        credited line: what its credit notes credit on each shipment's invoice. ``unrepairable``:
        of its units found beyond repair instead."""
        record = self.return_(return_id)
        assert record is not None
        out: dict[str, dict[int, int]] = {}
        for rl, resolution, units in record.money_lines(unrepairable=unrepairable):
            if resolution is not Resolution.STORE_CREDIT:
                continue
            left = units
            price = self.line(rl.line_number).unit_price.amount_minor
            worth = self._worth(rl, units, unrepairable=unrepairable)  # (less a deduction: the older invoices credit less)
            for shipment in self._shipments_for(record):
                take = min(left, shipment.quantity_of(rl.line_number))
                if take:
                    amount = min(take * price, worth)
                    by_line = out.setdefault(shipment.shipment_id, {})
                    by_line[rl.line_number] = by_line.get(rl.line_number, 0) + amount
                    left -= take
                    worth -= amount
        return out

    def store_credit_due(self, return_id: str, *, unrepairable: bool = False) -> int:
        record = self.return_(return_id)
        assert record is not None
        return sum(
            self._worth(rl, units, unrepairable=unrepairable)
            for rl, resolution, units in record.money_lines(unrepairable=unrepairable)
            if resolution is Resolution.STORE_CREDIT
        )

    def unit_prices(self, record: ReturnRecord) -> dict[int, int]:
        """line number -> unit price (minor units), of the lines of ``record``."""
        return {rl.line_number: self.line(rl.line_number).unit_price.amount_minor for rl in record.lines}

    def _worth(self, rl: ReturnLine, units: int, *, unrepairable: bool) -> int:
        """What a return line's units give back: their price, less the restocking fee and what
        inspection kept for their loss of value (units beyond repair are made good in full)."""
        price = self.line(rl.line_number).unit_price.amount_minor * units
        return price if unrepairable else price - rl.restocking_fee(price) - rl.deducted

    def record_resolution(
        self,
        return_id: str,
        *,
        refunds: tuple[RefundPart, ...],
        store_credit: int,
        credit_notes: tuple[str, ...],
        replacement_order_id: str,
        now_ms: int,
    ) -> Order:
        record = self._return_step(return_id, ReturnAction.RESOLVE)
        refunded_by_line = self._refunded_by_line(record, refunds)
        lines = tuple(evolve(rl, refunded=refunded_by_line.get(rl.line_number, 0)) for rl in record.lines)
        resolved = record.with_(
            # Resolved on receipt, before inspection: received it stays until inspected.
            status=ReturnStatus.RESOLVED if record.status is ReturnStatus.INSPECTED else record.status,
            lines=lines,
            refunds=refunds,
            store_credit=store_credit,
            credit_notes=credit_notes,
            replacement_order_id=replacement_order_id,
            resolved_at_ms=now_ms,
        )
        return self._next(
            now_ms=now_ms, returns=self._with_return(resolved), drop=(STEP_RESOLVE + return_id,), **self._refunded(refunds)
        )

    def _newest_shipments(self) -> list[Shipment]:
        """Money given back comes from the newest shipments first (refunds, store credit, goodwill)."""
        return sorted(self.shipments, key=lambda s: s.shipped_at_ms, reverse=True)

    def _shipments_for(self, record: ReturnRecord) -> list[Shipment]:
        """Where a return's money comes from: a parcel that came back, from its own shipment's
        captures and invoice first; the customer's return, from the newest shipments first."""
        newest = self._newest_shipments()
        if not record.shipment_id:
            return newest
        return sorted(newest, key=lambda s: s.shipment_id != record.shipment_id)  # (stable: newest after it)

    def _refunded(self, refunds: tuple[RefundPart, ...]) -> dict[str, Any]:
        """The shipments' captures and the payments with these refunds counted."""
        given: dict[tuple[str, str], int] = {}
        by_payment: dict[str, int] = {}
        for part in refunds:
            given[(part.shipment_id, part.payment_id)] = given.get((part.shipment_id, part.payment_id), 0) + part.amount
            by_payment[part.payment_id] = by_payment.get(part.payment_id, 0) + part.amount
        return {
            "shipments": tuple(
                evolve(
                    s,
                    captures=tuple(
                        evolve(c, refunded=c.refunded + given.get((s.shipment_id, c.payment_id), 0)) for c in s.captures
                    ),
                )
                for s in self.shipments
            ),
            "payment_records": tuple(p.with_(refunded=p.refunded + by_payment.get(p.payment_id, 0)) for p in self.payment_records),
        }

    def _refunded_by_line(
        self, record: ReturnRecord, refunds: tuple[RefundPart, ...], *, unrepairable: bool = False
    ) -> dict[int, int]:
        """Refunds were planned line by line in order; attribute them back the same way (a
        charge given back belongs to no line)."""
        total = sum(p.amount for p in refunds if not p.charge)
        out: dict[int, int] = {}
        for rl, resolution, units in record.money_lines(unrepairable=unrepairable):
            if resolution is Resolution.REFUND:
                owed = self._worth(rl, units, unrepairable=unrepairable)
                out[rl.line_number] = min(owed, total)
                total -= out[rl.line_number]
            elif resolution is Resolution.STORE_CREDIT:
                out[rl.line_number] = self._worth(rl, units, unrepairable=unrepairable)
        return out


def shipment_returned(order_id: str, shipment: Shipment) -> FailedPreconditionError:
    if shipment.status is ShipmentStatus.LOST:
        return FailedPreconditionError(f"shipment {shipment.shipment_id} of order {order_id} was lost", code="SHIPMENT_LOST")
    return FailedPreconditionError(
        f"shipment {shipment.shipment_id} of order {order_id} came back undelivered ({shipment.undelivered_reason})",
        code="SHIPMENT_RETURNED",
    )


def _refund_part(shipment: Shipment, capture: ShipmentCapture, amount: int, *, line_number: int = 0, charge: str = "") -> RefundPart:
    """Money given back from one capture of a shipment, for a line or a charge."""
    return RefundPart(
        shipment_id=shipment.shipment_id, payment_id=capture.payment_id, capture_id=capture.capture_id,
        amount=amount, line_number=line_number, charge=charge,
    )  # fmt: skip


def _without_units(line: OrderLine, drop: int) -> OrderLine:
    """The line with ``drop`` more units cancelled: off its promised supply first, then off
    what no location was asked to ship, then called back from locations."""
    allocations = {a.location_id: a.quantity for a in line.allocations}
    released = {a.location_id: a.quantity for a in line.released}
    shipped = {a.location_id: a.quantity for a in line.shipped}
    left = drop - max(0, line.active - line.allocated_quantity)  # units held nowhere go first
    promised = sorted(loc for loc in allocations if PROMISE_SEP in loc)
    held = sorted(loc for loc in allocations if PROMISE_SEP not in loc)
    for loc in promised + held:  # units no location was asked to ship
        take = min(left, allocations[loc] - released.get(loc, 0)) if left > 0 else 0
        allocations[loc] -= take
        left -= take
    for loc in reversed(held):  # then units released and not shipped: called back
        take = min(left, released.get(loc, 0) - shipped.get(loc, 0)) if left > 0 else 0
        allocations[loc] -= take
        released[loc] = released.get(loc, 0) - take
        left -= take
    return evolve(
        line,
        cancelled=line.cancelled + drop,
        allocations=tuple(LineAllocation(location_id=loc, quantity=q) for loc, q in allocations.items() if q > 0),
        released=tuple(LineAllocation(location_id=loc, quantity=q) for loc, q in released.items() if q > 0),
    )


def _units_by_location(allocations: Iterable[LineAllocation]) -> dict[str, int]:
    """Units planned to ship from each location now (promised ones ship when they arrive)."""
    units: dict[str, int] = {}
    for a in allocations:
        if a.quantity > 0 and PROMISE_SEP not in a.location_id:
            units[a.location_id] = units.get(a.location_id, 0) + a.quantity
    return units


def _exchange_refusal(sku: str, resolution: Resolution, exchange_sku: str, styles: Mapping[str, str]) -> str | None:
    """Why a returned line cannot be exchanged as asked; None when it can (or is no exchange)."""
    if resolution is not Resolution.EXCHANGE:
        return None
    if exchange_sku not in styles:
        return f"unknown SKU {exchange_sku!r} to exchange for"
    if exchange_sku == sku:
        return "an exchange is for another variant; the same item again is a replacement"
    style = styles.get(sku, "")
    if not style:
        return "this item has no variants to exchange for"
    if styles[exchange_sku] != style:
        return f"{exchange_sku} is not a variant of the same style ({style})"
    return None
