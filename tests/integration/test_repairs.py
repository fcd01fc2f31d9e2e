"""Repairs: a returned unit is the customer's, sent to repair and back, never stock."""

from __future__ import annotations

import grpc
import pytest

from protos.oms.v1 import common_pb2, orders_pb2, returns_pb2
from tests.integration.support import World, eur, field_violations
from tests.integration.test_lifecycle import card
from tests.integration.test_returns_and_360 import delivered, returns
from tests.integration.waiting import settled

pytestmark = pytest.mark.integration


async def repair_received(world: World, at: str) -> tuple[str, str, str]:
    """A delivered order's unit asked for repair and received at ``at``: the SKU, order id and return id."""
    sku = await world.sku({"T-DC-SOUTH": 3})
    placed = (await world.orders.CreateOrder(card(world.order(await world.customer(), [(sku, 1)])))).order
    order_id = (await delivered(world, placed)).order_id
    rma = World.unique("RMA")
    await returns(world).RequestReturn(
        returns_pb2.RequestReturnRequest(
            order_id=order_id, return_id=rma, channel=common_pb2.CHANNEL_STORE,
            lines=[returns_pb2.ReturnLineRequest(line_number=1, quantity=1, reason="zip broken",
                                                 resolution=orders_pb2.RETURN_RESOLUTION_REPAIR)],
        )
    )  # fmt: skip
    await returns(world).ReceiveReturn(
        returns_pb2.ReceiveReturnRequest(
            order_id=order_id, return_id=rma, location_id=at, lines=[orders_pb2.ShipmentLine(line_number=1, quantity=1)]
        )
    )
    return sku, order_id, rma


async def test_a_unit_sent_for_repair_goes_back_to_its_customer_and_never_into_stock(world: World, oms):
    sku, order_id, rma = await repair_received(world, "T-DC-SOUTH")
    restock = returns_pb2.InspectReturnRequest(
        order_id=order_id, return_id=rma,
        dispositions=[returns_pb2.LineDisposition(line_number=1, disposition=returns_pb2.DISPOSITION_RESTOCK)],
    )  # fmt: skip
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await returns(world).InspectReturn(restock)
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    await returns(world).InspectReturn(returns_pb2.InspectReturnRequest(order_id=order_id, return_id=rma))
    done = await settled(world, order_id)
    [ret] = done.returns
    assert ret.status == orders_pb2.RETURN_STATUS_RESOLVED and ret.refunded == eur(0) and ret.lines[0].restocked == 0
    assert (await world.available(sku))["T-DC-SOUTH"] == (2, 0)  # the customer's unit is not for sale

    # However long ago its window shut, the order waits for the repair to go back.
    shard = oms.actors.orders[oms.backend.orders.shard(order_id)]
    await shard.close_settled.remote(window_ms=0)
    assert (await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order_id))).status == orders_pb2.ORDER_STATUS_DELIVERED

    with pytest.raises(grpc.aio.AioRpcError) as info:
        await returns(world).CompleteRepair(returns_pb2.CompleteRepairRequest(order_id=order_id, return_id=rma, carrier="dhl"))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and field_violations(info.value) == {"tracking"}
    back = returns_pb2.CompleteRepairRequest(order_id=order_id, return_id=rma, carrier="dhl", tracking="RP-1")
    [ret] = (await returns(world).CompleteRepair(back)).returns
    assert ret.lines[0].repaired == 1 and (ret.repair_carrier, ret.repair_tracking) == ("dhl", "RP-1") and ret.HasField("repaired_at")
    assert (await returns(world).CompleteRepair(back)).returns == [ret]  # repeated: no change
    assert await shard.close_settled.remote(window_ms=0) >= 1
    assert (await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order_id))).status == orders_pb2.ORDER_STATUS_CLOSED


async def test_a_repair_desk_lists_what_is_at_repair_from_its_location(world: World):
    _, order_id, rma = await repair_received(world, "T-ST-MITTE")
    desk = returns_pb2.ListReturnsRequest(location_id="T-ST-MITTE", awaiting_repair=True)

    async def listed() -> set[str]:
        return {row.order_id for row in (await returns(world).ListReturns(desk)).returns}

    assert order_id not in await listed()  # received, not yet inspected: not at repair yet
    await returns(world).InspectReturn(returns_pb2.InspectReturnRequest(order_id=order_id, return_id=rma))
    await settled(world, order_id)
    assert order_id in await listed()
    await returns(world).CompleteRepair(
        returns_pb2.CompleteRepairRequest(order_id=order_id, return_id=rma, carrier="dhl", tracking="RP-2")
    )
    assert order_id not in await listed()
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await returns(world).ListReturns(
            returns_pb2.ListReturnsRequest(location_id="T-ST-MITTE", awaiting_repair=True, status=orders_pb2.RETURN_STATUS_RECEIVED)
        )
    assert field_violations(info.value) == {"status"}


