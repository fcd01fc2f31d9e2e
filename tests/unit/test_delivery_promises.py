"""Delivery promises: dispatch days, transit, a line's promise, and an order keeping what it was told."""

from __future__ import annotations

import dataclasses
import datetime as dt

import msgspec
import pytest

from oms_actors.domain.commands import Address, CreateOrder, LineInput
from oms_actors.domain.delivery import CarrierService, Door, Promiser, ShippingSchedule, distance_km
from oms_actors.domain.enums import Channel, DeliveryMode, LocationType
from oms_actors.domain.errors import FailedPreconditionError
from oms_actors.domain.events import order_events
from oms_actors.domain.inbound import promise_site
from oms_actors.domain.money import Money
from oms_actors.domain.network import Location
from oms_actors.domain.order import LineAllocation, Order, SourcingResult

WEDNESDAY = dt.date(2026, 11, 25)
BERLIN = (52.52, 13.405)
HAMBURG = (53.5511, 9.9937)  # about 255 km from Berlin
MADRID = (40.4168, -3.7038)  # about 1,870 km


def at(day: dt.date, hour: int, minute: int = 0, *, zone: str = "UTC") -> int:
    """Milliseconds of ``day`` at ``hour``:``minute`` in ``zone``."""
    from zoneinfo import ZoneInfo

    moment = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(zone))
    return int(moment.timestamp() * 1000)


def location(lid: str, where: tuple[float, float], *, zone: str = "", **schedule: object) -> Location:
    return Location(
        location_id=lid, type=LocationType.WAREHOUSE, latitude=where[0], longitude=where[1], time_zone=zone,
        shipping=ShippingSchedule(**schedule),  # type: ignore[arg-type]
    )  # fmt: skip


def test_a_parcel_leaves_the_day_it_is_ready_before_the_cutoff_and_the_next_shipping_day_after_it():
    s = ShippingSchedule(cutoff_minute=15 * 60)  # 15:00, Monday to Friday
    wednesday = dt.datetime(2026, 11, 25, 14, 59)
    assert s.dispatch_day(wednesday) == WEDNESDAY
    assert s.dispatch_day(wednesday.replace(hour=15, minute=0)) == dt.date(2026, 11, 26)
    friday_late = dt.datetime(2026, 11, 27, 16, 0)
    assert s.dispatch_day(friday_late) == dt.date(2026, 11, 30)  # Monday
    assert s.dispatch_day(dt.datetime(2026, 11, 28, 9, 0)) == dt.date(2026, 11, 30)  # Saturday: Monday
    # Two days of handling from a Friday morning: Monday, then Tuesday.
    assert ShippingSchedule(handling_days=2).dispatch_day(dt.datetime(2026, 11, 27, 9, 0)) == dt.date(2026, 12, 1)
    # A store shipping every day does not wait for Monday.
    assert ShippingSchedule(shipping_weekdays=tuple(range(1, 8))).dispatch_day(dt.datetime(2026, 11, 28, 9)) == dt.date(2026, 11, 28)


def test_transit_takes_a_day_per_distance_begun_at_least_the_minimum_and_only_on_delivery_days():
    s = ShippingSchedule()  # 500 km a day, at least one day, Monday to Saturday
    assert s.arrival_day(WEDNESDAY, 0) == dt.date(2026, 11, 26)
    assert s.arrival_day(WEDNESDAY, 500) == dt.date(2026, 11, 26)
    assert s.arrival_day(WEDNESDAY, 501) == dt.date(2026, 11, 27)
    assert s.arrival_day(WEDNESDAY, 1_200) == dt.date(2026, 11, 28)  # three days: Saturday
    assert s.arrival_day(dt.date(2026, 11, 27), 600) == dt.date(2026, 11, 30)  # Saturday, then Monday: no Sunday
    same_day = ShippingSchedule(transit_min_days=0, delivery_weekdays=tuple(range(1, 8)))
    assert same_day.arrival_day(WEDNESDAY, 20) == dt.date(2026, 11, 26)  # 20 km begins a day
    assert same_day.arrival_day(WEDNESDAY, 0) == WEDNESDAY
    assert distance_km(*BERLIN, *HAMBURG) == pytest.approx(255, abs=3)


