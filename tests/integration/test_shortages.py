"""A location short at picking: the units leave its stock and another location ships them."""

from __future__ import annotations

import grpc
import pytest

from gateway.auth import Role
from protos.oms.v1 import customers_pb2, fulfilment_pb2, orders_pb2
from tests.integration.stock_audit import audit_differences
from tests.integration.support import World
from tests.integration.test_billing import as_role
from tests.integration.test_lifecycle import card, fulfilment, ship_everything
from tests.integration.waiting import settled
from tests.security.kit import refusal

pytestmark = pytest.mark.integration

DCS = ("T-DC-NORTH", "T-DC-SOUTH")


def released_at(order: orders_pb2.Order) -> dict[str, int]:
    return {r.location_id: r.quantity for r in order.lines[0].released if r.quantity}


async def test_units_a_location_cannot_ship_leave_its_stock_and_another_location_ships_them(world: World, oms):
    sku = await world.sku({dc: 3 for dc in DCS})
    customer = await world.customer()
    placed = await world.orders.CreateOrder(card(world.order(customer, [(sku, 2)])))
    order = await settled(world, placed.order.order_id)
    assert order.status == orders_pb2.ORDER_STATUS_RELEASED
    [(short_at, units)] = released_at(order).items()
    other = next(dc for dc in DCS if dc != short_at)
    assert units == 2

    # The location's own key reports it; another location's key does not see the order at all.
    _, own_key = await oms.access.keys.create(role=Role.FULFILMENT, by="tests", location_id=short_at)
    _, other_key = await oms.access.keys.create(role=Role.FULFILMENT, by="tests", location_id=other)
    here = await World.open(f"127.0.0.1:{oms.port}", credential=own_key)
    there = await World.open(f"127.0.0.1:{oms.port}", credential=other_key)
    report = fulfilment_pb2.ReportShortageRequest(
        order_id=order.order_id, location_id=short_at, shortage_id=World.unique("short"),
        lines=[orders_pb2.ShipmentLine(line_number=1, quantity=2)], reason=fulfilment_pb2.SHORTAGE_REASON_MISSING,
    )  # fmt: skip
    misplaced = fulfilment_pb2.ReportShortageRequest()
    misplaced.CopyFrom(report)
    misplaced.location_id = other
    code, _, _ = await refusal(fulfilment(there).ReportShortage(misplaced))
    assert code == grpc.StatusCode.NOT_FOUND
    over = fulfilment_pb2.ReportShortageRequest()
    over.CopyFrom(report)
    over.lines[0].quantity = 3
    code, reason, _ = await refusal(fulfilment(here).ReportShortage(over))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "NOT_RELEASED_HERE")
    unchanged = await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id))
    assert unchanged.version == order.version and await world.available(sku) == {
        dc: (3, 2 if dc == short_at else 0) for dc in DCS
    }

    answered = await fulfilment(here).ReportShortage(report)
    # Sourced again before the answer: the other location ships both units.
    assert released_at(answered) == {other: 2} and answered.status == orders_pb2.ORDER_STATUS_RELEASED
    [shortage] = answered.shortages
    assert (shortage.location_id, shortage.reason, [(x.line_number, x.quantity) for x in shortage.lines]) == (
        short_at, "missing", [(1, 2)]
    )  # fmt: skip
    # The missing units left the location's stock with their reservation; the other holds them now.
    assert await world.available(sku) == {short_at: (1, 0), other: (3, 2)}
    assert await audit_differences(world) == []
    # The location's system repeats its report: nothing more happens.
    again = await fulfilment(here).ReportShortage(report)
    assert again.version == answered.version and await world.available(sku) == {short_at: (1, 0), other: (3, 2)}
    other_list = await fulfilment(there).ListFulfilmentRequests(fulfilment_pb2.ListFulfilmentRequestsRequest(location_id=other))
    assert order.order_id in {r.order_id for r in other_list.requests}
    view = await world.customers.GetCustomer360(customers_pb2.GetCustomer360Request(customer_id=customer))
    [event] = [e for e in view.timeline if e.type == "fulfilment.shortage"]
    assert (event.data["location_id"], event.data["units"], event.data["reason"]) == (short_at, "2", "missing")


async def test_a_shortage_nothing_else_can_fill_leaves_the_units_backordered(world: World, oms):
    sku = await world.sku({"T-DC-NORTH": 2})
    customer = await world.customer()
    order = await settled(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 2)])))).order.order_id)
    assert released_at(order) == {"T-DC-NORTH": 2}
    finance = await as_role(oms, Role.FINANCE)  # no fulfilment role: refused before anything is read
    report = fulfilment_pb2.ReportShortageRequest(
        order_id=order.order_id, location_id="T-DC-NORTH", shortage_id=World.unique("short"),
        lines=[orders_pb2.ShipmentLine(line_number=1, quantity=1)], reason=fulfilment_pb2.SHORTAGE_REASON_DAMAGED,
    )  # fmt: skip
    code, _, _ = await refusal(fulfilment(finance).ReportShortage(report))
    assert code == grpc.StatusCode.PERMISSION_DENIED
    answered = await fulfilment(world).ReportShortage(report)
    assert released_at(answered) == {"T-DC-NORTH": 1}
    assert answered.status == orders_pb2.ORDER_STATUS_PARTLY_BACKORDERED
    assert answered.lines[0].backordered_quantity == 1
    assert await world.available(sku) == {"T-DC-NORTH": (1, 1)}
    assert await audit_differences(world) == []


