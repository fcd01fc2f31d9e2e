"""The delivery report: each shipment step counted once, on its own UTC day, and added up by
location and by carrier and service."""

from __future__ import annotations

from collections import Counter

from oms_actors.domain.delivery_report import DeliveryCounts, Route, counts, report
from oms_actors.domain.enums import DeliveryMode
from oms_actors.domain.fulfilment import UndeliveredReason
from oms_actors.domain.order import Order
from oms_actors.domain.records import evolve
from oms_actors.domain.returns import Resolution
from tests.unit.test_shipping_charge import with_shipping

MON = 1_795_392_000_000  # 2026-11-23 00:00 UTC
HOUR = 3_600_000
DAY = 24 * HOUR


def promised(order: Order, **days: str) -> Order:
    """The lines (``l1``, ``l2``) promised these days (YYYY-MM-DD)."""
    return evolve(order, lines=tuple(evolve(line, promised_on=days.get(f"l{line.line_number}")) for line in order.lines))


def shipped(carrier: str = "DHL") -> Order:
    """S1 (line 1 x2) from DC1 and S2 (line 2 x1) from DC2, both on Monday; line 1 promised
    Tuesday, line 2 Wednesday."""
    order = promised(with_shipping(), l1="2026-11-24", l2="2026-11-25")
    order = order.ship(shipment_id="S1", location_id="DC1", quantities={1: 2}, carrier=carrier, now_ms=MON + 9 * HOUR)
    return order.ship(
        shipment_id="S2",
        location_id="DC2",
        quantities={2: 1},
        carrier=carrier,
        shipping_service="next_day",
        now_ms=MON + 10 * HOUR,
    )


def test_each_step_counts_once_on_the_day_it_was_recorded():
    before = with_shipping()
    assert counts(None, before) == {}  # accepted: nothing has left
    order = shipped()
    assert counts(before, order) == {
        "20261123": Counter({
            "shipped|DC1|ship||DHL": 1, "units|DC1|ship||DHL": 2,
            "shipped|DC2|ship|next_day|DHL": 1, "units|DC2|ship|next_day|DHL": 1,
        })
    }  # fmt: skip
    # S1 arrives on Tuesday, its promised day; S2 on Thursday, a day after its promise.
    tuesday = order.deliver("S1", now_ms=MON + DAY + 15 * HOUR)
    assert counts(order, tuesday) == {
        "20261124": Counter({"delivered|DC1|ship||DHL": 1, "seconds|DC1|ship||DHL": 30 * 3600, "on_time|DC1|ship||DHL": 1})
    }
    thursday = tuesday.deliver("S2", now_ms=MON + 3 * DAY + HOUR)
    assert counts(tuesday, thursday)["20261126"]["late|DC2|ship|next_day|DHL"] == 1
    # The carrier's confirmation again, or news that changes no status, counts nothing.
    assert counts(thursday, thursday.deliver("S2", now_ms=MON + 4 * DAY)) == {}
    assert counts(order, order.estimate_shipment("S1", "2026-11-27", reason="weather", now_ms=MON + DAY)) == {}


def test_parcels_back_count_by_reason_on_the_day_they_came_back_and_unpromised_ones_are_neither_on_time_nor_late():
    order = shipped()
    refused = order.return_undelivered(
        "S1", return_id="R1", reason=UndeliveredReason.REFUSED, resolution=Resolution.REFUND, location_id="DC1",
        now_ms=MON + 2 * DAY,
    )  # fmt: skip
    assert counts(order, refused) == {"20261125": Counter({"back|refused|DC1|ship||DHL": 1})}
    lost = refused.return_undelivered(
        "S2", return_id="R2", reason=UndeliveredReason.LOST, resolution=Resolution.REFUND, location_id="", now_ms=MON + 5 * DAY
    )
    assert counts(refused, lost) == {"20261128": Counter({"back|lost|DC2|ship|next_day|DHL": 1})}
    unpromised = promised(shipped())  # no line promised a day
    delivered = unpromised.deliver("S1", now_ms=MON + DAY)
    assert set(counts(unpromised, delivered)["20261124"]) == {"delivered|DC1|ship||DHL", "seconds|DC1|ship||DHL"}


def test_a_pickup_is_counted_apart_from_parcels_a_carrier_took():
    order = evolve(shipped(carrier=""), delivery_mode=DeliveryMode.PICKUP)
    assert set(counts(evolve(order, shipments=()), order)["20261123"]) >= {"shipped|DC1|pickup||"}
    found = report(counts(evolve(order, shipments=()), order).items())
    assert list(found.by_carrier) == [
        Route(carrier="", shipping_service="", pickup=True),
        Route(carrier="", shipping_service="next_day", pickup=True),
    ]


def test_the_report_adds_up_the_days_by_location_and_by_carrier():
    order = shipped(carrier="Kurier|Nord")  # free text: the carrier may hold the separator
    steps = [
        counts(with_shipping(), order),
        counts(order, order := order.deliver("S1", now_ms=MON + DAY + 15 * HOUR)),
        counts(order, order := order.deliver("S2", now_ms=MON + 3 * DAY + HOUR)),
    ]
    per_day = [(name, day) for step in steps for name, day in step.items()]  # Monday, Tuesday, Thursday
    # A later version's field, a torn one: skipped. Wednesday: nothing happened.
    found = report([*per_day[:2], ("20261125", {"refunds|x": 5, "shipped|broken": 1}), per_day[2]])
    assert found.total == DeliveryCounts(shipped=2, units=3, delivered=2, on_time=1, late=1, seconds=30 * 3600 + 63 * 3600)
    assert found.total.mean_hours_to_deliver == 46.5 and (found.total.returned, found.total.lost) == (0, 0)
    assert list(found.by_location) == ["DC1", "DC2"]  # as many shipped: by id
    assert found.by_location["DC2"] == DeliveryCounts(shipped=1, units=1, delivered=1, late=1, seconds=63 * 3600)
    assert {(r.carrier, r.shipping_service, r.pickup) for r in found.by_carrier} == {
        ("Kurier|Nord", "", False), ("Kurier|Nord", "next_day", False),
    }  # fmt: skip
    only = report(per_day, locations={"DC2"})
    assert list(only.by_location) == ["DC2"] and only.total == found.by_location["DC2"]
    # Day by day, every day asked for in order: what left on Monday, what arrived when.
    assert list(found.by_day) == ["20261123", "20261124", "20261125", "20261126"]
    assert [(c.shipped, c.delivered, c.on_time, c.late) for c in found.by_day.values()] == [
        (2, 0, 0, 0), (0, 1, 1, 0), (0, 0, 0, 0), (0, 1, 0, 1),
    ]  # fmt: skip


def test_returned_and_lost_are_told_apart_and_the_busiest_come_first():
    found = report([
        ("20261123", {"back|refused|DC1|ship||DHL": 2, "back|lost|DC1|ship||DHL": 1, "shipped|DC1|ship||DHL": 3}),
        ("20261124", {"shipped|DC9|ship||UPS": 7}),
    ])  # fmt: skip
    assert (found.total.returned, found.total.lost, found.total.by_reason) == (2, 1, {"refused": 2, "lost": 1})
    assert list(found.by_location) == ["DC9", "DC1"]
    assert [r.carrier for r in found.by_carrier] == ["UPS", "DHL"]
    assert found.total.mean_hours_to_deliver == 0.0  # nothing delivered: no mean, not a division by zero