def test_closed_dates_neither_dispatch_nor_deliver():
    christmas = ShippingSchedule(closed_dates=frozenset({"2026-12-24", "2026-12-25", "2026-12-26"}))
    # Ready on Christmas Eve (a Thursday): leaves on Monday the 28th, arrives Tuesday.
    assert christmas.dispatch_day(dt.datetime(2026, 12, 24, 9)) == dt.date(2026, 12, 28)
    # Left on the 23rd, 600 km: the 24th, 25th and 26th do not count, nor Sunday the 27th.
    assert christmas.arrival_day(dt.date(2026, 12, 23), 600) == dt.date(2026, 12, 29)
    # Only Mondays, and the next two closed: three weeks on.
    mondays = ShippingSchedule(shipping_weekdays=(1,), closed_dates=frozenset({"2026-11-30", "2026-12-07"}))
    assert mondays.dispatch_day(dt.datetime(2026, 11, 25, 9)) == dt.date(2026, 12, 14)


def test_a_location_counts_the_cutoff_in_its_own_time_zone():
    la = location("LA", (34.05, -118.24), zone="America/Los_Angeles", cutoff_minute=14 * 60)
    # 20:00 UTC on Wednesday is 12:00 in Los Angeles (before its cutoff); 23:00 UTC is 15:00 (after).
    assert Promiser({"LA": la}, at(WEDNESDAY, 20)).dispatch_day("LA") == WEDNESDAY
    assert Promiser({"LA": la}, at(WEDNESDAY, 23)).dispatch_day("LA") == dt.date(2026, 11, 26)
    # 03:00 UTC on Thursday is still Wednesday evening there.
    assert Promiser({"LA": la}, at(dt.date(2026, 11, 26), 3)).dispatch_day("LA") == dt.date(2026, 11, 26)


def test_a_line_is_promised_the_day_its_last_unit_arrives_and_nothing_while_a_unit_has_no_date():
    network = {
        "BER": location("BER", BERLIN),
        "MAD": location("MAD", MADRID, handling_days=1),
        "HAM": location("HAM", HAMBURG),
    }
    promiser = Promiser(network, at(WEDNESDAY, 10))
    to = Door(latitude=BERLIN[0], longitude=BERLIN[1])
    assert promiser.line_promise([("BER", 2)], 2, to) == "2026-11-26"
    # Madrid: leaves Thursday, four days on the road (Sunday skipped): Tuesday.
    assert promiser.line_promise([("BER", 1), ("MAD", 1)], 2, to) == "2026-12-01"
    assert promiser.line_promise([("BER", 1)], 2, to) is None  # one unit backordered with no date
    assert promiser.line_promise([("BER", 1), ("GONE", 1)], 2, to) is None  # not in the network
    assert promiser.line_promise([("BER", 1)], 1, Door()) is None
    # Supply expected at Hamburg on Friday: received then, it leaves Monday and arrives Tuesday.
    assert promiser.line_promise([(promise_site("HAM", "2026-11-27"), 1)], 1, to) == "2026-12-01"
    # Collected: at the pickup store the day it would leave; from elsewhere, after the transit to it.
    assert promiser.line_promise([("HAM", 1)], 1, Door(pickup_location_id="HAM")) == "2026-11-25"
    assert promiser.line_promise([("BER", 1)], 1, Door(pickup_location_id="HAM")) == "2026-11-26"


def accepted() -> Order:
    command = CreateOrder(
        channel=Channel.WEB, customer_id="C1", idempotency_key="k1", delivery_mode=DeliveryMode.SHIP,
        ship_to=Address(city="Berlin", latitude=BERLIN[0], longitude=BERLIN[1]),
        lines=(
            LineInput(sku="A", quantity=2, unit_price=Money(amount_minor=1000, currency="EUR")),
            LineInput(sku="B", quantity=1, unit_price=Money(amount_minor=500, currency="EUR")),
        ),
    )  # fmt: skip
    return Order.accept(command, order_id="O1", now_ms=at(WEDNESDAY, 9))


