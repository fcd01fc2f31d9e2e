"""Scenario files: the shipped ones load, mistakes are named by field, and a seed fixes the day."""

from __future__ import annotations

import collections
import datetime as dt
import json

import numpy as np
import pytest

from benchmarks.demand import generate_day, hourly_counts, unique_requests
from benchmarks.fields import ScenarioError
from benchmarks.recording import read_day, read_schedule, write_day
from benchmarks.scenario import load_scenario, shipped_names
from benchmarks.world import build_world
from protos.oms.v1 import common_pb2


def fields_of(exc: ScenarioError) -> set[str]:
    return {field for field, _ in exc.problems}


def test_the_shipped_scenarios_load():
    assert {"normal-day", "peak-day", "warehouse-closed", "smoke"} <= set(shipped_names())
    normal, peak, closed = (load_scenario(n) for n in ("normal-day", "peak-day", "warehouse-closed"))
    assert peak.demand.orders_per_day() == pytest.approx(10 * normal.demand.orders_per_day())
    assert peak.stock.scale < normal.stock.scale  # scarce: a normal day's stock, less a shortfall
    assert set(normal.active_locations) - set(closed.active_locations) == {"DC-DORTMUND"}
    assert closed.network.locations["DC-DORTMUND"].type == "warehouse"  # the base's fields survive the override
    assert normal.routing_rules_message().max_shipments == 3
    shifts = load_scenario("peak-day-extra-shifts")
    assert shifts.demand == peak.demand and shifts.stock == peak.stock  # the same day, more capacity
    for lid, loc in peak.network.locations.items():
        assert shifts.network.locations[lid].capacity_units_per_day == 3 * loc.capacity_units_per_day
    inspect_first = load_scenario("inspect-first")
    assert inspect_first.demand == normal.demand and inspect_first.returns.worn_share > 0
    assert inspect_first.return_policy_message().resolve_on_receipt is False
    assert inspect_first.return_policy_message().window_days == normal.return_policy_message().window_days


def test_deductions_for_wear_need_money_paid_back_after_inspection():
    with pytest.raises(ScenarioError) as info:
        load_scenario("normal-day").derive({"returns": {"worn_share": 0.1}})
    assert fields_of(info.value) == {"returns.worn_share"}
    assert "resolve_on_receipt false" in str(info.value)
    with pytest.raises(ScenarioError) as info:
        load_scenario("inspect-first").derive({"returns": {"worn_deduction_percent": 0}})
    assert fields_of(info.value) == {"returns.worn_deduction_percent"}


def test_a_scenario_loads_from_a_file_with_a_base(tmp_path):
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"base": "normal-day", "name": "mine", "demand": {"scale": 0.5}}))
    mine = load_scenario(path)
    assert mine.name == "mine" and mine.demand.scale == 0.5
    assert mine.catalogue == load_scenario("normal-day").catalogue


def test_every_mistake_is_named_by_its_field(tmp_path):
    normal = load_scenario("normal-day")
    with pytest.raises(ScenarioError) as info:
        normal.derive(
            {
                "demand": {"orders_per_hour": {"web": [1, 2, 3], "telegraph": [0] * 24}, "retry_share": 1.5},
                "network": {
                    "locations": {
                        "DC-HAMBURG": {"type": "depot", "lat": 123, "time_zone": "Europe/Hamborg"},
                        "DC-ERFURT": {"shipping": {"cutoff": "16:60", "delivery_weekdays": [0]}},
                    }
                },
                "payments": {"consumer": {"bitcoin": 1.0}},
                "routing_rules": {"rules": [{"effect": "RULE_EFFECT_DENY", "location_ids": ["NOWHERE"]}], "max_shipments": -1},
                "risk_rules": {"hold_order_value_above_minor": -1},
                "tax_rates": {"countries": [{"country_code": "de", "rates_bps": [1900]}]},
                "return_policy": {"window_days": -1},
                "colour": "blue",
            }
        )
    assert fields_of(info.value) >= {
        "demand.orders_per_hour.web",
        "demand.orders_per_hour.telegraph",
        "demand.retry_share",
        "network.locations.DC-HAMBURG.type",
        "network.locations.DC-HAMBURG.lat",
        "network.locations.DC-HAMBURG.time_zone",
        "network.locations.DC-ERFURT.shipping.cutoff",
        "network.locations.DC-ERFURT.shipping.delivery_weekdays",
        "payments.consumer.bitcoin",
        "routing_rules.rules[0].location_ids[0]",
        "routing_rules.max_shipments",
        "risk_rules.hold_order_value_above_minor",
        "tax_rates.countries[0].country_code",
        "return_policy.window_days",
        "colour",
    }
    assert "must hold 24 numbers" in str(info.value)
    with pytest.raises(ScenarioError) as info:
        normal.derive({"routing_rules": {"rules": "none"}})
    assert fields_of(info.value) == {"routing_rules"}
    with pytest.raises(ScenarioError) as info:
        normal.derive({"risk_rules": {"hold_when_it_rains": True}})
    assert fields_of(info.value) == {"risk_rules"}
    with pytest.raises(ScenarioError) as info:
        normal.derive({"return_policy": {"refunds_instantly": True}})
    assert fields_of(info.value) == {"return_policy"}
    with pytest.raises(ScenarioError) as info:
        normal.derive({"network": {"locations": {"DC-ERFURT": {"shipping": {"leaves_at": "16:00"}}}}})
    assert fields_of(info.value) == {"network.locations.DC-ERFURT.shipping"}
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ScenarioError, match="not JSON"):
        load_scenario(bad)
    with pytest.raises(ScenarioError, match="no shipped scenario"):
        load_scenario("no-such-day")


