"""Deductions at inspection, over gRPC: what worn units lost of their value stays with the
retailer, the rest goes back, and a deduction that cannot be kept changes nothing."""

from __future__ import annotations

import grpc
import pytest

from protos.oms.v1 import common_pb2, orders_pb2, returns_pb2
from tests.integration.support import World, eur, field_violations, precondition_violations
from tests.integration.test_lifecycle import card
from tests.integration.test_returns_and_360 import delivered, returns
from tests.integration.waiting import settled

pytestmark = pytest.mark.integration


async def received(world: World) -> tuple[str, str]:
    """Two units at 19.99 delivered, returned for a refund and received: the order and return ids."""
    sku = await world.sku({"T-DC-NORTH": 5})
    order = await delivered(world, (await world.orders.CreateOrder(card(world.order(await world.customer(), [(sku, 2)])))).order)
    rma = World.unique("RMA")
    await returns(world).RequestReturn(
        returns_pb2.RequestReturnRequest(
            order_id=order.order_id, return_id=rma, channel=common_pb2.CHANNEL_WEB,
            lines=[returns_pb2.ReturnLineRequest(line_number=1, quantity=2, reason="not for me",
                                                 resolution=orders_pb2.RETURN_RESOLUTION_REFUND)],
        )
    )  # fmt: skip
    await returns(world).ReceiveReturn(
        returns_pb2.ReceiveReturnRequest(
            order_id=order.order_id, return_id=rma, location_id="T-DC-NORTH",
            lines=[orders_pb2.ShipmentLine(line_number=1, quantity=2)],
        )
    )  # fmt: skip
    return order.order_id, rma


def inspect(order_id: str, rma: str, *deductions: returns_pb2.LineDeduction) -> returns_pb2.InspectReturnRequest:
    return returns_pb2.InspectReturnRequest(order_id=order_id, return_id=rma, deductions=list(deductions))


async def test_what_worn_units_lost_is_kept_and_the_rest_refunded_with_its_credit_note(world: World):
    order_id, rma = await received(world)
    worn = returns_pb2.LineDeduction(line_number=1, amount=eur(500), reason="worn outside, sole scuffed")
    await returns(world).InspectReturn(inspect(order_id, rma, worn))
    done = await settled(world, order_id)
    [ret] = done.returns
    assert ret.status == orders_pb2.RETURN_STATUS_RESOLVED and ret.refunded == eur(2 * 1999 - 500)
    assert ret.lines[0].deducted == eur(500) and ret.lines[0].deduction_reason == "worn outside, sole scuffed"
    assert ret.lines[0].refunded == eur(2 * 1999 - 500) and len(ret.credit_notes) == 1
    assert done.payment_status[0].refunded == eur(2 * 1999 - 500)


async def test_a_deduction_that_cannot_be_kept_is_refused_and_changes_nothing(world: World):
    order_id, rma = await received(world)
    for deduction, field in (
        (returns_pb2.LineDeduction(line_number=1, amount=eur(0), reason="worn"), "deductions[0].amount.amount_minor"),
        (returns_pb2.LineDeduction(line_number=1, amount=eur(100)), "deductions[0].reason"),
        (returns_pb2.LineDeduction(line_number=0, amount=eur(100), reason="worn"), "deductions[0].line_number"),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await returns(world).InspectReturn(inspect(order_id, rma, deduction))
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and field_violations(info.value) == {field}
    too_much = returns_pb2.LineDeduction(line_number=1, amount=eur(2 * 1999 + 1), reason="worn")
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await returns(world).InspectReturn(inspect(order_id, rma, too_much))
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "more than the 3998" in precondition_violations(info.value)["lines[0]"]
    [ret] = (await settled(world, order_id)).returns
    assert ret.status == orders_pb2.RETURN_STATUS_RECEIVED and ret.refunded == eur(0) and not ret.lines[0].HasField("deducted")


async def test_the_same_inspection_again_changes_nothing_and_another_is_refused(world: World):
    from tests.security.kit import refusal

    order_id, rma = await received(world)
    worn = returns_pb2.LineDeduction(line_number=1, amount=eur(500), reason="worn outside")
    first = await returns(world).InspectReturn(inspect(order_id, rma, worn))
    again = await returns(world).InspectReturn(inspect(order_id, rma, worn))  # the desk's system repeated itself
    assert again.returns == first.returns and again.version == first.version
    code, reason, _ = await refusal(returns(world).InspectReturn(inspect(order_id, rma)))  # no deduction, this time
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "RETURN_INSPECTED")
    [ret] = (await settled(world, order_id)).returns
    assert ret.lines[0].deducted == eur(500) and ret.refunded == eur(2 * 1999 - 500)