async def test_units_a_location_declines_stay_in_its_stock_and_the_order_is_never_sent_there_again(world: World):
    sku = await world.sku({dc: 3 for dc in DCS})
    customer = await world.customer()
    order = await settled(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 2)])))).order.order_id)
    [(first, units)] = released_at(order).items()
    second = next(dc for dc in DCS if dc != first)

    def decline(at: str) -> fulfilment_pb2.ReportShortageRequest:
        return fulfilment_pb2.ReportShortageRequest(
            order_id=order.order_id, location_id=at, shortage_id=World.unique("declined"),
            lines=[orders_pb2.ShipmentLine(line_number=1, quantity=2)], reason=fulfilment_pb2.SHORTAGE_REASON_DECLINED,
        )  # fmt: skip

    answered = await fulfilment(world).ReportShortage(decline(first))
    # Sourced again at once, at the other location; the declined units are free stock again.
    assert released_at(answered) == {second: 2} and answered.status == orders_pb2.ORDER_STATUS_RELEASED
    assert answered.shortages[0].reason == "declined"
    assert await world.available(sku) == {first: (3, 0), second: (3, 2)}
    first_list = await fulfilment(world).ListFulfilmentRequests(fulfilment_pb2.ListFulfilmentRequestsRequest(location_id=first))
    assert order.order_id not in {r.order_id for r in first_list.requests}
    # The second declines too: the order waits for stock rather than go back to the first.
    waiting = await fulfilment(world).ReportShortage(decline(second))
    assert released_at(waiting) == {} and waiting.lines[0].backordered_quantity == 2
    assert waiting.status == orders_pb2.ORDER_STATUS_BACKORDERED
    assert await world.available(sku) == {first: (3, 0), second: (3, 0)}
    assert await audit_differences(world) == []
    view = await world.customers.GetCustomer360(customers_pb2.GetCustomer360Request(customer_id=customer))
    assert [e.data["reason"] for e in view.timeline if e.type == "fulfilment.shortage"] == ["declined", "declined"]


async def test_units_waiting_for_stock_too_long_are_cancelled_and_an_order_with_nothing_else_is_voided(world: World, oms):
    scarce, none = await world.sku({"T-DC-NORTH": 1}), await world.sku({})
    customer = await world.customer()
    part = await settled(
        world, (await world.orders.CreateOrder(card(world.order(customer, [(scarce, 3)], price=1_000)))).order.order_id
    )
    assert part.status == orders_pb2.ORDER_STATUS_PARTLY_BACKORDERED and part.lines[0].backordered_quantity == 2
    whole = await settled(
        world, (await world.orders.CreateOrder(card(world.order(customer, [(none, 2)], price=1_000)))).order.order_id
    )
    assert whole.status == orders_pb2.ORDER_STATUS_BACKORDERED
    shards = {oms.backend.orders.shard(o.order_id) for o in (part, whole)}

    async def give_up(after_ms: int) -> int:
        return sum(
            [await oms.actors.orders[s].cancel_stale_backorders.remote(after_ms=after_ms, skus=[scarce, none]) for s in shards]
        )

    assert await give_up(86_400_000) == 0  # placed seconds ago: they wait
    assert await give_up(0) == 2
    part, whole = await settled(world, part.order_id), await settled(world, whole.order_id)
    # The unit held stays, released to its location; the two waiting are cancelled, their money with them.
    assert (part.status, part.lines[0].cancelled_quantity) == (orders_pb2.ORDER_STATUS_RELEASED, 2)
    assert [r.quantity for r in part.lines[0].released] == [1]
    shipped = await ship_everything(world, part)
    assert shipped.payment_status[0].captured.amount_minor == 1_000  # the unit that went, nothing for those given up
    assert shipped.payment_status[0].status == orders_pb2.PAYMENT_STATUS_CAPTURED
    assert whole.status == orders_pb2.ORDER_STATUS_CANCELLED and whole.cancel_reason == "backorder expired"
    assert whole.payment_status[0].status == orders_pb2.PAYMENT_STATUS_VOIDED
    assert await world.available(scarce) == {"T-DC-NORTH": (0, 0)}  # the unit held has shipped
    assert await audit_differences(world) == []
    assert await give_up(0) == 0  # nothing waits any more
