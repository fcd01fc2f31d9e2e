"""The order aggregate and its state machine: pure values, no Ray, no Redis.

An ``Order`` is immutable; every transition returns a new version with
``version`` one higher. The owning shard persists the new version before it
replaces the old one in memory, so what a caller was told is always durable.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Mapping

from oms_actors.domain.commands import Address, CreateOrder, PaymentInstruction
from oms_actors.domain.enums import Channel, DeliveryMode, LineStatus, OrderStatus
from oms_actors.domain.errors import InvalidTransitionError
from oms_actors.domain.money import Money


@dataclass(frozen=True, kw_only=True, slots=True)
class LineAllocation:
    location_id: str
    quantity: int


@dataclass(frozen=True, kw_only=True, slots=True)
class OrderLine:
    line_number: int
    sku: str
    quantity: int
    unit_price: Money
    status: LineStatus = LineStatus.ACCEPTED
    allocations: tuple[LineAllocation, ...] = ()
    shipped: tuple[LineAllocation, ...] = ()  # units that left each location

    def shipped_from(self, location_id: str) -> int:
        return sum(s.quantity for s in self.shipped if s.location_id == location_id)

    @property
    def line_total(self) -> Money:
        return self.unit_price.times(self.quantity)

    @property
    def allocated_quantity(self) -> int:
        return sum(a.quantity for a in self.allocations)

    @property
    def backordered_quantity(self) -> int:
        if self.status is LineStatus.CANCELLED or self.status is LineStatus.ACCEPTED:
            return 0
        return self.quantity - self.allocated_quantity


@dataclass(frozen=True, kw_only=True, slots=True)
class SourcingExplanation:
    """Why the order was sourced so: cost broken down, proof status, the greedy alternative."""

    status: str  # "OPTIMAL" when proven, else "FEASIBLE"
    unit_cost: int
    shipment_cost: int
    unfilled_cost: int
    bound: int
    greedy_cost: int
    solver: str
    shipments: int

    @property
    def cost(self) -> int:
        return self.unit_cost + self.shipment_cost + self.unfilled_cost


@dataclass(frozen=True, kw_only=True, slots=True)
class SourcingResult:
    """What sourcing reserved for one order: per line, the units at each location."""

    order_id: str
    allocations: dict[int, tuple[LineAllocation, ...]]  # line number -> allocations
    explanation: SourcingExplanation | None = None


# Which status may follow which. Anything else is refused and changes nothing.
TRANSITIONS: Mapping[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.ACCEPTED: frozenset(
        {OrderStatus.ALLOCATED, OrderStatus.PARTLY_BACKORDERED, OrderStatus.BACKORDERED, OrderStatus.CANCELLED}
    ),
    # Backorders are sourced again when stock arrives.
    OrderStatus.PARTLY_BACKORDERED: frozenset(
        {OrderStatus.ALLOCATED, OrderStatus.PARTLY_BACKORDERED, OrderStatus.CANCELLED}
    ),
    OrderStatus.BACKORDERED: frozenset(
        {OrderStatus.ALLOCATED, OrderStatus.PARTLY_BACKORDERED, OrderStatus.BACKORDERED, OrderStatus.CANCELLED}
    ),
    OrderStatus.ALLOCATED: frozenset({OrderStatus.CANCELLED}),
    OrderStatus.CANCELLED: frozenset(),
}

OPEN_STATUSES = frozenset(s for s, nxt in TRANSITIONS.items() if nxt)


@dataclass(frozen=True, kw_only=True, slots=True)
class Order:
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
    sourcing: SourcingExplanation | None = None
    cancel_reason: str = ""
    # False while a cancellation still has reservations to give back; the
    # reconciler finishes the release if the shard died half-way.
    reservations_released: bool = True

    @classmethod
    def accept(cls, command: CreateOrder, *, order_id: str, now_ms: int) -> Order:
        return cls(
            order_id=order_id,
            channel=command.channel,
            customer_id=command.customer_id,
            idempotency_key=command.idempotency_key,
            content_hash=command.content_hash(),
            lines=tuple(
                OrderLine(line_number=i, sku=line.sku, quantity=line.quantity, unit_price=line.unit_price)
                for i, line in enumerate(command.lines, start=1)
            ),
            delivery_mode=command.delivery_mode,
            ship_to=command.ship_to,
            pickup_location_id=command.pickup_location_id,
            payments=command.payments,
            external_reference=command.external_reference,
            created_at_ms=now_ms,
            updated_at_ms=now_ms,
        )

    @property
    def currency(self) -> str:
        return self.lines[0].unit_price.currency

    @property
    def total(self) -> Money:
        total = Money.zero(self.currency)
        for line in self.lines:
            total = total + line.line_total
        return total

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def line(self, line_number: int) -> OrderLine:
        return self.lines[line_number - 1]

    def allocated_units(self) -> dict[tuple[str, str], int]:
        """(location, sku) -> units this order holds reserved."""
        held: dict[tuple[str, str], int] = {}
        for line in self.lines:
            for a in line.allocations:
                held[(a.location_id, line.sku)] = held.get((a.location_id, line.sku), 0) + a.quantity
        return held

    def _to(self, status: OrderStatus, *, now_ms: int, **changes: object) -> Order:
        if status not in TRANSITIONS[self.status]:
            raise InvalidTransitionError(
                f"order {self.order_id} is {self.status.value}; it cannot become {status.value}",
                current=self.status.value,
                requested=status.value,
            )
        return dataclasses.replace(
            self, status=status, version=self.version + 1, updated_at_ms=max(now_ms, self.updated_at_ms), **changes
        )

    def apply_sourcing(self, result: SourcingResult, *, now_ms: int) -> Order:
        """Records what was reserved; the order and each line say what is still backordered."""
        lines = []
        for line in self.lines:
            allocations = tuple(a for a in result.allocations.get(line.line_number, ()) if a.quantity > 0)
            allocated = sum(a.quantity for a in allocations)
            if allocated > line.quantity:
                raise ValueError(f"line {line.line_number} allocated {allocated} > ordered {line.quantity}")
            if allocated == line.quantity:
                status = LineStatus.ALLOCATED
            elif allocated:
                status = LineStatus.PARTLY_BACKORDERED
            else:
                status = LineStatus.BACKORDERED
            lines.append(dataclasses.replace(line, status=status, allocations=allocations))
        statuses = {line.status for line in lines}
        if statuses == {LineStatus.ALLOCATED}:
            order_status = OrderStatus.ALLOCATED
        elif statuses == {LineStatus.BACKORDERED}:
            order_status = OrderStatus.BACKORDERED
        else:
            order_status = OrderStatus.PARTLY_BACKORDERED
        return self._to(order_status, now_ms=now_ms, lines=tuple(lines), sourcing=result.explanation)

    def cancel(self, *, reason: str, now_ms: int) -> Order:
        lines = tuple(dataclasses.replace(line, status=LineStatus.CANCELLED) for line in self.lines)
        return self._to(
            OrderStatus.CANCELLED,
            now_ms=now_ms,
            lines=lines,
            cancel_reason=reason,
            # Even an order with no recorded allocation may hold units a crashed
            # sourcing step reserved; releasing by order id is harmless if none.
            reservations_released=False,
        )

    def mark_released(self, *, now_ms: int) -> Order:
        return dataclasses.replace(
            self, reservations_released=True, version=self.version + 1, updated_at_ms=max(now_ms, self.updated_at_ms)
        )
