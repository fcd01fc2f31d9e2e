"""The return policy as data: each channel's window, set by an admin, carried by the orders sold under it."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from oms_actors.store.return_policy import POLICY_TTL_S
from protos.oms.v1 import common_pb2, customers_pb2, orders_pb2, returns_pb2
from tests.integration.support import World, eur, field_violations, precondition_violations
from tests.integration.test_lifecycle import card
from tests.integration.test_returns_and_360 import delivered, returns
from tests.integration.waiting import settled

pytestmark = pytest.mark.integration


def refund(order_id: str) -> returns_pb2.RequestReturnRequest:
    return returns_pb2.RequestReturnRequest(
        order_id=order_id, return_id=World.unique("RMA"), channel=common_pb2.CHANNEL_STORE,
        lines=[returns_pb2.ReturnLineRequest(line_number=1, quantity=1, reason="changed my mind",
                                             resolution=orders_pb2.RETURN_RESOLUTION_REFUND)],
    )  # fmt: skip


async def test_a_channel_without_returns_refuses_them_and_closes_its_orders_while_others_keep_the_default(
    world: World, oms
):
    stub = returns(world)
    before = await stub.GetReturnPolicy(returns_pb2.GetReturnPolicyRequest())
    sku = await world.sku({"T-DC-NORTH": 10})
    customer = await world.customer()
    # Sold under the old terms: a later policy neither shortens nor extends its window.
    sold_before = (
        await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)], channel=common_pb2.CHANNEL_MARKETPLACE)))
    ).order
    assert sold_before.return_window_days == before.window_days
    policy = returns_pb2.ReturnPolicy(
        window_days=30,
        channel_windows=[returns_pb2.ChannelReturnWindow(channel=common_pb2.CHANNEL_MARKETPLACE, window_days=0)],
    )
    try:
        written = await stub.SetReturnPolicy(returns_pb2.SetReturnPolicyRequest(policy=policy, expected_version=before.version))
        assert written.version == before.version + 1
        assert await stub.GetReturnPolicy(returns_pb2.GetReturnPolicyRequest()) == written
        await asyncio.sleep(POLICY_TTL_S + 0.3)  # the shards' copy of the policy

        web = await delivered(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)])))).order)
        market = await delivered(
            world,
            (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)], channel=common_pb2.CHANNEL_MARKETPLACE)))).order,
        )
        # Asked in a store, the marketplace order follows the marketplace's window: none.
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await stub.RequestReturn(refund(market.order_id))
        assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "the return window has closed" in precondition_violations(info.value)["lines[0]"]
        accepted = await stub.RequestReturn(refund(web.order_id))
        assert accepted.returns[0].status == orders_pb2.RETURN_STATUS_AUTHORIZED
        assert (market.return_window_days, web.return_window_days) == (0, 30)
        [shipment] = web.shipments
        assert web.lines[0].return_by.ToMilliseconds() == shipment.delivered_at.ToMilliseconds() + 30 * 86_400_000
        old_terms = await stub.RequestReturn(refund((await delivered(world, sold_before)).order_id))
        assert old_terms.returns[0].status == orders_pb2.RETURN_STATUS_AUTHORIZED and old_terms.return_window_days == 30

        # The closing pass follows the policy too: the marketplace order's window has shut.
        shard = oms.actors.orders[oms.backend.orders.shard(market.order_id)]
        await shard.close_settled.remote()
        got = await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=market.order_id))
        assert got.status == orders_pb2.ORDER_STATUS_CLOSED

        # A stale version or a bad policy changes nothing.
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await stub.SetReturnPolicy(returns_pb2.SetReturnPolicyRequest(policy=policy, expected_version=before.version))
        assert info.value.code() == grpc.StatusCode.ABORTED
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await stub.SetReturnPolicy(returns_pb2.SetReturnPolicyRequest(policy=returns_pb2.ReturnPolicy(window_days=-3)))
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert field_violations(info.value) == {"policy.window_days"}
        assert await stub.GetReturnPolicy(returns_pb2.GetReturnPolicyRequest()) == written
    finally:
        restored = returns_pb2.ReturnPolicy(window_days=before.window_days, channel_windows=before.channel_windows)
        await stub.SetReturnPolicy(returns_pb2.SetReturnPolicyRequest(policy=restored))
        await asyncio.sleep(POLICY_TTL_S + 0.3)


async def test_resolving_on_receipt_pays_back_before_inspection_and_inspection_only_restocks(world: World):
    stub = returns(world)
    before = await stub.GetReturnPolicy(returns_pb2.GetReturnPolicyRequest())
    fast = returns_pb2.ReturnPolicy(window_days=before.window_days, channel_windows=before.channel_windows, resolve_on_receipt=True)
    try:
        await stub.SetReturnPolicy(returns_pb2.SetReturnPolicyRequest(policy=fast))
        await asyncio.sleep(POLICY_TTL_S + 0.3)
        sku = await world.sku({"T-DC-SOUTH": 4})
        customer = await world.customer()
        order = await delivered(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)], price=3_000)))).order)
        ask = refund(order.order_id)
        await stub.RequestReturn(ask)
        await stub.ReceiveReturn(
            returns_pb2.ReceiveReturnRequest(
                order_id=order.order_id, return_id=ask.return_id, location_id="T-DC-SOUTH",
                lines=[orders_pb2.ShipmentLine(line_number=1, quantity=1)],
            )
        )  # fmt: skip
        paid = await settled(world, order.order_id)
        [ret] = paid.returns
        assert ret.status == orders_pb2.RETURN_STATUS_RECEIVED and ret.HasField("resolved_at")
        assert ret.refunded == eur(3_000) and paid.payment_status[0].refunded == eur(3_000) and len(ret.credit_notes) == 1
        assert (await world.available(sku))["T-DC-SOUTH"] == (3, 0)  # not back on the shelf until inspected
        view = await world.customers.GetCustomer360(customers_pb2.GetCustomer360Request(customer_id=customer))
        assert "return.resolved_on_receipt" in {e.type for e in view.timeline}

        await stub.InspectReturn(returns_pb2.InspectReturnRequest(order_id=order.order_id, return_id=ask.return_id))
        done = await settled(world, order.order_id)
        [ret] = done.returns
        assert ret.status == orders_pb2.RETURN_STATUS_RESOLVED and ret.lines[0].restocked == 1
        assert done.payment_status[0].refunded == eur(3_000)  # once
        assert (await world.available(sku))["T-DC-SOUTH"] == (4, 0)
    finally:
        await stub.SetReturnPolicy(returns_pb2.SetReturnPolicyRequest(policy=returns_pb2.ReturnPolicy(
            window_days=before.window_days, channel_windows=before.channel_windows)))  # fmt: skip
        await asyncio.sleep(POLICY_TTL_S + 0.3)


async def test_a_return_never_brought_back_expires_the_units_may_be_asked_for_again_and_the_order_closes(world: World, oms):
    stub = returns(world)
    sku = await world.sku({"T-DC-NORTH": 5})
    order = await delivered(world, (await world.orders.CreateOrder(card(world.order(await world.customer(), [(sku, 1)])))).order)
    asked = refund(order.order_id)
    asked.location_id = "T-ST-MITTE"
    await stub.RequestReturn(asked)
    desk = returns_pb2.ListReturnsRequest(location_id="T-ST-MITTE")
    assert order.order_id in {row.order_id for row in (await stub.ListReturns(desk)).returns}

    shard = oms.actors.orders[oms.backend.orders.shard(order.order_id)]
    assert await shard.expire_returns.remote(arrival_ms=86_400_000) == 0  # still within a day to arrive
    assert await shard.expire_returns.remote(arrival_ms=0) >= 1
    got = await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id))
    [lapsed] = got.returns
    assert lapsed.status == orders_pb2.RETURN_STATUS_EXPIRED and lapsed.expired_at.ToMilliseconds() > 0
    assert order.order_id not in {row.order_id for row in (await stub.ListReturns(desk)).returns}
    # The parcel that comes after all is refused at the desk; the customer may ask again.
    late = returns_pb2.ReceiveReturnRequest(
        order_id=order.order_id, return_id=asked.return_id, location_id="T-ST-MITTE",
        lines=[orders_pb2.ShipmentLine(line_number=1, quantity=1)],
    )  # fmt: skip
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.ReceiveReturn(late)
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    again = await stub.RequestReturn(refund(order.order_id))
    assert [r.status for r in again.returns] == [orders_pb2.RETURN_STATUS_EXPIRED, orders_pb2.RETURN_STATUS_AUTHORIZED]
    assert await shard.expire_returns.remote(arrival_ms=0) >= 1
    # Nothing left to wait for: the closing pass closes it once its window is over.
    assert await shard.close_settled.remote(window_ms=0) >= 1
    closed = await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id))
    assert closed.status == orders_pb2.ORDER_STATUS_CLOSED


async def test_a_cheap_item_is_refunded_without_coming_back_and_a_dear_one_is_brought_back(world: World):
    stub = returns(world)
    before = await stub.GetReturnPolicy(returns_pb2.GetReturnPolicyRequest())
    keep_it = returns_pb2.ReturnPolicy(window_days=before.window_days, channel_windows=before.channel_windows, keep_it_below=eur(1_000))
    try:
        await stub.SetReturnPolicy(returns_pb2.SetReturnPolicyRequest(policy=keep_it))
        await asyncio.sleep(POLICY_TTL_S + 0.3)
        sku = await world.sku({"T-DC-SOUTH": 4})
        customer = await world.customer()
        cheap = await delivered(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)], price=500)))).order)
        dear = await delivered(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)], price=3_000)))).order)
        await stub.RequestReturn(refund(cheap.order_id))
        await stub.RequestReturn(refund(dear.order_id))

        paid = await settled(world, cheap.order_id)
        [ret] = paid.returns
        assert ret.kept and ret.status == orders_pb2.RETURN_STATUS_RESOLVED and ret.HasField("resolved_at")
        assert ret.refunded == eur(500) and len(ret.credit_notes) == 1 and paid.payment_status[0].refunded == eur(500)
        assert ret.lines[0].received == 1 and ret.lines[0].restocked == 0
        assert (await world.available(sku))["T-DC-SOUTH"] == (2, 0)  # nothing came back to the shelf
        [waiting] = (await settled(world, dear.order_id)).returns
        assert not waiting.kept and waiting.status == orders_pb2.RETURN_STATUS_AUTHORIZED and waiting.refunded == eur(0)
        view = await world.customers.GetCustomer360(customers_pb2.GetCustomer360Request(customer_id=customer))
        assert "return.kept" in {e.type for e in view.timeline}
    finally:
        await stub.SetReturnPolicy(returns_pb2.SetReturnPolicyRequest(policy=returns_pb2.ReturnPolicy(
            window_days=before.window_days, channel_windows=before.channel_windows)))  # fmt: skip
        await asyncio.sleep(POLICY_TTL_S + 0.3)


async def test_a_restocking_fee_is_kept_from_the_refund_of_a_change_of_mind_and_shown_on_the_return(world: World):
    stub = returns(world)
    before = await stub.GetReturnPolicy(returns_pb2.GetReturnPolicyRequest())
    fee = returns_pb2.ReturnPolicy(
        window_days=before.window_days, channel_windows=before.channel_windows, restocking_fee_bps=1_500,
        restocking_fee_reasons=[orders_pb2.RETURN_REASON_CHANGED_MIND],
    )  # fmt: skip
    try:
        written = await stub.SetReturnPolicy(returns_pb2.SetReturnPolicyRequest(policy=fee))
        assert written.restocking_fee_bps == 1_500
        assert list(written.restocking_fee_reasons) == [orders_pb2.RETURN_REASON_CHANGED_MIND]
        await asyncio.sleep(POLICY_TTL_S + 0.3)
        sku, other = await world.sku({"T-DC-SOUTH": 4}), await world.sku({"T-DC-SOUTH": 4})
        request = card(world.order(await world.customer(), [(sku, 2), (other, 1)], price=1_999))
        order = await delivered(world, (await world.orders.CreateOrder(request)).order)
        ask = returns_pb2.RequestReturnRequest(
            order_id=order.order_id, return_id=World.unique("RMA"), channel=common_pb2.CHANNEL_WEB, location_id="T-DC-SOUTH",
            lines=[
                returns_pb2.ReturnLineRequest(line_number=1, quantity=2, reason="not for me",
                                              reason_code=orders_pb2.RETURN_REASON_CHANGED_MIND,
                                              resolution=orders_pb2.RETURN_RESOLUTION_REFUND),
                returns_pb2.ReturnLineRequest(line_number=2, quantity=1, reason="broken",
                                              reason_code=orders_pb2.RETURN_REASON_DEFECTIVE,
                                              resolution=orders_pb2.RETURN_RESOLUTION_REFUND),
            ],
        )  # fmt: skip
        authorised = (await stub.RequestReturn(ask)).returns[0]
        # Told when asked: the fee applies to the change of mind, not to the defect; nothing kept yet.
        assert [(rl.restocking_fee_bps, rl.restocking_fee.amount_minor) for rl in authorised.lines] == [(1_500, 0), (0, 0)]
        await stub.ReceiveReturn(
            returns_pb2.ReceiveReturnRequest(
                order_id=order.order_id, return_id=ask.return_id, location_id="T-DC-SOUTH",
                lines=[orders_pb2.ShipmentLine(line_number=1, quantity=2), orders_pb2.ShipmentLine(line_number=2, quantity=1)],
            )
        )  # fmt: skip
        desk = await stub.ListReturns(returns_pb2.ListReturnsRequest(location_id="T-DC-SOUTH"))
        [row] = [r for r in desk.returns if r.details.return_id == ask.return_id]
        assert row.details.lines[0].restocking_fee == eur(600)  # 15% of 2 x 19.99, rounded
        await stub.InspectReturn(returns_pb2.InspectReturnRequest(order_id=order.order_id, return_id=ask.return_id))
        done = await settled(world, order.order_id)
        [ret] = done.returns
        by_line = [(rl.refunded.amount_minor, rl.restocking_fee.amount_minor) for rl in ret.lines]
        assert by_line == [(3_998 - 600, 600), (1_999, 0)]
        assert ret.refunded == eur(3_998 - 600 + 1_999) and done.payment_status[0].refunded == ret.refunded
    finally:
        await stub.SetReturnPolicy(returns_pb2.SetReturnPolicyRequest(policy=returns_pb2.ReturnPolicy(
            window_days=before.window_days, channel_windows=before.channel_windows)))  # fmt: skip
        await asyncio.sleep(POLICY_TTL_S + 0.3)
