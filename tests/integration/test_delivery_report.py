"""The delivery report over gRPC: each parcel's steps counted once, by location and carrier."""

from __future__ import annotations

import time

import pytest
from google.protobuf import timestamp_pb2

from protos.oms.v1 import fulfilment_pb2, orders_pb2
from tests.integration.support import World
from tests.integration.test_lifecycle import card, fulfilment
from tests.integration.waiting import settled
from tests.security.kit import refusal

pytestmark = pytest.mark.integration


def ts(at_s: float) -> timestamp_pb2.Timestamp:
    return timestamp_pb2.Timestamp(seconds=int(at_s))


def figures(*locations: str, first: float | None = None, last: float | None = None) -> fulfilment_pb2.GetDeliveryReportRequest:
    now = time.time()
    return fulfilment_pb2.GetDeliveryReportRequest(
        counted_from=ts(now - 86_400 if first is None else first),
        counted_to=ts(now + 86_400 if last is None else last),
        location_ids=locations,
    )


async def test_shipped_delivered_refused_and_lost_parcels_are_counted_once_each_by_location_and_carrier(world: World):
    here = await world.location("T-DC-REPORT")
    sku = await world.sku({here: 10})
    customer = await world.customer()
    orders = []
    for carrier in ("DHL", "DHL", "DHL", "GLS"):
        placed = await settled(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 2)])))).order.order_id)
        assert [r.location_id for r in placed.lines[0].released] == [here]
        sid = World.unique("S")
        confirm = fulfilment_pb2.ConfirmShipmentRequest(
            order_id=placed.order_id, location_id=here, shipment_id=sid, carrier=carrier, tracking="T1",
            lines=[orders_pb2.ShipmentLine(line_number=1, quantity=2)],
        )  # fmt: skip
        await fulfilment(world).ConfirmShipment(confirm)
        await fulfilment(world).ConfirmShipment(confirm)  # the location's retry: one parcel
        orders.append((placed.order_id, sid))
    assert (await fulfilment(world).GetDeliveryReport(figures("T-DC-ELSEWHERE"))).total.shipped == 0

    (delivered, d_sid), (refused, r_sid), (lost, l_sid), _ = orders
    for _ in range(2):  # the carrier's confirmation twice: one delivery
        await fulfilment(world).ConfirmDelivery(fulfilment_pb2.ConfirmDeliveryRequest(order_id=delivered, shipment_id=d_sid))
    for order_id, sid, reason in (
        (refused, r_sid, orders_pb2.UNDELIVERED_REASON_REFUSED),
        (lost, l_sid, orders_pb2.UNDELIVERED_REASON_LOST),
    ):
        await fulfilment(world).ReportDeliveryFailure(
            fulfilment_pb2.ReportDeliveryFailureRequest(
                order_id=order_id, shipment_id=sid, return_id=World.unique("RMA"), reason=reason,
                resolution=orders_pb2.RETURN_RESOLUTION_REFUND,
            )
        )  # fmt: skip
    assert (await settled(world, delivered)).lines[0].promised_delivery.seconds  # promised: on time or late

    asked = figures(here)
    found = await fulfilment(world).GetDeliveryReport(asked)
    total = found.total
    assert (total.shipped, total.units_shipped, total.delivered, total.on_time, total.late) == (4, 8, 1, 1, 0)
    assert (total.returned, total.lost) == (1, 1)
    assert [(r.reason, r.parcels) for r in total.by_reason] == [
        (orders_pb2.UNDELIVERED_REASON_LOST, 1), (orders_pb2.UNDELIVERED_REASON_REFUSED, 1),
    ]  # fmt: skip
    assert 0 <= total.mean_hours_to_deliver < 1  # delivered straight after it left
    assert [(row.location_id, row.counts) for row in found.by_location] == [(here, total)]
    by_carrier = {(row.carrier, row.shipping_service, row.pickup): row.counts for row in found.by_carrier}
    assert list(by_carrier) == [("DHL", "", False), ("GLS", "", False)]  # most shipped first
    assert (by_carrier["DHL", "", False].shipped, by_carrier["GLS", "", False].shipped) == (3, 1)
    assert by_carrier["GLS", "", False].delivered == 0
    # Day by day: yesterday, today and tomorrow were asked for, and add up to the total.
    first_day = asked.counted_from.seconds // 86_400 * 86_400
    assert [d.day.seconds for d in found.by_day] == [first_day, first_day + 86_400, first_day + 2 * 86_400]
    for kind in ("shipped", "units_shipped", "delivered", "on_time", "returned", "lost"):
        assert sum(getattr(d.counts, kind) for d in found.by_day) == getattr(total, kind), kind
    # Every location's figures hold this one's.
    everywhere = await fulfilment(world).GetDeliveryReport(figures())
    assert here in {row.location_id for row in everywhere.by_location}
    assert everywhere.total.shipped >= total.shipped and everywhere.total.lost >= 1
    # Days before the parcels left hold none of them.
    week_ago = time.time() - 7 * 86_400
    assert (await fulfilment(world).GetDeliveryReport(figures(here, first=week_ago, last=week_ago))).total.shipped == 0


async def test_a_bad_request_is_refused_field_by_field(world: World):
    now = time.time()
    for bad, field in (
        (fulfilment_pb2.GetDeliveryReportRequest(counted_from=ts(now)), "counted_to"),
        (figures(first=now, last=now - 2 * 86_400), "counted_to"),
        (figures(first=now - 100 * 86_400, last=now), "counted_to"),
        (figures(first=10**15), "counted_from"),
        (figures("no|bar"), "location_ids[0]"),
        (figures(*[f"L{i}" for i in range(101)]), "location_ids"),
    ):
        code, _, fields = await refusal(fulfilment(world).GetDeliveryReport(bad))
        assert code.name == "INVALID_ARGUMENT" and field in fields, (field, fields)
