"""Location capacity per local day: the units orders are planned to ship from each location.

A location's daily capacity is its pick-and-pack throughput; sourcing plans within
what is left of today's, and routes around a location whose day is full. A day is
the location's own calendar day, in its time zone (``Location.time_zone``; UTC where
none is set): a store in Los Angeles starts a new day at its midnight, not at 16:00
or 17:00 as a UTC day would have it, and a plan across time zones uses each
location's own day. What an order uses is recorded per order
(``oms:{cap}:order:<id>``: per location, the day and its units) beside each day's
totals (``oms:{cap}:day:<yyyymmdd>``: units per location), and ``take`` replaces an
order's whole record, the way a reservation replaces an order's holding: idempotent
(the same plan twice changes nothing), all or nothing per order (a plan that would
overfill any location is refused and changes nothing), and re-sourcing or cancelling
(an empty plan) gives back what the order used, to the day it was used on. Units an
order keeps after shipping stay counted: they used the day.

Every key shares the ``{cap}`` hash tag, so each script touches one slot.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import redis.asyncio as aioredis

from oms_actors.domain.days import today
from oms_actors.store.script_calls import script_calls

PREFIX = "oms:{cap}:"
# A day's totals and an order's record outlive the day by a little: a plan made
# yesterday is given back to yesterday, which no longer limits anything.
KEEP_S = 3 * 86_400

# KEYS: the order's record. ARGV: prefix, keep seconds, shrink ('1': lower the order's
# use, each location on the day it was recorded; never refused, never adds), then per
# location: id, day, units (the order's whole plan), capacity (0: no limit). A record
# holds per location '<day>:<units>'; one written before days were per location holds
# '@day' and plain units, and is read as that day for each. Answers {} when recorded,
# else the locations the plan would overfill (then nothing changed).
TAKE = """
local order_key = KEYS[1]
local prefix, keep, shrink = ARGV[1], tonumber(ARGV[2]), ARGV[3] == '1'
local prev = redis.call('HGETALL', order_key)
local old_day = nil
local prev_day, prev_units = {}, {}
for i = 1, #prev, 2 do
  local field, value = prev[i], prev[i + 1]
  if field == '@day' then
    old_day = value
  else
    local sep = string.find(value, ':', 1, true)
    if sep then
      prev_day[field] = string.sub(value, 1, sep - 1)
      prev_units[field] = tonumber(string.sub(value, sep + 1))
    else
      prev_units[field] = tonumber(value)
    end
  end
end
for loc, _ in pairs(prev_units) do
  if not prev_day[loc] then prev_day[loc] = old_day end
end
local full = {}
if not shrink then
  for i = 4, #ARGV, 4 do
    local loc, day, units, cap = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3])
    local mine = (prev_day[loc] == day) and (prev_units[loc] or 0) or 0
    if cap > 0 and units > mine then
      local used = tonumber(redis.call('HGET', prefix .. 'day:' .. day, loc) or '0')
      if used - mine + units > cap then table.insert(full, loc) end
    end
  end
  if #full > 0 then return full end
end
for loc, units in pairs(prev_units) do
  if prev_day[loc] then redis.call('HINCRBY', prefix .. 'day:' .. prev_day[loc], loc, -units) end
end
redis.call('DEL', order_key)
local any = false
for i = 4, #ARGV, 4 do
  local loc, day, units = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  if shrink then
    if prev_units[loc] and prev_day[loc] then
      units, day = math.min(units, prev_units[loc]), prev_day[loc]
    else
      units = 0
    end
  end
  if units > 0 then
    local day_key = prefix .. 'day:' .. day
    redis.call('HINCRBY', day_key, loc, units)
    redis.call('EXPIRE', day_key, keep)
    redis.call('HSET', order_key, loc, day .. ':' .. units)
    any = true
  end
end
if any then redis.call('EXPIRE', order_key, keep) end
return full
"""


def _order_key(order_id: str) -> str:
    return f"{PREFIX}order:{order_id}"


def _day_key(day: str) -> str:
    return f"{PREFIX}day:{day}"


@dataclass(frozen=True, kw_only=True, slots=True)
class CapacityView:
    """What is left of the day's capacity, as one order may plan with it."""

    days: dict[str, str]  # capped location -> its current day (yyyymmdd)
    left: dict[str, int]  # capped location -> units still free today (before crediting the order)
    mine: dict[str, dict[str, int]]  # order id -> units it already uses today per capped location

    def credited(self, order_ids: Iterable[str] | None = None) -> dict[str, int]:
        """What is left, plus what these orders (all of ``mine`` when None) already use:
        the room they may plan with together, since re-planning them gives theirs back."""
        room = dict(self.left)
        for order_id in self.mine if order_ids is None else order_ids:
            for loc, units in self.mine.get(order_id, {}).items():
                if loc in room:
                    room[loc] += units
        return room

    def for_order(self, order_id: str) -> dict[str, int]:
        return self.credited([order_id])


def _days_for(locations: Iterable[str], days: Mapping[str, str] | None, day: str | None) -> dict[str, str]:
    """The day each location counts in: ``days`` where it names one, else ``day``, else
    today in UTC (callers that know the locations' time zones pass ``days``)."""
    days = days or {}
    fallback = day or today()
    return {loc: days.get(loc) or fallback for loc in locations}