async def at_repair(world: World) -> tuple[str, str, str]:
    """A unit received at T-DC-SOUTH for repair, inspected: at repair."""
    sku, order_id, rma = await repair_received(world, "T-DC-SOUTH")
    await returns(world).InspectReturn(returns_pb2.InspectReturnRequest(order_id=order_id, return_id=rma))
    await settled(world, order_id)
    return sku, order_id, rma


async def test_a_unit_beyond_repair_is_written_off_and_refunded_apart_from_the_return(world: World, oms):
    sku, order_id, rma = await at_repair(world)
    declare = returns_pb2.DeclareBeyondRepairRequest(
        order_id=order_id, return_id=rma, resolution=orders_pb2.RETURN_RESOLUTION_REFUND, reason="board burnt"
    )
    [ret] = (await returns(world).DeclareBeyondRepair(declare)).returns
    assert ret.unrepairable == orders_pb2.RETURN_RESOLUTION_REFUND and ret.unrepairable_reason == "board burnt"
    assert ret.lines[0].written_off == 1 and ret.HasField("unrepairable_at")
    done = await settled(world, order_id)
    [ret] = done.returns
    assert ret.HasField("made_good_at") and ret.refunded == eur(1999) and ret.lines[0].refunded == eur(1999)
    assert len(ret.credit_notes) == 1 and done.payment_status[0].refunded == eur(1999)
    assert (await returns(world).DeclareBeyondRepair(declare)).returns[0].made_good_at == ret.made_good_at  # again: no change
    assert (await world.available(sku))["T-DC-SOUTH"] == (2, 0)  # scrapped: never stock
    desk = returns_pb2.ListReturnsRequest(location_id="T-DC-SOUTH", awaiting_repair=True)
    assert order_id not in {row.order_id for row in (await returns(world).ListReturns(desk)).returns}
    shard = oms.actors.orders[oms.backend.orders.shard(order_id)]
    assert await shard.close_settled.remote(window_ms=0) >= 1
    assert (await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order_id))).status == orders_pb2.ORDER_STATUS_CLOSED


async def test_a_unit_beyond_repair_may_be_replaced_by_a_new_one_at_no_charge(world: World):
    sku, order_id, rma = await at_repair(world)
    await returns(world).DeclareBeyondRepair(
        returns_pb2.DeclareBeyondRepairRequest(
            order_id=order_id, return_id=rma, resolution=orders_pb2.RETURN_RESOLUTION_REPLACEMENT, reason="no parts"
        )
    )
    [ret] = (await settled(world, order_id)).returns
    assert ret.repair_replacement_order_id and ret.refunded == eur(0) and not ret.credit_notes
    new = await settled(world, ret.repair_replacement_order_id)
    assert [(line.sku, line.quantity) for line in new.lines] == [(sku, 1)] and new.total == eur(0)
    assert sum(a.quantity for line in new.lines for a in line.allocations) == 1


async def test_declaring_beyond_repair_checks_its_input_and_changes_nothing_when_refused(world: World):
    _, order_id, rma = await at_repair(world)
    for resolution, reason, field in (
        (orders_pb2.RETURN_RESOLUTION_EXCHANGE, "x", "resolution"),
        (orders_pb2.RETURN_RESOLUTION_UNSPECIFIED, "x", "resolution"),
        (orders_pb2.RETURN_RESOLUTION_REFUND, " ", "reason"),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await returns(world).DeclareBeyondRepair(
                returns_pb2.DeclareBeyondRepairRequest(order_id=order_id, return_id=rma, resolution=resolution, reason=reason)
            )
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and field_violations(info.value) == {field}
    await returns(world).CompleteRepair(
        returns_pb2.CompleteRepairRequest(order_id=order_id, return_id=rma, carrier="dhl", tracking="RP-3")
    )
    with pytest.raises(grpc.aio.AioRpcError) as info:  # repaired and gone back: nothing at repair
        await returns(world).DeclareBeyondRepair(
            returns_pb2.DeclareBeyondRepairRequest(
                order_id=order_id, return_id=rma, resolution=orders_pb2.RETURN_RESOLUTION_REFUND, reason="late"
            )
        )
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    [ret] = (await settled(world, order_id)).returns
    assert ret.unrepairable == orders_pb2.RETURN_RESOLUTION_UNSPECIFIED and ret.refunded == eur(0) and ret.lines[0].repaired == 1
