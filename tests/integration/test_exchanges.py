"""Exchanges: a returned item swapped for another variant of its style, over gRPC."""

from __future__ import annotations

import grpc
import pytest

from protos.oms.v1 import common_pb2, inventory_pb2, orders_pb2, returns_pb2
from tests.integration.support import World, eur, field_violations, precondition_violations
from tests.integration.test_lifecycle import card
from tests.integration.test_returns_and_360 import delivered, returns
from tests.integration.waiting import settled

pytestmark = pytest.mark.integration

EXCHANGE = orders_pb2.RETURN_RESOLUTION_EXCHANGE


def exchange(order_id: str, return_id: str, exchange_sku: str, *, line: int = 1, resolution: int = EXCHANGE):
    return returns_pb2.RequestReturnRequest(
        order_id=order_id, return_id=return_id, channel=common_pb2.CHANNEL_STORE,
        lines=[returns_pb2.ReturnLineRequest(line_number=line, quantity=1, reason="too small",
                                             resolution=resolution, exchange_sku=exchange_sku)],
    )  # fmt: skip


async def test_a_returned_size_is_exchanged_for_another_of_its_style(world: World):
    style = World.unique("STYLE")
    small = await world.sku({"T-DC-SOUTH": 5}, style=style)
    large = await world.sku({"T-DC-SOUTH": 5}, style=style)
    customer = await world.customer()
    order = await delivered(world, (await world.orders.CreateOrder(card(world.order(customer, [(small, 1)])))).order)
    rma = World.unique("RMA")
    requested = await returns(world).RequestReturn(exchange(order.order_id, rma, large))
    assert requested.returns[0].lines[0].exchange_sku == large
    assert requested.returns[0].lines[0].resolution == EXCHANGE
    # The same request again (a retry) changes nothing.
    again = await returns(world).RequestReturn(exchange(order.order_id, rma, large))
    assert again.version == requested.version
    await returns(world).ReceiveReturn(
        returns_pb2.ReceiveReturnRequest(
            order_id=order.order_id, return_id=rma, location_id="T-DC-SOUTH",
            lines=[orders_pb2.ShipmentLine(line_number=1, quantity=1)],
        )
    )  # fmt: skip
    await returns(world).InspectReturn(returns_pb2.InspectReturnRequest(order_id=order.order_id, return_id=rma))

    done = await settled(world, order.order_id)
    [ret] = done.returns
    assert ret.status == orders_pb2.RETURN_STATUS_RESOLVED and ret.replacement_order_id
    assert ret.refunded == eur(0) and ret.store_credit == eur(0) and not ret.credit_notes
    assert sum(p.refunded.amount_minor for p in done.payment_status) == 0
    sent = await settled(world, ret.replacement_order_id)
    assert sent.customer_id == customer and sent.total == eur(0)
    assert sent.status == orders_pb2.ORDER_STATUS_RELEASED
    assert [(line.sku, line.quantity) for line in sent.lines] == [(large, 1)]
    # The small one is back on the shelf; the large one is held for the exchange.
    assert (await world.available(small))["T-DC-SOUTH"] == (5, 0)
    assert (await world.available(large))["T-DC-SOUTH"] == (5, 1)


async def test_exchanges_outside_the_style_or_badly_asked_are_refused_and_change_nothing(world: World):
    style = World.unique("STYLE")
    small = await world.sku({"T-DC-WEST": 5}, style=style)
    large = await world.sku({"T-DC-WEST": 5}, style=style)
    other = await world.sku({"T-DC-WEST": 5}, style=World.unique("STYLE"))
    plain = await world.sku({"T-DC-WEST": 5})  # no style: no variants
    customer = await world.customer()
    order = await delivered(
        world, (await world.orders.CreateOrder(card(world.order(customer, [(small, 1), (plain, 1)])))).order
    )

    bad_input = [
        (exchange(order.order_id, World.unique("RMA"), ""), "lines[0].exchange_sku"),  # which variant?
        (exchange(order.order_id, World.unique("RMA"), large, resolution=orders_pb2.RETURN_RESOLUTION_REFUND),
         "lines[0].exchange_sku"),  # only exchanges name one
        (exchange(order.order_id, World.unique("RMA"), "NO-SUCH-SKU"), "lines[0].exchange_sku"),
    ]  # fmt: skip
    for request, field in bad_input:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await returns(world).RequestReturn(request)
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert field in field_violations(info.value)

    against_the_rules = [
        (exchange(order.order_id, World.unique("RMA"), other), "lines[0]", f"{other} is not a variant of the same style"),
        (exchange(order.order_id, World.unique("RMA"), small), "lines[0]", "the same item again is a replacement"),
        (exchange(order.order_id, World.unique("RMA"), large, line=2), "lines[1]", "has no variants"),
    ]
    for request, subject, words in against_the_rules:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await returns(world).RequestReturn(request)
        assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert words in precondition_violations(info.value)[subject]
    unchanged = await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id))
    assert not unchanged.returns

    # An accepted exchange's id asked again for another variant is another request.
    rma = World.unique("RMA")
    await returns(world).RequestReturn(exchange(order.order_id, rma, large))
    third = await world.sku({}, style=style)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await returns(world).RequestReturn(exchange(order.order_id, rma, third))
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    [ret] = (await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id))).returns
    assert ret.lines[0].exchange_sku == large


