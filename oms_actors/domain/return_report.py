"""Which items come back, and why: the returns asked for, counted by day as they are recorded.

Merchandising asks which products come back and for what reason (a size chart that runs
small, a photo that misleads, a batch that breaks), from which sales channel, and where
customers bring them back (a web order returned in a store costs the store's time). The order shards count every return
when it is first recorded, in the same atomic write as the order (so a retry, which
records nothing new, counts nothing), into one hash per UTC day of the request; a report
adds up the days asked for. Units asked back are counted, whatever came of the return
later (kept, cancelled, expired): what customers wanted to send back. A parcel that came
back undelivered is not counted: no customer sent it back, and its reasons are the carrier's. Pure.
"""

from __future__ import annotations

import heapq
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from oms_actors.domain.order import Order

UNSPECIFIED = "unspecified"  # a line that gave no reason code
SEP = "|"  # between the parts of a field (ids never contain it)
RETURNS = "returns"
UNITS = "units"
REASON = "reason"
RESOLUTION = "resolution"
SKU = "sku"
SKU_REASON = "sku_reason"
CHANNEL = "channel"  # the channel the order was sold in
ASKED_IN = "asked_in"  # the channel the return was asked in (a web order brought to a store)


def request_day(at_ms: int) -> str:
    """The UTC day (yyyymmdd) a return asked for at ``at_ms`` counts on."""
    return time.strftime("%Y%m%d", time.gmtime(at_ms / 1000))


def counts(old: Order | None, new: Order) -> dict[str, Counter[str]]:
    """day -> field -> units (``RETURNS``: returns) of the returns ``new`` records and
    ``old`` did not: what a save adds to the days' counts."""
    if old is None or new.returns is old.returns or len(new.returns) == len(old.returns):
        return {}  # (returns are only ever added to an order, never removed)
    before = {r.return_id for r in old.returns}
    out: dict[str, Counter[str]] = {}
    for r in new.returns:
        if r.return_id in before or r.shipment_id:
            continue
        day = out.setdefault(request_day(r.requested_at_ms), Counter())
        day[RETURNS] += 1
        for rl in r.lines:
            sku = new.line(rl.line_number).sku
            reason = rl.reason_code or UNSPECIFIED
            for name in (
                UNITS,
                f"{REASON}{SEP}{reason}",
                f"{RESOLUTION}{SEP}{rl.resolution.value}",
                f"{SKU}{SEP}{sku}",
                f"{CHANNEL}{SEP}{new.channel.value}",
                f"{ASKED_IN}{SEP}{r.channel}",
            ):
                day[name] += rl.quantity
            day[f"{SKU_REASON}{SEP}{sku}{SEP}{reason}"] += rl.quantity
    return out


@dataclass(frozen=True, kw_only=True)
class SkuReturns:
    sku: str
    units: int
    by_reason: dict[str, int]


@dataclass(frozen=True, kw_only=True)
class ReturnsReport:
    returns: int = 0
    units: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)
    by_resolution: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)  # the channel the order was sold in
    by_channel_asked: dict[str, int] = field(default_factory=dict)  # the channel the return was asked in
    skus: list[SkuReturns] = field(default_factory=list)  # most units first, then by SKU


def report(days: Iterable[Mapping[str, int]], *, skus: Iterable[str] = (), top: int = 20) -> ReturnsReport:
    """The days' counts added up: every reason and resolution; the SKUs asked for
    (``skus``, each even with nothing returned), or else the ``top`` most returned."""
    total: Counter[str] = Counter()
    for day in days:
        total.update(day)
    by_reason: dict[str, int] = {}
    by_resolution: dict[str, int] = {}
    by_channel: dict[str, int] = {}
    by_channel_asked: dict[str, int] = {}
    per_sku: dict[str, int] = {}
    sku_reasons: dict[str, dict[str, int]] = {}
    for name, units in total.items():
        kind, _, rest = name.partition(SEP)
        if kind == REASON:
            by_reason[rest] = units
        elif kind == RESOLUTION:
            by_resolution[rest] = units
        elif kind == CHANNEL:
            by_channel[rest] = units
        elif kind == ASKED_IN:
            by_channel_asked[rest] = units
        elif kind == SKU:
            per_sku[rest] = units
        elif kind == SKU_REASON:
            sku, _, reason = rest.rpartition(SEP)
            sku_reasons.setdefault(sku, {})[reason] = units
    asked = list(dict.fromkeys(skus))
    chosen = asked or heapq.nsmallest(top, per_sku, key=lambda s: (-per_sku[s], s))
    return ReturnsReport(
        returns=total[RETURNS],
        units=total[UNITS],
        by_reason=by_reason,
        by_resolution=by_resolution,
        by_channel=by_channel,
        by_channel_asked=by_channel_asked,
        skus=[SkuReturns(sku=s, units=per_sku.get(s, 0), by_reason=sku_reasons.get(s, {})) for s in chosen],
    )