def plan(**lines: list[tuple[str, int]]) -> SourcingResult:
    return SourcingResult(
        order_id="O1",
        allocations={
            int(n[1:]): tuple(LineAllocation(location_id=loc, quantity=q) for loc, q in parts) for n, parts in lines.items()
        },
    )


def test_an_order_keeps_the_promise_each_line_was_first_told():
    network = {"BER": location("BER", BERLIN), "MAD": location("MAD", MADRID)}
    wednesday = Promiser(network, at(WEDNESDAY, 10))
    order = accepted().apply_sourcing(plan(l1=[("BER", 2)], l2=[]), now_ms=at(WEDNESDAY, 10), promiser=wednesday)
    assert [line.promised_on for line in order.lines] == ["2026-11-26", None]
    assert order.promised_on is None  # line 2 waits for stock with no date

    # Friday: line 2's unit found in Madrid; line 1 moved there too (a shortage in Berlin).
    friday = Promiser(network, at(dt.date(2026, 11, 27), 10))
    planned = order.apply_sourcing(plan(l1=[("MAD", 2)], l2=[("MAD", 1)]), now_ms=at(dt.date(2026, 11, 27), 10), promiser=friday)
    assert [line.promised_on for line in planned.lines] == ["2026-11-26", "2026-12-02"]  # line 1 as first told
    assert planned.promised_on == "2026-12-02"
    # The customer is told once the whole order has a day, and not again for the same day.
    told = [e.data for e in order_events(order, planned) if e.type == "order.delivery_promised"]
    assert told == [{"promised_on": "2026-12-02"}]
    # Line 1 now comes from Madrid: after its promise, which service hears of.
    assert [line.estimated_on for line in planned.lines] == ["2026-12-02", "2026-12-02"]
    assert [line.delivery_at_risk for line in planned.lines] == [True, False]
    late = [e.data for e in order_events(order, planned) if e.type == "line.delivery_at_risk"]
    assert late == [{"line_number": "1", "sku": "A", "promised_on": "2026-11-26", "estimated_on": "2026-12-02"}]
    noted = planned.add_note(note_id="N1", text="called", internal=True, by="agent", now_ms=at(dt.date(2026, 11, 27), 11))
    assert not [e for e in order_events(planned, noted) if e.type == "line.delivery_at_risk"]  # told once
    # Had nothing been found for line 1 either, it would wait with no date: at risk all the same.
    waiting = order.apply_sourcing(plan(l1=[], l2=[]), now_ms=at(dt.date(2026, 11, 27), 12), promiser=friday)
    assert waiting.lines[0].estimated_on is None and waiting.lines[0].delivery_at_risk
    nothing = [e.data for e in order_events(order, waiting) if e.type == "line.delivery_at_risk"]
    assert nothing == [{"line_number": "1", "sku": "A", "promised_on": "2026-11-26", "estimated_on": ""}]
    # Line 2 cancelled: the order now arrives with line 1, and the customer is told that day.
    fewer = planned.cancel_lines([2], reason="changed mind", now_ms=at(dt.date(2026, 11, 27), 11))
    assert fewer.promised_on == "2026-11-26"
    assert [e.data for e in order_events(planned, fewer) if e.type == "order.delivery_promised"] == [{"promised_on": "2026-11-26"}]

    # Without a promiser (a plan applied by older code paths), nothing is told or changed.
    assert accepted().apply_sourcing(plan(l1=[("BER", 2)], l2=[("BER", 1)]), now_ms=1).promised_on is None


def test_a_promised_line_is_late_once_its_day_has_passed_undelivered():
    network = {"BER": location("BER", BERLIN)}
    order = accepted().apply_sourcing(
        plan(l1=[("BER", 2)], l2=[("BER", 1)]), now_ms=at(WEDNESDAY, 10), promiser=Promiser(network, at(WEDNESDAY, 10))
    )
    assert order.promised_on == "2026-11-26" and order.awaits_promised_delivery
    assert not order.is_late("2026-11-26")  # due today: not late yet
    assert order.is_late("2026-11-27") and [line.late("2026-11-27") for line in order.lines] == [True, True]
    # Nothing promised (sourced by code before promises): never late, never awaited.
    old = accepted().apply_sourcing(plan(l1=[("BER", 2)], l2=[("BER", 1)]), now_ms=at(WEDNESDAY, 10))
    assert not old.awaits_promised_delivery and not old.is_late("2030-01-01")
    # Cancelled: nothing is awaited any more.
    gone = order.cancel(reason="changed mind", now_ms=at(WEDNESDAY, 11))
    assert not gone.awaits_promised_delivery and not gone.is_late("2026-11-27")