def exchange_of(order_id: str, return_id: str, exchange_sku: str, quantity: int) -> returns_pb2.RequestReturnRequest:
    request = exchange(order_id, return_id, exchange_sku)
    request.lines[0].quantity = quantity
    return request


async def exchange_asked(world: World, *, bought: int, large_units: int, asked: int) -> tuple[orders_pb2.Order, str, str]:
    """A delivered order of ``bought`` small shirts, ``asked`` of them to be exchanged for the
    large size (``large_units`` in stock): the order, the return id and the large SKU."""
    style = World.unique("STYLE")
    small = await world.sku({"T-DC-SOUTH": 5}, style=style)
    large = await world.sku({"T-DC-SOUTH": large_units}, style=style)
    order = await delivered(world, (await world.orders.CreateOrder(card(world.order(await world.customer(), [(small, bought)])))).order)
    rma = World.unique("RMA")
    await returns(world).RequestReturn(exchange_of(order.order_id, rma, large, asked))
    return order, rma, large


async def test_the_size_asked_for_is_reserved_when_the_exchange_is_asked_for_and_sent_for_what_came_back(world: World):
    order, rma, large = await exchange_asked(world, bought=2, large_units=2, asked=2)

    [ret] = (await settled(world, order.order_id)).returns
    assert ret.status == orders_pb2.RETURN_STATUS_AUTHORIZED and ret.replacement_order_id  # placed at once
    waiting = await settled(world, ret.replacement_order_id)
    assert waiting.status == orders_pb2.ORDER_STATUS_ON_HOLD and waiting.approval.decided_by == "returns"
    assert list(waiting.approval.reasons) == [f"waits for return {order.order_id}/{rma}"]
    assert [(line.sku, line.quantity) for line in waiting.lines] == [(large, 2)] and not waiting.lines[0].released
    assert (await world.available(large))["T-DC-SOUTH"] == (2, 2)  # both reserved, neither released to ship

    # One of the two comes back: one is sent, the other unit goes back to stock.
    await returns(world).ReceiveReturn(
        returns_pb2.ReceiveReturnRequest(
            order_id=order.order_id, return_id=rma, location_id="T-DC-SOUTH",
            lines=[orders_pb2.ShipmentLine(line_number=1, quantity=1)],
        )
    )  # fmt: skip
    await returns(world).InspectReturn(returns_pb2.InspectReturnRequest(order_id=order.order_id, return_id=rma))
    [ret] = (await settled(world, order.order_id)).returns
    assert ret.status == orders_pb2.RETURN_STATUS_RESOLVED and ret.replacement_order_id == waiting.order_id
    sent = await settled(world, waiting.order_id)
    assert sent.status == orders_pb2.ORDER_STATUS_RELEASED and sent.approval.decided_by == "returns"
    assert [(line.quantity, line.cancelled_quantity) for line in sent.lines] == [(2, 1)]
    assert [(r.location_id, r.quantity) for r in sent.lines[0].released] == [("T-DC-SOUTH", 1)]
    assert (await world.available(large))["T-DC-SOUTH"] == (2, 1)


async def test_an_exchange_whose_return_never_comes_gives_the_size_it_reserved_back(world: World, oms):
    order, _, large = await exchange_asked(world, bought=1, large_units=1, asked=1)
    [ret] = (await settled(world, order.order_id)).returns
    assert (await world.available(large))["T-DC-SOUTH"] == (1, 1)

    shard = oms.actors.orders[oms.backend.orders.shard(order.order_id)]
    assert await shard.expire_returns.remote(arrival_ms=0) >= 1
    [ret] = (await settled(world, order.order_id)).returns
    assert ret.status == orders_pb2.RETURN_STATUS_EXPIRED
    withdrawn = await settled(world, ret.replacement_order_id)
    assert withdrawn.status == orders_pb2.ORDER_STATUS_CANCELLED and "brought nothing back" in withdrawn.cancel_reason
    assert (await world.available(large))["T-DC-SOUTH"] == (1, 0)  # for sale again


