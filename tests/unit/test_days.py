"""A location's day: its own date in its time zone, which its daily capacity counts in."""

from __future__ import annotations

import datetime as dt

import optimizer
from oms_actors.domain.days import is_time_zone, local_days, today
from oms_actors.domain.enums import LocationType
from oms_actors.domain.network import Location
from oms_actors.routing import RoutingView


def _at(iso: str) -> float:
    return dt.datetime.fromisoformat(iso).timestamp()


def test_each_location_is_on_its_own_date():
    zones = {"BER": "Europe/Berlin", "LAX": "America/Los_Angeles", "AKL": "Pacific/Auckland"}
    late_evening_utc = _at("2030-01-01T23:30:00+00:00")
    assert local_days(["BER", "LAX", "AKL", "UTC"], zones, late_evening_utc) == {
        "BER": "20300102",  # 00:30 the next morning in Berlin (UTC+1 in winter)
        "LAX": "20300101",  # 15:30 in Los Angeles: the day a UTC day would have ended
        "AKL": "20300102",
        "UTC": "20300101",  # no zone: UTC
    }
    # Summer time moves the boundary: 22:30 UTC is already tomorrow in Berlin (UTC+2).
    assert local_days(["BER"], zones, _at("2030-07-01T22:30:00+00:00")) == {"BER": "20300702"}
    assert local_days(["BER"], zones, _at("2030-07-01T21:30:00+00:00")) == {"BER": "20300701"}
    assert today(late_evening_utc) == "20300101"


def test_only_iana_names_are_time_zones():
    for name in ("Europe/Berlin", "America/Los_Angeles", "UTC", "Etc/GMT-14", ""):
        assert is_time_zone(name), name
    for name in ("Mars/Olympus_Mons", "../../etc/passwd", "/etc/localtime", "Europe/" + "x" * 80, "Europe/Berlin "):
        assert not is_time_zone(name), name


def _location(lid: str, *, zone: str = "", active: bool = True, capacity: int = 0) -> Location:
    return Location(
        location_id=lid, type=LocationType.WAREHOUSE, latitude=52.5, longitude=13.4,
        active=active, daily_capacity_units=capacity, time_zone=zone,
    )  # fmt: skip


def test_the_routing_view_counts_each_active_location_in_its_zone():
    view = RoutingView.build(
        1,
        {
            "BER": _location("BER", zone="Europe/Berlin", capacity=10),
            "LAX": _location("LAX", zone="America/Los_Angeles"),
            "OFF": _location("OFF", zone="Asia/Tokyo", active=False),
            "UTC": _location("UTC", capacity=5),
        },
        optimizer.RoutingRules(),
    )
    assert view.zones == {"BER": "Europe/Berlin", "LAX": "America/Los_Angeles"}
    assert view.capacity == {"BER": 10, "UTC": 5}
    now = _at("2030-03-10T23:15:00+00:00")
    assert view.days(["BER", "LAX", "UTC"], now) == {"BER": "20300311", "LAX": "20300310", "UTC": "20300310"}