def test_a_location_the_promiser_does_not_know_leaves_the_estimate_as_it_was():
    wednesday = Promiser({"BER": location("BER", BERLIN)}, at(WEDNESDAY, 10))
    order = accepted().apply_sourcing(plan(l1=[("BER", 2)], l2=[]), now_ms=at(WEDNESDAY, 10), promiser=wednesday)
    # Sourced again by a process whose copy of the network is still empty: all units of line 1
    # are still held, so its estimate stands and nothing is at risk.
    blind = Promiser({}, at(WEDNESDAY, 11))
    again = order.apply_sourcing(plan(l1=[("BER", 2)], l2=[]), now_ms=at(WEDNESDAY, 11), promiser=blind)
    assert again.lines[0].estimated_on == "2026-11-26" and not again.lines[0].delivery_at_risk


def test_a_carriers_estimate_moves_the_lines_it_carries_and_only_later_for_units_not_shipped():
    network = {"BER": location("BER", BERLIN)}
    order = accepted().apply_sourcing(
        plan(l1=[("BER", 2)], l2=[("BER", 1)]), now_ms=at(WEDNESDAY, 10), promiser=Promiser(network, at(WEDNESDAY, 10))
    )
    order = order.approve(by="risk-rules", now_ms=at(WEDNESDAY, 10)).release(now_ms=at(WEDNESDAY, 10))
    # One unit of line 1 and all of line 2 leave; the other unit of line 1 is still to be shipped.
    order = order.ship(shipment_id="S1", location_id="BER", quantities={1: 1, 2: 1}, now_ms=at(WEDNESDAY, 12))
    delayed = order.estimate_shipment("S1", "2026-11-28", reason="missed sort", now_ms=at(WEDNESDAY, 20))
    assert [line.estimated_on for line in delayed.lines] == ["2026-11-28", "2026-11-28"]
    assert [line.delivery_at_risk for line in delayed.lines] == [True, True]
    events = [(e.type, e.data) for e in order_events(order, delayed) if e.type != "line.delivery_at_risk"]
    changed = {"shipment_id": "S1", "location_id": "BER", "estimated_delivery": "2026-11-28", "reason": "missed sort"}
    assert events == [("shipment.estimate_changed", changed)]
    # Sooner after all: line 2 (all in the parcel) follows; line 1 keeps its later day, as its
    # unit not shipped yet was estimated no earlier than the parcel.
    sooner = delayed.estimate_shipment("S1", "2026-11-26", reason="", now_ms=at(dt.date(2026, 11, 26), 8))
    assert [line.estimated_on for line in sooner.lines] == ["2026-11-28", "2026-11-26"]
    assert sooner.estimate_shipment("S1", "2026-11-26", reason="again", now_ms=1) is sooner  # the same day: nothing
    delivered = sooner.deliver("S1", now_ms=at(dt.date(2026, 11, 26), 15))
    with pytest.raises(FailedPreconditionError) as info:
        delivered.estimate_shipment("S1", "2026-11-29", reason="late", now_ms=1)
    assert info.value.code == "SHIPMENT_DELIVERED"


