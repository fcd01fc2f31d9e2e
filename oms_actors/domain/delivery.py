"""Delivery promises: the day an order line's units reach the customer, from where they are sourced.

Each location has a shipping schedule: the weekdays parcels leave it, a cutoff time after
which what is released leaves the next of those days, the days of handling before that,
and how its carrier travels (kilometres a day, at least so many days, on the weekdays it
delivers). A line's promise is the latest day any of its units arrives: from stock on
hand, counting from the moment it was sourced; from supply on its way (a promise site),
counting from the day after the supply is expected, the day it is received. A line with
units waiting for stock with no date has no promise.

The customer is told the promise when the line is first wholly planned, and it stays as
told (``OrderLine.promised_on``): a later re-sourcing does not move it.

Public holidays are kept per country (``SetPublicHolidays``): nothing leaves a location on
its country's, and nothing is delivered on the destination country's, beside each
location's own closed dates.

A location may offer carrier services beside its standard one (``CarrierService``: an
express, a next-day product), each with its own transit and cutoff. An order asking for
one (``Order.shipping_service``) is promised by it from the locations that offer it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import msgspec

from oms_actors.domain.days import zone
from oms_actors.domain.inbound import split_site

if TYPE_CHECKING:
    from oms_actors.domain.network import Location

WEEKDAYS = frozenset(range(1, 8))  # ISO: 1 Monday .. 7 Sunday
DEFAULT_SHIPPING_WEEKDAYS: tuple[int, ...] = (1, 2, 3, 4, 5)
DEFAULT_DELIVERY_WEEKDAYS: tuple[int, ...] = (1, 2, 3, 4, 5, 6)
DEFAULT_KM_PER_DAY = 500
DEFAULT_TRANSIT_MIN_DAYS = 1
MAX_HANDLING_DAYS = 60
MAX_TRANSIT_DAYS = 60
MAX_KM_PER_DAY = 20_000
_EARTH_RADIUS_KM = 6371.0088  # as optimizer.costs: the same distances the costs are of


MAX_SERVICES = 16


class CarrierService(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A faster (or slower) product of a location's carriers than its standard service, which
    the shop sells at checkout by its code: the service's own transit and cutoff, and what a
    parcel sent by it costs beyond the location's shipment cost (sourcing weighs it)."""

    code: str  # "express", "next_day": what CreateOrderRequest.shipping_service names
    transit_km_per_day: int = DEFAULT_KM_PER_DAY
    transit_min_days: int = DEFAULT_TRANSIT_MIN_DAYS
    cutoff_minute: int | None = None  # None: the schedule's
    parcel_cost_minor: int = 0
    delivery_weekdays: tuple[int, ...] = ()  # its carrier's (a Saturday delivery product); (): the schedule's


