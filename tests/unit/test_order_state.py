"""The order state machine: every allowed transition works, every forbidden one changes nothing."""

from __future__ import annotations

import itertools

import pytest

from oms_actors.domain.commands import Address, CreateOrder, LineInput
from oms_actors.domain.enums import Channel, DeliveryMode, LineStatus, OrderStatus
from oms_actors.domain.errors import InvalidTransitionError
from oms_actors.domain.money import Money
from oms_actors.domain.order import TRANSITIONS, LineAllocation, Order, SourcingResult


def command(**kw) -> CreateOrder:
    base = dict(
        channel=Channel.WEB,
        idempotency_key="k1",
        customer_id="c1",
        lines=(
            LineInput(sku="A", quantity=2, unit_price=Money(amount_minor=1000, currency="EUR")),
            LineInput(sku="B", quantity=1, unit_price=Money(amount_minor=250, currency="EUR")),
        ),
        delivery_mode=DeliveryMode.SHIP,
        ship_to=Address(latitude=52.5, longitude=13.4),
    )
    base.update(kw)
    return CreateOrder(**base)


def accepted() -> Order:
    return Order.accept(command(), order_id="O1", now_ms=1000)


def sourced(alloc_a: int, alloc_b: int) -> Order:
    result = SourcingResult(
        order_id="O1",
        allocations={
            1: (LineAllocation(location_id="DC1", quantity=alloc_a),),
            2: (LineAllocation(location_id="DC2", quantity=alloc_b),),
        },
    )
    return accepted().apply_sourcing(result, now_ms=2000)


def test_accept_totals_in_minor_units():
    order = accepted()
    assert order.total == Money(amount_minor=2250, currency="EUR")
    assert order.status is OrderStatus.ACCEPTED and order.version == 1


@pytest.mark.parametrize(
    ("a", "b", "status", "backordered"),
    [
        (2, 1, OrderStatus.ALLOCATED, [0, 0]),
        (1, 1, OrderStatus.PARTLY_BACKORDERED, [1, 0]),
        (0, 0, OrderStatus.BACKORDERED, [2, 1]),
    ],
)
def test_sourcing_sets_order_and_line_status(a, b, status, backordered):
    order = sourced(a, b)
    assert order.status is status
    assert [line.backordered_quantity for line in order.lines] == backordered
    assert order.version == 2


def test_over_allocation_is_a_bug_not_a_state():
    with pytest.raises(ValueError):
        sourced(3, 1)


def test_cancel_marks_every_line_and_waits_for_release():
    order = sourced(2, 1).cancel(reason="customer asked", now_ms=3000)
    assert order.status is OrderStatus.CANCELLED
    assert {line.status for line in order.lines} == {LineStatus.CANCELLED}
    assert not order.reservations_released
    assert order.mark_released(now_ms=3001).reservations_released


def _order_in(status: OrderStatus) -> Order:
    return {
        OrderStatus.ACCEPTED: accepted(),
        OrderStatus.ALLOCATED: sourced(2, 1),
        OrderStatus.PARTLY_BACKORDERED: sourced(1, 1),
        OrderStatus.BACKORDERED: sourced(0, 0),
        OrderStatus.CANCELLED: sourced(2, 1).cancel(reason="", now_ms=5),
    }[status]


def _attempt(order: Order, target: OrderStatus) -> Order:
    if target is OrderStatus.CANCELLED:
        return order.cancel(reason="x", now_ms=10_000)
    alloc = {OrderStatus.ALLOCATED: (2, 1), OrderStatus.PARTLY_BACKORDERED: (1, 1), OrderStatus.BACKORDERED: (0, 0)}
    a, b = alloc.get(target, (2, 1))
    result = SourcingResult(
        order_id=order.order_id,
        allocations={1: (LineAllocation(location_id="DC1", quantity=a),), 2: (LineAllocation(location_id="DC2", quantity=b),)},
    )
    return order.apply_sourcing(result, now_ms=10_000)


@pytest.mark.parametrize(
    ("current", "target"),
    [(c, t) for c, t in itertools.product(OrderStatus, OrderStatus) if t is not OrderStatus.ACCEPTED],
)
def test_every_transition_is_either_allowed_or_refused_without_change(current, target):
    order = _order_in(current)
    if target in TRANSITIONS[current]:
        after = _attempt(order, target)
        assert after.status is target and after.version == order.version + 1
    else:
        before = order
        with pytest.raises(InvalidTransitionError):
            _attempt(order, target)
        assert order == before


def test_content_hash_tells_retry_from_reuse():
    assert command().content_hash() == command().content_hash()
    other = command(lines=(LineInput(sku="A", quantity=3, unit_price=Money(amount_minor=1000, currency="EUR")),))
    assert other.content_hash() != command().content_hash()