def test_an_order_released_days_later_is_estimated_from_then():
    network = {"BER": location("BER", BERLIN)}
    order = accepted().apply_sourcing(
        plan(l1=[("BER", 2)], l2=[("BER", 1)]), now_ms=at(WEDNESDAY, 10), promiser=Promiser(network, at(WEDNESDAY, 10))
    )
    assert order.promised_on == "2026-11-26"
    assert order.reestimate(Promiser(network, at(WEDNESDAY, 11)), now_ms=at(WEDNESDAY, 11)) is order  # nothing moved
    # Approved on Friday after a review: it leaves Friday and arrives Saturday, after its promise.
    friday = order.reestimate(Promiser(network, at(dt.date(2026, 11, 27), 9)), now_ms=at(dt.date(2026, 11, 27), 9))
    assert [line.estimated_on for line in friday.lines] == ["2026-11-28", "2026-11-28"]
    assert friday.promised_on == "2026-11-26" and all(line.delivery_at_risk for line in friday.lines)


def test_the_day_to_ship_by_is_the_last_shipping_day_that_still_arrives_in_time():
    s = ShippingSchedule()  # ships Monday to Friday, delivers Monday to Saturday, 500 km a day
    # Due Tuesday 1 December, 600 km (two transit days): leaving Monday arrives Wednesday,
    # leaving Friday arrives Monday (Saturday, then no Sunday).
    assert s.latest_dispatch(dt.date(2026, 12, 1), 600) == dt.date(2026, 11, 27)
    assert s.latest_dispatch(dt.date(2026, 12, 1), 100) == dt.date(2026, 11, 30)  # one day: Monday
    network = {"BER": location("BER", BERLIN), "HAM": location("HAM", HAMBURG)}
    promiser = Promiser(network, at(WEDNESDAY, 10))
    door = Door(latitude=BERLIN[0], longitude=BERLIN[1])
    assert promiser.ship_by("HAM", "2026-11-27", door) == "2026-11-26"
    assert promiser.ship_by("HAM", "2026-11-27", Door(pickup_location_id="HAM")) == "2026-11-27"
    assert promiser.ship_by("GONE", "2026-11-27", door) == ""


EXPRESS = CarrierService(
    code="express", transit_km_per_day=2_000, transit_min_days=1, cutoff_minute=12 * 60, parcel_cost_minor=900
)


def test_a_carrier_service_travels_by_its_own_transit_and_cutoff_and_keeps_the_schedules_days():
    s = ShippingSchedule(cutoff_minute=16 * 60, handling_days=1, closed_dates=frozenset({"2026-11-27"}), services=(EXPRESS,))
    express = s.for_service("express")
    assert (express.transit_km_per_day, express.transit_min_days, express.cutoff_minute) == (2_000, 1, 12 * 60)
    assert (express.handling_days, express.closed_dates, express.services) == (1, s.closed_dates, ())
    # The standard service for "" and for a service not offered here.
    assert s.for_service("") is s and s.for_service("next_day") is s
    assert (s.sent_by("express"), s.sent_by("next_day"), s.sent_by("")) == ("express", "", "")
    # 1,870 km: four days by the standard (500 a day), one by express.
    assert s.arrival_day(WEDNESDAY, 1_870) == dt.date(2026, 12, 1)  # Thu, (Fri closed) Sat, Mon, Tue
    assert express.arrival_day(WEDNESDAY, 1_870) == dt.date(2026, 11, 26)
    # A Sunday delivery product: the standard service's parcel left on Saturday waits for Monday.
    s = msgspec.structs.replace(s, services=(EXPRESS, CarrierService(code="weekend", delivery_weekdays=tuple(range(1, 8)))))
    assert s.arrival_day(dt.date(2026, 11, 28), 100) == dt.date(2026, 11, 30)
    assert s.for_service("weekend").arrival_day(dt.date(2026, 11, 28), 100) == dt.date(2026, 11, 29)
    assert s.for_service("express").delivery_weekdays == s.delivery_weekdays  # none given: the schedule's
    # Ready at 13:00: past the express cutoff (noon), before the standard one.
    ready = dt.datetime(2026, 11, 23, 13, 0)  # a Monday
    assert s.dispatch_day(ready) == dt.date(2026, 11, 24)  # a day of handling
    assert express.dispatch_day(ready) == dt.date(2026, 11, 25)


