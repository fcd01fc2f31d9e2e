"""A line reduced to fewer units over gRPC: stock given back, the location asked for less, the customer charged less."""

from __future__ import annotations

import grpc
import pytest

from protos.oms.v1 import orders_pb2
from tests.integration.support import World, eur
from tests.integration.test_lifecycle import card, ship_everything
from tests.integration.waiting import settled
from tests.security.kit import refusal

pytestmark = pytest.mark.integration


def reduce(order_id: str, **targets: int) -> orders_pb2.CancelOrderLinesRequest:
    return orders_pb2.CancelOrderLinesRequest(
        order_id=order_id, reason="customer wants fewer",
        reduce_to=[orders_pb2.LineQuantity(line_number=int(n.removeprefix("line")), quantity=q) for n, q in targets.items()],
    )  # fmt: skip


async def test_a_line_reduced_gives_stock_back_and_ships_and_charges_only_what_is_left(world: World):
    sku = await world.sku({"T-DC-NORTH": 10})
    customer = await world.customer()
    order = await settled(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 3)], price=1_000)))).order.order_id)
    assert order.status == orders_pb2.ORDER_STATUS_RELEASED and await world.reserved(sku) == 3

    code, _, fields = await refusal(world.orders.CancelOrderLines(orders_pb2.CancelOrderLinesRequest(order_id=order.order_id)))
    assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, {"line_numbers"})
    code, reason, _ = await refusal(world.orders.CancelOrderLines(reduce(order.order_id, line1=4)))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "CANNOT_REDUCE")

    reduced = await world.orders.CancelOrderLines(reduce(order.order_id, line1=1))
    assert (await world.orders.CancelOrderLines(reduce(order.order_id, line1=1))).version == reduced.version  # a retry
    reduced = await settled(world, order.order_id)
    [line] = reduced.lines
    assert (line.cancelled_quantity, line.released[0].quantity, reduced.payable) == (2, 1, eur(1_000))
    assert await world.reserved(sku) == 1  # two units back on sale
    shipped = await ship_everything(world, reduced)
    assert [s.value for s in shipped.shipments] == [eur(1_000)] and shipped.status == orders_pb2.ORDER_STATUS_SHIPPED
    done = await settled(world, order.order_id)
    assert done.payment_status[0].captured == eur(1_000) and not done.pending_steps  # the rest voided