def test_a_missing_field_is_named(tmp_path):
    path = tmp_path / "half.json"
    path.write_text(json.dumps({"name": "half", "seed": 1}))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert {"network", "catalogue", "stock", "customers", "demand", "payments", "returns"} <= fields_of(info.value)


def test_a_seed_fixes_the_day_and_the_network_does_not_change_it():
    normal = load_scenario("smoke")
    a = generate_day(normal, build_world(normal))
    b = generate_day(normal, build_world(normal))
    assert a.sha256() == b.sha256() and list(a.payloads()) == list(b.payloads())
    closed = normal.derive({"network": {"locations": {"DC-DORTMUND": {"active": False}}}})
    assert generate_day(closed, build_world(closed)).sha256() == a.sha256()
    other = normal.derive({"seed": 8})
    assert generate_day(other, build_world(other)).sha256() != a.sha256()
    # Stock at the warehouses left open is the same: only the closed one is out.
    open_stock = {(s.location_id, s.sku, s.on_hand) for s in build_world(normal).stock if s.location_id != "DC-DORTMUND"}
    assert open_stock <= {(s.location_id, s.sku, s.on_hand) for s in build_world(closed).stock}


def test_the_day_follows_the_scenario():
    s = load_scenario("smoke")
    world = build_world(s)
    day = generate_day(s, world)
    orders = [day.requests[i] for i in unique_requests(day.requests)]
    expected = {ch: int(c.sum()) for ch, c in hourly_counts(s).items()}
    assert len(orders) == sum(expected.values()) == round(s.demand.orders_per_day())
    assert np.all(np.diff(day.arrivals_s) >= 0) and 0 <= day.arrivals_s.min() and day.arrivals_s.max() < 86400
    assert len(day.requests) > len(orders)  # some retries, sent twice with one key
    pricing = s.pricing
    for r in orders:
        items = sum(line.quantity * line.unit_price.amount_minor for line in r.lines)
        shipping = r.shipping.amount.amount_minor
        assert sum(p.amount.amount_minor for p in r.payments) == items + shipping
        assert len({line.sku for line in r.lines}) == len(r.lines)
        assert {line.tax_rate_bps for line in r.lines} <= {pricing.tax_rate_bps, pricing.reduced_rate_bps}
        if r.delivery_mode == common_pb2.DELIVERY_MODE_PICKUP_IN_STORE:
            assert r.pickup_location_id in world.pickup_ids and not r.HasField("shipping")
        else:
            assert r.ship_to.position.latitude != 0
            # Shipping is charged below the threshold, and only there.
            assert shipping == (pricing.shipping_minor if items < pricing.free_shipping_from_minor else 0)
    rates = [line.tax_rate_bps for r in orders for line in r.lines]
    assert 0.05 < rates.count(pricing.reduced_rate_bps) / len(rates) < 0.3  # about reduced_share (0.15) of lines
    gift = {g.number: g.amount_minor for g in day.gift_cards}
    assert gift and all(
        p.amount.amount_minor <= gift[p.token] for r in orders for p in r.payments if p.token in gift
    )
    # Field sales sells mostly to business customers, who pay on invoice against a credit limit.
    business = {c.customer_id for c in world.customers if c.credit_limit.amount_minor > 0}
    field_sales = [r for r in orders if r.channel == common_pb2.CHANNEL_FIELD_SALES]
    assert sum(r.customer_id in business for r in field_sales) > len(field_sales) / 2