def _record(raw: Mapping[bytes | str, bytes | str]) -> dict[str, tuple[str, int]]:
    """An order's record: location -> (day, units); also one written before days were per location."""
    fields = {_text(k): _text(v) for k, v in raw.items()}
    old_day = fields.pop("@day", "")
    out = {}
    for loc, value in fields.items():
        day, sep, units = value.partition(":")
        out[loc] = (day, int(units)) if sep else (old_day, int(value))
    return out


class CapacityLedger:
    """Each location's use of its days. ``days`` (location -> yyyymmdd, from
    ``RoutingView.days``) says which day each location is on; ``day`` puts every location on
    one day (tests, reports); neither: today in UTC."""

    def __init__(self, client: aioredis.Redis) -> None:
        self.client = client
        self._take = client.register_script(TAKE)
        self._calls = script_calls(client)

    async def view(
        self,
        capacity: Mapping[str, int],
        order_ids: Sequence[str],
        *,
        days: Mapping[str, str] | None = None,
        day: str | None = None,
    ) -> CapacityView:
        """Today's free units at the capped locations, and what these orders already use: one round trip."""
        on = _days_for(sorted(capacity), days, day)
        by_day: dict[str, list[str]] = {}
        for loc, d in on.items():
            by_day.setdefault(d, []).append(loc)
        pipe = self.client.pipeline(transaction=False)
        for d, locs in by_day.items():
            pipe.hmget(_day_key(d), locs)
        for order_id in order_ids:
            pipe.hgetall(_order_key(order_id))
        answers = await pipe.execute()
        left: dict[str, int] = {}
        for (d, locs), used in zip(by_day.items(), answers):
            for loc, u in zip(locs, used):
                left[loc] = max(0, capacity[loc] - int(u or 0))
        mine: dict[str, dict[str, int]] = {}
        for order_id, raw in zip(order_ids, answers[len(by_day) :]):
            theirs = {loc: units for loc, (d, units) in _record(raw).items() if on.get(loc) == d}
            if theirs:
                mine[order_id] = theirs
        return CapacityView(days=on, left=dict(sorted(left.items())), mine=mine)

    async def take(
        self,
        order_id: str,
        units: Mapping[str, int],
        capacity: Mapping[str, int],
        *,
        days: Mapping[str, str] | None = None,
        day: str | None = None,
    ) -> list[str]:
        """Makes ``units`` (location -> units) the order's whole use of its locations' days;
        answers the locations it would overfill (then nothing changed), else []."""
        return await self._run(order_id, False, units, capacity, _days_for(units, days, day))

    async def shrink(self, order_id: str, units: Mapping[str, int]) -> None:
        """Lowers the order's use, each location on the day it was planned, to at most
        ``units`` per location (cancelled lines); never refused, never adds."""
        await self._run(order_id, True, units, {}, {})

    async def release(self, order_id: str) -> None:
        """Gives back what the order uses (cancelled, or left holding nothing)."""
        await self._run(order_id, True, {}, {}, {})

    async def _run(
        self, order_id: str, shrink: bool, units: Mapping[str, int], capacity: Mapping[str, int], days: Mapping[str, str]
    ) -> list[str]:
        args: list[str | int] = [PREFIX, KEEP_S, "1" if shrink else ""]
        for loc in sorted(units):
            args += [loc, days.get(loc, ""), int(units[loc]), int(capacity.get(loc, 0))]
        full = await self._calls.call(self._take, [_order_key(order_id)], [str(a) for a in args])
        return [_text(loc) for loc in full]

    async def used(
        self, locations: Sequence[str], *, days: Mapping[str, str] | None = None, day: str | None = None
    ) -> dict[str, int]:
        """Units planned on each location's day (reports, tests)."""
        on = _days_for(locations, days, day)
        pipe = self.client.pipeline(transaction=False)
        for loc in locations:
            pipe.hget(_day_key(on[loc]), loc)
        return {loc: int(u or 0) for loc, u in zip(locations, await pipe.execute())}


class CapacityLeft:
    """What is left of today's capacity at the capped locations, for availability answers:
    read at most ``ttl_s`` ago, so a burst of queries costs one Redis read."""

    def __init__(self, ledger: CapacityLedger, *, ttl_s: float = 0.5) -> None:
        self.ledger = ledger
        self.ttl_s = ttl_s
        self._read_at = float("-inf")
        self._for: tuple[dict[str, int], dict[str, str]] = ({}, {})
        self._left: dict[str, int] = {}

    async def left(self, capacity: Mapping[str, int], days: Mapping[str, str]) -> dict[str, int]:
        """``days``: each capped location's current day (a new day reads afresh)."""
        if not capacity:
            return {}
        now = time.monotonic()
        asked = (dict(capacity), {loc: days[loc] for loc in capacity if loc in days})
        if now - self._read_at > self.ttl_s or self._for != asked:
            view = await self.ledger.view(capacity, [], days=days)
            self._left, self._for, self._read_at = view.left, asked, now
        return self._left


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
