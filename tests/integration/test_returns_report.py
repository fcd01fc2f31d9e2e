"""The returns report over gRPC: which items come back and why, counted once per return."""

from __future__ import annotations

import time

import grpc
import pytest
from google.protobuf import timestamp_pb2

from protos.oms.v1 import common_pb2, orders_pb2, returns_pb2
from tests.integration.support import World, field_violations
from tests.integration.test_lifecycle import card
from tests.integration.test_returns_and_360 import delivered, returns

pytestmark = pytest.mark.integration


def ts(at_s: float) -> timestamp_pb2.Timestamp:
    return timestamp_pb2.Timestamp(seconds=int(at_s))


def ask(
    order_id: str, rma: str, units: int, code: int, channel: int = common_pb2.CHANNEL_WEB
) -> returns_pb2.RequestReturnRequest:
    return returns_pb2.RequestReturnRequest(
        order_id=order_id, return_id=rma, channel=channel,
        lines=[returns_pb2.ReturnLineRequest(line_number=1, quantity=units, reason="as said", reason_code=code,
                                             resolution=orders_pb2.RETURN_RESOLUTION_REFUND)],
    )  # fmt: skip


async def test_a_sku_s_returns_are_counted_by_reason_once_each(world: World):
    sku = await world.sku({"T-DC-NORTH": 10})
    placed = [
        await delivered(world, (await world.orders.CreateOrder(card(world.order(await world.customer(), [(sku, 2)])))).order)
        for _ in range(2)
    ]
    now = time.time()
    asked = returns_pb2.GetReturnsReportRequest(requested_from=ts(now - 86_400), requested_to=ts(now + 86_400), skus=[sku])
    before = await returns(world).GetReturnsReport(asked)
    small = ask(placed[0].order_id, World.unique("RMA"), 2, orders_pb2.RETURN_REASON_DOES_NOT_FIT)
    await returns(world).RequestReturn(small)
    await returns(world).RequestReturn(small)  # the channel's retry: recorded once, counted once
    in_store = ask(placed[1].order_id, World.unique("RMA"), 1, orders_pb2.RETURN_REASON_DAMAGED, common_pb2.CHANNEL_STORE)
    await returns(world).RequestReturn(in_store)
    found = await returns(world).GetReturnsReport(asked)
    [mine] = found.skus
    assert (mine.sku, mine.units) == (sku, 3)
    assert [(r.reason, r.units) for r in mine.by_reason] == [
        (orders_pb2.RETURN_REASON_DOES_NOT_FIT, 2), (orders_pb2.RETURN_REASON_DAMAGED, 1),
    ]  # fmt: skip
    assert found.units >= 3 and found.returns >= 2
    assert {r.resolution for r in found.by_resolution} >= {orders_pb2.RETURN_RESOLUTION_REFUND}
    assert {c.channel: c.units for c in found.by_channel}[common_pb2.CHANNEL_WEB] >= 3  # the orders were sold on the web
    # ... and brought back: two units asked for online, one in a store.
    was, now_asked = ({c.channel: c.units for c in r.by_channel_asked} for r in (before, found))
    assert now_asked.get(common_pb2.CHANNEL_WEB, 0) - was.get(common_pb2.CHANNEL_WEB, 0) == 2
    assert now_asked.get(common_pb2.CHANNEL_STORE, 0) - was.get(common_pb2.CHANNEL_STORE, 0) == 1
    # The most returned, across every SKU: ranked by units.
    top = await returns(world).GetReturnsReport(
        returns_pb2.GetReturnsReportRequest(requested_from=ts(now - 86_400), requested_to=ts(now + 86_400), top_skus=100)
    )
    units = [s.units for s in top.skus]
    assert units == sorted(units, reverse=True) and sku in {s.sku for s in top.skus}


async def test_a_report_needs_a_span_of_days_it_can_read(world: World):
    now = time.time()
    for request, field in (
        (returns_pb2.GetReturnsReportRequest(requested_from=ts(now)), "requested_to"),
        (returns_pb2.GetReturnsReportRequest(requested_from=ts(now), requested_to=ts(now - 86_400 * 2)), "requested_to"),
        (returns_pb2.GetReturnsReportRequest(requested_from=ts(now - 86_400 * 100), requested_to=ts(now)), "requested_to"),
        (returns_pb2.GetReturnsReportRequest(requested_from=ts(now), requested_to=ts(now), top_skus=101), "top_skus"),
        (returns_pb2.GetReturnsReportRequest(requested_from=ts(now), requested_to=ts(now), skus=["no|bar"]), "skus[0]"),
        (returns_pb2.GetReturnsReportRequest(requested_from=ts(10**15), requested_to=ts(now)), "requested_from"),  # year > 9999
    ):
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await returns(world).GetReturnsReport(request)
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and field_violations(info.value) == {field}, field
