"""How parcels fare once they leave: shipped, delivered on time or late, back undelivered or lost.

Operations ask which carrier, carrier service or location lets customers down: parcels
that arrive after the day the customer was promised, parcels the carrier brings back or
loses, pickups nobody collects. The order shards count each step of a shipment when it is
saved, in the same atomic write as the order (a retry, which records nothing new, counts
nothing), into one hash per UTC day of the step: a parcel shipped on Monday and delivered
on Wednesday counts as shipped on Monday and delivered on Wednesday. A report adds up the
days asked for, by the location it left from and by carrier and service. Pure.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from oms_actors.domain.enums import DeliveryMode
from oms_actors.domain.fulfilment import UNDELIVERED_STATUSES, ShipmentStatus, UndeliveredReason
from oms_actors.domain.order import Order

SEP = "|"  # between the parts of a field; the carrier, free text, is the last part
SHIPPED = "shipped"
UNITS = "units"
DELIVERED = "delivered"
ON_TIME = "on_time"
LATE = "late"
SECONDS = "seconds"  # from leaving (made ready) to delivered (collected), added up
BACK = "back"  # back undelivered or lost: BACK|reason|where


def _utc_day(at_ms: int, fmt: str) -> str:
    return time.strftime(fmt, time.gmtime(at_ms / 1000))


def counts(old: Order | None, new: Order) -> dict[str, Counter[str]]:
    """day (yyyymmdd) -> field -> count of the shipment steps ``new`` records and ``old``
    did not: what a save adds to the days' counts."""
    if old is not None and new.shipments is old.shipments:
        return {}
    before = {s.shipment_id: s.status for s in old.shipments} if old is not None else {}
    mode = new.delivery_mode.value
    out: dict[str, Counter[str]] = {}

    def day_of(at_ms: int) -> Counter[str]:
        return out.setdefault(_utc_day(at_ms, "%Y%m%d"), Counter())

    for s in new.shipments:
        was = before.get(s.shipment_id)
        if was == s.status:
            continue
        where = SEP.join((s.location_id, mode, s.shipping_service, s.carrier))
        if was is None:
            day = day_of(s.shipped_at_ms)
            day[f"{SHIPPED}{SEP}{where}"] += 1
            day[f"{UNITS}{SEP}{where}"] += sum(line.quantity for line in s.lines)
        if s.status is ShipmentStatus.DELIVERED:
            day = day_of(s.delivered_at_ms)
            day[f"{DELIVERED}{SEP}{where}"] += 1
            day[f"{SECONDS}{SEP}{where}"] += max(0, s.delivered_at_ms - s.shipped_at_ms) // 1000
            promised = [
                on for n in {line.line_number for line in s.lines} if (on := new.line(n).promised_on) is not None
            ]
            if promised:
                late = _utc_day(s.delivered_at_ms, "%Y-%m-%d") > min(promised)
                day[f"{LATE if late else ON_TIME}{SEP}{where}"] += 1
        elif s.status in UNDELIVERED_STATUSES:
            day_of(s.returned_at_ms)[f"{BACK}{SEP}{s.undelivered_reason}{SEP}{where}"] += 1
    return out


@dataclass(kw_only=True)
class DeliveryCounts:
    shipped: int = 0
    units: int = 0
    delivered: int = 0
    on_time: int = 0
    late: int = 0
    seconds: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)  # UndeliveredReason value -> parcels

    @property
    def lost(self) -> int:
        return self.by_reason.get(UndeliveredReason.LOST.value, 0)

    @property
    def returned(self) -> int:
        return sum(self.by_reason.values()) - self.lost

    @property
    def mean_hours_to_deliver(self) -> float:
        return self.seconds / 3600 / self.delivered if self.delivered else 0.0

    def add(self, kind: str, reason: str, n: int) -> None:
        if kind == BACK:
            self.by_reason[reason] = self.by_reason.get(reason, 0) + n
        else:
            setattr(self, kind, getattr(self, kind) + n)


@dataclass(frozen=True, kw_only=True)
class Route:
    carrier: str
    shipping_service: str
    pickup: bool


@dataclass(frozen=True, kw_only=True)
class DeliveryReport:
    total: DeliveryCounts
    by_location: dict[str, DeliveryCounts]  # most parcels shipped first, then by id
    by_carrier: dict[Route, DeliveryCounts]  # most parcels shipped first
    by_day: dict[str, DeliveryCounts] = field(default_factory=dict)  # yyyymmdd -> its counts, every day asked, in order


_KINDS = {SHIPPED, UNITS, DELIVERED, ON_TIME, LATE, SECONDS, BACK}


def report(days: Iterable[tuple[str, Mapping[str, int]]], *, locations: Collection[str] = ()) -> DeliveryReport:
    """The days' counts (yyyymmdd, counts) added up, in total and day by day; ``locations``:
    only parcels that left from these (empty: all)."""
    total = DeliveryCounts()
    by_location: dict[str, DeliveryCounts] = {}
    by_carrier: dict[Route, DeliveryCounts] = {}
    by_day: dict[str, DeliveryCounts] = {}
    for day_name, day in days:
        that_day = by_day.setdefault(day_name, DeliveryCounts())
        for name, n in day.items():
            kind, _, rest = name.partition(SEP)
            if kind not in _KINDS:
                continue  # a field a later version counts: not this report's
            reason = ""
            if kind == BACK:
                reason, _, rest = rest.partition(SEP)
            parts = rest.split(SEP, 3)
            if len(parts) != 4:
                continue
            location, mode, service, carrier = parts
            if locations and location not in locations:
                continue
            route = Route(carrier=carrier, shipping_service=service, pickup=mode == DeliveryMode.PICKUP.value)
            here = by_location.setdefault(location, DeliveryCounts())
            for counted in (total, that_day, here, by_carrier.setdefault(route, DeliveryCounts())):
                counted.add(kind, reason, n)
    return DeliveryReport(
        total=total,
        by_location=dict(sorted(by_location.items(), key=lambda kv: (-kv[1].shipped, kv[0]))),
        by_carrier=dict(
            sorted(by_carrier.items(), key=lambda kv: (-kv[1].shipped, kv[0].carrier, kv[0].shipping_service, kv[0].pickup))
        ),
        by_day=by_day,
    )