def test_an_order_asking_for_a_service_is_promised_by_it_where_offered():
    network = {"MAD": location("MAD", MADRID, services=(EXPRESS,)), "HAM": location("HAM", HAMBURG)}
    promiser = Promiser(network, at(WEDNESDAY, 10))
    to = Door(latitude=BERLIN[0], longitude=BERLIN[1])
    assert promiser.line_promise([("MAD", 1)], 1, to) == "2026-11-30"  # standard: four days, no Sunday
    assert promiser.line_promise([("MAD", 1)], 1, msgspec.structs.replace(to, service="express")) == "2026-11-26"
    # Hamburg has no express: its parcel goes by its standard service.
    express_to = msgspec.structs.replace(to, service="express")
    assert promiser.line_promise([("HAM", 1)], 1, express_to) == promiser.line_promise([("HAM", 1)], 1, to)
    # The day to ship by follows the service too: express from Madrid may leave the day before it is due.
    assert promiser.ship_by("MAD", "2026-12-01", msgspec.structs.replace(to, service="express")) == "2026-11-30"
    assert promiser.ship_by("MAD", "2026-12-01", to) == "2026-11-26"
    # An order carries its service to every promise worked out for it.
    command = CreateOrder(
        channel=Channel.WEB, customer_id="C1", idempotency_key="k9", delivery_mode=DeliveryMode.SHIP,
        ship_to=Address(city="Berlin", latitude=BERLIN[0], longitude=BERLIN[1]), shipping_service="express",
        lines=(LineInput(sku="A", quantity=1, unit_price=Money(amount_minor=1000, currency="EUR")),),
    )  # fmt: skip
    order = Order.accept(command, order_id="O9", now_ms=at(WEDNESDAY, 9))
    assert order.shipping_service == "express" and order.door().service == "express"
    sourced = order.apply_sourcing(
        SourcingResult(order_id="O9", allocations={1: (LineAllocation(location_id="MAD", quantity=1),)}),
        now_ms=at(WEDNESDAY, 10), promiser=promiser,
    )  # fmt: skip
    assert sourced.line(1).promised_on == "2026-11-26" and sourced.promised_on == "2026-11-26"
    # A retry of the same request hashes the same; one asking for another service does not.
    assert command.content_hash() != msgspec.structs.replace(command, shipping_service="").content_hash()


def test_a_countrys_public_holidays_close_its_locations_and_its_doors():
    def where(lid: str, point: tuple[float, float], country: str) -> Location:
        return dataclasses.replace(location(lid, point), country_code=country)

    network = {"BER": where("BER", BERLIN, "DE"), "HAM": where("HAM", HAMBURG, "DE")}
    thursday, friday = "2026-11-26", "2026-11-27"
    holidays = {"DE": frozenset({thursday}), "AT": frozenset({friday})}
    to = Door(latitude=BERLIN[0], longitude=BERLIN[1])
    plain = Promiser(network, at(WEDNESDAY, 18))  # past no cutoff: leaves Wednesday, arrives Thursday
    assert plain.line_promise([("HAM", 1)], 1, to) == thursday
    closed = Promiser(network, at(WEDNESDAY, 18), holidays)
    # A German holiday on Thursday: nothing is delivered in Germany that day.
    assert closed.line_promise([("HAM", 1)], 1, msgspec.structs.replace(to, country="DE")) == friday
    # Into Austria (the same distance, for the test): the German carrier does not run on
    # Thursday, and Friday is Austria's own holiday: Saturday.
    assert closed.line_promise([("HAM", 1)], 1, msgspec.structs.replace(to, country="AT")) == "2026-11-28"
    # Ready on Thursday, a German location waits for Friday to send it.
    assert closed.dispatch_day("BER") == WEDNESDAY
    assert Promiser(network, at(dt.date(2026, 11, 26), 9), holidays).dispatch_day("BER") == dt.date(2026, 11, 27)
    # The day to ship by counts the destination's holidays too: due Saturday in Austria, it must
    # leave on Wednesday (Thursday nothing leaves Germany; Friday nothing arrives in Austria).
    assert closed.ship_by("HAM", "2026-11-28", msgspec.structs.replace(to, country="AT")) == WEDNESDAY.isoformat()
    assert closed.ship_by("HAM", "2026-11-28", msgspec.structs.replace(to, country="DE")) == "2026-11-27"