def test_the_recorded_day_reads_back_byte_for_byte(tmp_path):
    s = load_scenario("smoke")
    day = generate_day(s, build_world(s))
    digest = write_day(day, tmp_path / "demand.bin")
    again = read_day(tmp_path)
    assert digest == again.sha256() == day.sha256()
    assert [r.SerializeToString() for r in again.requests] == [r.SerializeToString() for r in day.requests]
    assert again.customers == day.customers and again.gift_cards == day.gift_cards
    assert np.array_equal(again.arrivals_s, day.arrivals_s)
    assert [p for _, p in read_schedule(tmp_path / "demand.bin")] == list(day.payloads())
    damaged = bytearray((tmp_path / "demand.bin").read_bytes())
    damaged[-3] ^= 0xFF
    (tmp_path / "damaged.bin").write_bytes(bytes(damaged))
    with pytest.raises(ValueError):
        read_day(tmp_path / "damaged.bin")


def test_risk_rules_are_the_services_defaults_unless_a_scenario_sets_them():
    from gateway.convert import risk_rules_to_proto
    from oms_actors.domain.risk import RiskRules

    normal = load_scenario("normal-day")
    assert normal.risk_rules_message() == risk_rules_to_proto(RiskRules(), 0)
    strict = normal.derive({"risk_rules": {"hold_order_value_above_minor": 20_000, "hold_on_country_mismatch": True}})
    message = strict.risk_rules_message()
    assert message.hold_order_value_above_minor == 20_000 and message.hold_on_country_mismatch
    assert not message.HasField("reject_order_value_above_minor")  # unset: off
    assert build_world(strict).risk_rules == message


def test_express_orders_ask_for_a_day_and_a_replay_asks_as_many_days_ahead(tmp_path):
    s = load_scenario("smoke").derive({"demand": {"express_share": {"web": 0.5, "mobile_app": 0.0}, "express_days": 2}})
    made_on = dt.date(2026, 11, 20)
    day = generate_day(s, build_world(s), today=made_on)
    asked = [r for r in day.requests if r.HasField("deliver_by")]
    shipped = common_pb2.DELIVERY_MODE_SHIP
    web_shipped = [r for r in day.requests if r.channel == common_pb2.CHANNEL_WEB and r.delivery_mode == shipped]
    assert asked and {r.channel for r in asked} == {common_pb2.CHANNEL_WEB}
    assert 0.3 < len(asked) / len(web_shipped) < 0.7  # about half
    assert {r.deliver_by.ToDatetime().date() for r in asked} == {dt.date(2026, 11, 22)}
    # The other draws are as they were: without express, the same orders with the same lines.
    plain = generate_day(s.derive({"demand": {"express_share": {"web": 0.0, "mobile_app": 0.0}}}), build_world(s), today=made_on)
    def orders(d):
        return [(r.idempotency_key, list(r.lines)) for r in d.requests]

    assert orders(plain) == orders(day)
    assert not any(r.HasField("deliver_by") for r in plain.requests)

    write_day(day, tmp_path / "demand.bin")
    recorded = read_day(tmp_path)
    assert recorded.made_on == "2026-11-20" and recorded.asked_from(made_on) is recorded
    later = recorded.asked_from(dt.date(2026, 11, 28))
    assert {r.deliver_by.ToDatetime().date() for r in later.requests if r.HasField("deliver_by")} == {dt.date(2026, 11, 30)}
    assert recorded.sha256() == day.sha256()  # the recording itself is unchanged


def test_some_orders_ask_for_the_networks_carrier_service_and_the_other_draws_stay_as_they_were():
    quiet = {"web": 0.0, "mobile_app": 0.0}
    s = load_scenario("smoke").derive({"demand": {"express_share": quiet, "carrier_service_share": {**quiet, "web": 0.5}}})
    day = generate_day(s, build_world(s), today=dt.date(2026, 11, 20))
    asked = [r for r in day.requests if r.shipping_service]
    shipped = common_pb2.DELIVERY_MODE_SHIP
    web_shipped = [r for r in day.requests if r.channel == common_pb2.CHANNEL_WEB and r.delivery_mode == shipped]
    assert {r.shipping_service for r in asked} == {"next_day"} and {r.channel for r in asked} == {common_pb2.CHANNEL_WEB}
    assert 0.3 < len(asked) / len(web_shipped) < 0.7
    # The network offers it at its warehouses.
    world = build_world(s)
    offering = {loc.location_id for loc in world.locations if any(x.code == "next_day" for x in loc.shipping.services)}
    assert offering == {"DC-HAMBURG", "DC-DORTMUND", "DC-ERFURT", "DC-AUGSBURG"}
    plain = generate_day(s.derive({"demand": {"carrier_service_share": quiet}}), build_world(s), today=dt.date(2026, 11, 20))
    def orders(d):
        return [(r.idempotency_key, list(r.lines)) for r in d.requests]

    assert orders(plain) == orders(day)
    assert not any(r.shipping_service for r in plain.requests)
    with pytest.raises(ScenarioError) as info:
        s.derive({"demand": {"carrier_service": "", "carrier_service_share": {"web": 2.0}}})
    assert fields_of(info.value) == {"demand.carrier_service", "demand.carrier_service_share.web"}