async def test_a_cancelled_exchange_gives_the_size_it_reserved_back_and_one_received_cannot_be_cancelled(world: World):
    order, rma, large = await exchange_asked(world, bought=2, large_units=1, asked=1)
    [ret] = (await settled(world, order.order_id)).returns
    assert (await world.available(large))["T-DC-SOUTH"] == (1, 1)

    cancel = returns_pb2.CancelReturnRequest(order_id=order.order_id, return_id=rma)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await returns(world).CancelReturn(cancel)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and field_violations(info.value) == {"reason"}
    cancel.reason = "found one that fits"
    await returns(world).CancelReturn(cancel)
    again = await returns(world).CancelReturn(cancel)  # a retry: no change
    [ret] = (await settled(world, order.order_id)).returns
    assert ret.status == orders_pb2.RETURN_STATUS_CANCELLED and ret.cancel_reason == "found one that fits"
    assert again.version <= (await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id))).version
    withdrawn = await settled(world, ret.replacement_order_id)
    assert withdrawn.status == orders_pb2.ORDER_STATUS_CANCELLED
    assert (await world.available(large))["T-DC-SOUTH"] == (1, 0)

    # Both units may be asked for again; one that came back cannot be cancelled.
    later = World.unique("RMA")
    asked = returns_pb2.RequestReturnRequest(
        order_id=order.order_id, return_id=later, channel=common_pb2.CHANNEL_STORE,
        lines=[returns_pb2.ReturnLineRequest(line_number=1, quantity=2, reason="changed my mind",
                                             resolution=orders_pb2.RETURN_RESOLUTION_REFUND)],
    )  # fmt: skip
    await returns(world).RequestReturn(asked)
    await returns(world).ReceiveReturn(
        returns_pb2.ReceiveReturnRequest(
            order_id=order.order_id, return_id=later, location_id="T-DC-SOUTH",
            lines=[orders_pb2.ShipmentLine(line_number=1, quantity=2)],
        )
    )  # fmt: skip
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await returns(world).CancelReturn(returns_pb2.CancelReturnRequest(order_id=order.order_id, return_id=later, reason="r"))
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_an_exchange_for_a_sold_out_size_is_refused_and_a_retry_of_one_that_took_the_last_unit_is_not(world: World):
    style = World.unique("STYLE")
    small = await world.sku({"T-DC-SOUTH": 5}, style=style)
    gone = await world.sku({"T-DC-SOUTH": 0}, style=style)
    order = await delivered(world, (await world.orders.CreateOrder(card(world.order(await world.customer(), [(small, 1)])))).order)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await returns(world).RequestReturn(exchange(order.order_id, World.unique("RMA"), gone))
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "sold out" in precondition_violations(info.value)["lines[0]"]
    assert not (await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id))).returns

    order, rma, large = await exchange_asked(world, bought=1, large_units=1, asked=1)  # the last large one
    first = await settled(world, order.order_id)
    assert (await world.available(large))["T-DC-SOUTH"] == (1, 1)
    again = await returns(world).RequestReturn(exchange_of(order.order_id, rma, large, 1))
    assert again.version == first.version


async def test_an_exchange_for_a_size_the_channel_may_not_be_sent_from_where_it_lies_is_sold_out_to_it(world: World):
    """The large size lies only where the routing rules keep web orders from taking it: the
    web customer is told it is sold out (as GetAvailability tells the web shop), not left
    waiting on a backordered exchange."""
    style = World.unique("STYLE")
    small = await world.sku({"T-DC-SOUTH": 5}, style=style)
    large = await world.sku({"T-DC-SOUTH": 5}, style=style)
    order = await delivered(world, (await world.orders.CreateOrder(card(world.order(await world.customer(), [(small, 1)])))).order)
    kept = inventory_pb2.EligibilityRule(
        effect=inventory_pb2.RULE_EFFECT_DENY, channels=[common_pb2.CHANNEL_WEB], skus=[large],
        description="the large size is kept for the stores' own customers",
    )  # fmt: skip
    async with world.rules_added(kept):
        web = await world.inventory.GetAvailability(inventory_pb2.GetAvailabilityRequest(skus=[large], channel=common_pb2.CHANNEL_WEB))
        assert web.skus[0].available == 5 and web.skus[0].promisable == 0
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await returns(world).RequestReturn(exchange(order.order_id, World.unique("RMA"), large))
        assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "sold out" in precondition_violations(info.value)["lines[0]"]
        assert not (await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id))).returns
        assert (await world.available(large))["T-DC-SOUTH"] == (5, 0)