class ShippingSchedule(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """When parcels leave a location and how long they travel from it."""

    handling_days: int = 0  # shipping days between release and dispatch (0: the day released)
    cutoff_minute: int | None = None  # local minutes after midnight; released later: the next shipping day
    shipping_weekdays: tuple[int, ...] = DEFAULT_SHIPPING_WEEKDAYS
    transit_km_per_day: int = DEFAULT_KM_PER_DAY
    transit_min_days: int = DEFAULT_TRANSIT_MIN_DAYS
    delivery_weekdays: tuple[int, ...] = DEFAULT_DELIVERY_WEEKDAYS
    # Days (YYYY-MM-DD) nothing leaves here and its carrier does not deliver: a stocktake, a
    # local holiday (a country's public holidays are kept once for it: Promiser's holidays).
    closed_dates: frozenset[str] = frozenset()
    # Its carriers' other services, each code once; the fields above are the standard one.
    services: tuple[CarrierService, ...] = ()

    def service(self, code: str) -> CarrierService | None:
        """The service of that code offered here; None for the standard one ("") or one not offered."""
        for service in self.services:
            if service.code == code:
                return service
        return None

    def sent_by(self, code: str) -> str:
        """The service a parcel asking for ``code`` leaves by: that one where offered here, else
        the standard one ("")."""
        return code if code and self.service(code) is not None else ""

    def for_service(self, code: str) -> ShippingSchedule:
        """The schedule parcels sent by service ``code`` keep: its transit, cutoff and delivery
        weekdays, the rest (handling, shipping weekdays, closed dates) as here. The standard
        schedule where ``code`` is "" or not offered here: those parcels leave by the standard
        service."""
        service = self.service(code) if code else None
        if service is None:
            return self
        return msgspec.structs.replace(
            self,
            transit_km_per_day=service.transit_km_per_day,
            transit_min_days=service.transit_min_days,
            cutoff_minute=self.cutoff_minute if service.cutoff_minute is None else service.cutoff_minute,
            delivery_weekdays=service.delivery_weekdays or self.delivery_weekdays,
            services=(),
        )

    def dispatch_day(self, ready: dt.datetime) -> dt.date:
        """The day a parcel ready at ``ready`` (the location's local time) leaves."""
        day = ready.date()
        if self.cutoff_minute is not None and ready.hour * 60 + ready.minute >= self.cutoff_minute:
            day += _ONE_DAY
        day = self._on_or_after(day, self.shipping_weekdays)
        for _ in range(self.handling_days):
            day = self._on_or_after(day + _ONE_DAY, self.shipping_weekdays)
        return day

    def arrival_day(self, dispatched: dt.date, km: float) -> dt.date:
        """The day a parcel that left on ``dispatched`` arrives ``km`` away: a transit day per
        ``transit_km_per_day`` begun, at least ``transit_min_days``, on days the carrier delivers."""
        days = max(self.transit_min_days, math.ceil(km / self.transit_km_per_day - 1e-9))
        day = dispatched
        for _ in range(days):
            day = self._on_or_after(day + _ONE_DAY, self.delivery_weekdays)
        return self._on_or_after(day, self.delivery_weekdays)

    def latest_dispatch(self, due: dt.date, km: float) -> dt.date:
        """The last shipping day a parcel can leave and still arrive ``km`` away by ``due``: the
        day a location must ship by to keep a promise (the earliest it could, if none can)."""
        day = due
        # Transit is at most 60 days and a week of closed weekdays per closed date: bounded.
        for _ in range(7 * (len(self.closed_dates) + 1) + MAX_TRANSIT_DAYS * 7):
            if self._on_or_after(day, self.shipping_weekdays) == day and self.arrival_day(day, km) <= due:
                return day
            day -= _ONE_DAY
        return day

    def _on_or_after(self, day: dt.date, weekdays: tuple[int, ...]) -> dt.date:
        """The first of ``weekdays`` on or after ``day`` that is not a closed date (every day
        where no weekdays are given)."""
        # Each closed date can cost a week at most (a single weekday): bounded.
        for _ in range(7 * (len(self.closed_dates) + 1)):
            open_weekday = not weekdays or day.isoweekday() in weekdays
            if open_weekday and not (self.closed_dates and day.isoformat() in self.closed_dates):
                return day
            day += _ONE_DAY
        return day


DEFAULT_SCHEDULE = ShippingSchedule()


class Door(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Where units go and how: an address's place and country (whose public holidays are no
    delivery days), or the store a pickup is collected at; by a carrier service ("": each
    location's standard one)."""

    latitude: float | None = None
    longitude: float | None = None
    pickup_location_id: str = ""
    service: str = ""
    country: str = ""
_ONE_DAY = dt.timedelta(days=1)
MAX_CLOSED_DATES = 366


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), in scalar math: one pair at a time, on the capture path."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


class Promiser:
    """Delivery days from one moment (``now_ms``) over one network's locations; keeps each
    location's dispatch day, as a batch's orders mostly come from a few locations."""

    def __init__(
        self, locations: Mapping[str, Location], now_ms: int, holidays: Mapping[str, frozenset[str]] | None = None
    ) -> None:
        self._locations = locations
        self._now = dt.datetime.fromtimestamp(now_ms / 1000, dt.UTC)
        self._holidays = holidays or {}
        self._dispatch: dict[tuple[str, str], dt.date | None] = {}
        # An order's lines mostly come from the same site to the same door: worked out once.
        self._arrival: dict[tuple[str, Door], dt.date | None] = {}
        self._schedules: dict[tuple[str, str, str], ShippingSchedule] = {}

    def _schedule(self, location: Location, service: str, country: str = "") -> ShippingSchedule:
        """The location's schedule for parcels by ``service``, closed on its country's public
        holidays and, for deliveries into ``country``, on that country's too."""
        key = (location.location_id, service, country)
        schedule = self._schedules.get(key)
        if schedule is None:
            schedule = location.shipping.for_service(service)
            closed = self._holidays.get(location.country_code, frozenset())
            if country:
                closed = closed | self._holidays.get(country, frozenset())
            if closed - schedule.closed_dates:
                schedule = msgspec.structs.replace(schedule, closed_dates=schedule.closed_dates | closed)
            self._schedules[key] = schedule
        return schedule

    def dispatch_day(self, site: str, service: str = "") -> dt.date | None:
        """The day units held at ``site`` (a location, or supply expected at one) can leave it
        by carrier ``service`` ("": the standard one); None for a location the network does not know."""
        day = self._dispatch.get((site, service), dt.date.min)
        if day is not dt.date.min:
            return day
        location_id, expected = split_site(site)
        location = self._locations.get(location_id)
        if location is None:
            day = None
        elif expected:  # received the day it comes: ready from the start of the next
            start = dt.date.fromisoformat(expected) + _ONE_DAY
            day = self._schedule(location, service).dispatch_day(dt.datetime(start.year, start.month, start.day))
        else:
            day = self._schedule(location, service).dispatch_day(self._now.astimezone(zone(location.time_zone)))
        self._dispatch[(site, service)] = day
        return day

    def arrival_day(self, site: str, door: Door) -> dt.date | None:
        """The day units held at ``site`` reach ``door`` (ready to collect at its pickup store:
        the same day where they are already there); sent by its carrier service where the
        location offers it, else by its standard one."""
        key = (site, door)
        day = self._arrival.get(key, dt.date.min)
        if day is dt.date.min:
            day = self._arrival[key] = self._arrive(site, door)
        return day

    def _arrive(self, site: str, door: Door) -> dt.date | None:
        dispatched = self.dispatch_day(site, door.service)
        if dispatched is None:
            return None
        location_id, _ = split_site(site)
        if door.pickup_location_id == location_id:  # collected where it is
            return dispatched
        source = self._locations[location_id]
        trip = self._trip(source, door)
        if trip is None:
            return None
        km, country = trip
        return self._schedule(source, door.service, country).arrival_day(dispatched, km)

    def _trip(self, source: Location, door: Door) -> tuple[float, str] | None:
        """(km from ``source`` to the door, the door's country): the address's, or the pickup
        store's; None where the door has no place."""
        latitude, longitude, country = door.latitude, door.longitude, door.country
        if door.pickup_location_id:
            store = self._locations.get(door.pickup_location_id)
            if store is None:
                return None
            latitude, longitude, country = store.latitude, store.longitude, store.country_code
        if latitude is None or longitude is None:
            return None
        return distance_km(source.latitude, source.longitude, latitude, longitude), country

    def ship_by(self, location_id: str, due: str, door: Door) -> str:
        """The day (YYYY-MM-DD) units at ``location_id`` must leave by the door's carrier service
        to arrive there by ``due`` (a promise): ``due`` itself where they are collected there;
        "" where no day can be told."""
        location = self._locations.get(location_id)
        if location is None or not due:
            return ""
        if door.pickup_location_id == location_id:  # collected where it is
            return due
        trip = self._trip(location, door)
        if trip is None:
            return ""
        km, country = trip
        return self._schedule(location, door.service, country).latest_dispatch(dt.date.fromisoformat(due), km).isoformat()

    def line_promise(self, sites: Iterable[tuple[str, int]], wanted: int, door: Door) -> str | None:
        """The day (YYYY-MM-DD) the last of a line's ``wanted`` units arrives at ``door``, from
        the units held at each site; None unless every unit is held somewhere a day can be told for."""
        latest: dt.date | None = None
        held = 0
        for site, quantity in sites:
            if quantity <= 0:
                continue
            day = self.arrival_day(site, door)
            if day is None:
                return None
            held += quantity
            latest = day if latest is None or day > latest else latest
        if latest is None or held < wanted:
            return None
        return latest.isoformat()