def test_some_orders_ask_for_one_parcel_and_the_other_draws_stay_as_they_were():
    s = load_scenario("smoke")
    day = generate_day(s, build_world(s), today=dt.date(2026, 11, 20))
    asked = [r for r in day.requests if r.ship_complete]
    by_channel = collections.Counter(r.channel for r in day.requests)
    asked_by = collections.Counter(r.channel for r in asked)
    # The normal day's shares: web and app 5%, the call centre 10%, field sales 30%; stores and marketplaces none.
    assert set(asked_by) <= {common_pb2.CHANNEL_WEB, common_pb2.CHANNEL_MOBILE_APP, common_pb2.CHANNEL_CALL_CENTER,
                             common_pb2.CHANNEL_FIELD_SALES}  # fmt: skip
    assert 0.15 < asked_by[common_pb2.CHANNEL_FIELD_SALES] / by_channel[common_pb2.CHANNEL_FIELD_SALES] < 0.45
    none = s.derive({"demand": {"ship_complete_share": {c: 0.0 for c in ("web", "mobile_app", "call_center", "field_sales")}}})
    plain = generate_day(none, build_world(s), today=dt.date(2026, 11, 20))
    assert not any(r.ship_complete for r in plain.requests)
    for a, b in zip(plain.requests, day.requests):
        b = type(b).FromString(b.SerializeToString())
        b.ship_complete = False
        assert a == b  # every other draw as it was
    with pytest.raises(ScenarioError) as info:
        s.derive({"demand": {"ship_complete_share": {"web": 1.5, "nowhere": 0.1}}})
    assert fields_of(info.value) == {"demand.ship_complete_share.web", "demand.ship_complete_share.nowhere"}


def test_some_orders_ask_for_a_later_day_and_a_replay_asks_as_many_days_ahead():
    s = load_scenario("smoke").derive({"demand": {"scale": 0.3}})  # about 90 field sales orders
    made = dt.date(2026, 11, 20)
    day = generate_day(s, build_world(s), today=made)
    later = [r for r in day.requests if r.HasField("deliver_from")]
    ahead = {(r.deliver_from.ToDatetime().date() - made).days for r in later}
    assert later and ahead <= set(range(2, 15)) and len(ahead) > 3  # 2 to 14 days ahead, spread
    assert not any(r.HasField("deliver_by") for r in later)  # an express order is not also for a later day
    field = [r for r in day.requests if r.channel == common_pb2.CHANNEL_FIELD_SALES]
    assert 0.1 < sum(r.HasField("deliver_from") for r in field) / len(field) < 0.4
    replay = day.asked_from(made + dt.timedelta(days=8))
    moved = {r.idempotency_key: r.deliver_from.ToDatetime().date() for r in replay.requests if r.HasField("deliver_from")}
    assert all(moved[r.idempotency_key] == r.deliver_from.ToDatetime().date() + dt.timedelta(days=8) for r in later)
    with pytest.raises(ScenarioError) as info:
        s.derive({"demand": {"scheduled_days": 1, "scheduled_share": {"web": -0.1}}})
    assert fields_of(info.value) == {"demand.scheduled_days", "demand.scheduled_share.web"}


def test_the_normal_network_closes_on_germanys_public_holidays_and_a_bad_day_is_named():
    world = build_world(load_scenario("normal-day"))
    [calendar] = world.holidays
    days = [dt.datetime.fromtimestamp(ts.seconds, dt.UTC).date().isoformat() for ts in calendar.dates]
    assert calendar.country_code == "DE" and days == ["2026-12-25", "2026-12-26", "2027-01-01"]
    with pytest.raises(ScenarioError) as info:
        load_scenario("normal-day").derive({"network": {"public_holidays": {"de": ["2026-12-24"], "AT": ["24.12.2026"]}}})
    assert fields_of(info.value) == {"network.public_holidays.de", "network.public_holidays.AT[0]"}
