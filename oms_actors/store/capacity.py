"""Location capacity per UTC day: the units orders are planned to ship from each location.

A location's daily capacity is its pick-and-pack throughput; sourcing plans within
what is left of today's, and routes around a location whose day is full. What an
order uses is recorded per order (``oms:{cap}:order:<id>``: the day and its units
per location) beside the day's totals (``oms:{cap}:day:<yyyymmdd>``: units per
location), and ``take`` replaces an order's whole record, the way a reservation
replaces an order's holding: idempotent (the same plan twice changes nothing),
all or nothing per order (a plan that would overfill any location is refused and
changes nothing), and re-sourcing or cancelling (an empty plan) gives back what the
order used. Units an order keeps after shipping stay counted: they used the day.

Every key shares the ``{cap}`` hash tag, so each script touches one slot.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import redis.asyncio as aioredis

from oms_actors.store.script_calls import script_calls

PREFIX = "oms:{cap}:"
# A day's totals and an order's record outlive the day by a little: a plan made
# yesterday is given back to yesterday, which no longer limits anything.
KEEP_S = 3 * 86_400

# KEYS: the order's record. ARGV: day ("" for the day of the order's record: a
# shrink, never refused), prefix, keep seconds, then per location: id, units (the
# order's whole plan), capacity (0: no limit). Day totals are named from the prefix,
# in the same {cap} slot. Answers {} when recorded, else the locations the plan
# would overfill (then nothing changed).
TAKE = """
local order_key = KEYS[1]
local day, prefix, keep = ARGV[1], ARGV[2], tonumber(ARGV[3])
local prev = redis.call('HGETALL', order_key)
local prev_day, prev_units = nil, {}
for i = 1, #prev, 2 do
  if prev[i] == '@day' then prev_day = prev[i + 1] else prev_units[prev[i]] = tonumber(prev[i + 1]) end
end
local shrink = day == ''
if shrink then
  if not prev_day then return {} end
  day = prev_day
end
local day_key = prefix .. 'day:' .. day
local full = {}
if not shrink then
  for i = 4, #ARGV, 3 do
    local loc, units, cap = ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
    local mine = (prev_day == day) and (prev_units[loc] or 0) or 0
    if cap > 0 and units > mine then
      local used = tonumber(redis.call('HGET', day_key, loc) or '0')
      if used - mine + units > cap then table.insert(full, loc) end
    end
  end
  if #full > 0 then return full end
end
if prev_day then
  local prev_key = prefix .. 'day:' .. prev_day
  for loc, units in pairs(prev_units) do redis.call('HINCRBY', prev_key, loc, -units) end
end
redis.call('DEL', order_key)
local any = false
for i = 4, #ARGV, 3 do
  local loc, units = ARGV[i], tonumber(ARGV[i + 1])
  if units > 0 and (not shrink or prev_units[loc]) then
    if shrink then units = math.min(units, prev_units[loc]) end
    redis.call('HINCRBY', day_key, loc, units)
    redis.call('HSET', order_key, loc, units)
    any = true
  end
end
if any then
  redis.call('HSET', order_key, '@day', day)
  redis.call('EXPIRE', order_key, keep)
  redis.call('EXPIRE', day_key, keep)
end
return full
"""


def today(now_s: float | None = None) -> str:
    return dt.datetime.fromtimestamp(time.time() if now_s is None else now_s, dt.timezone.utc).strftime("%Y%m%d")


def _order_key(order_id: str) -> str:
    return f"{PREFIX}order:{order_id}"


def _day_key(day: str) -> str:
    return f"{PREFIX}day:{day}"


@dataclass(frozen=True, kw_only=True, slots=True)
class CapacityView:
    """What is left of the day's capacity, as one order may plan with it."""

    day: str
    left: dict[str, int]  # capped location -> units still free today (before crediting the order)
    mine: dict[str, dict[str, int]]  # order id -> units it already uses today per location

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


class CapacityLedger:
    def __init__(self, client: aioredis.Redis) -> None:
        self.client = client
        self._take = client.register_script(TAKE)
        self._calls = script_calls(client)

    async def view(self, capacity: Mapping[str, int], order_ids: Sequence[str], *, day: str | None = None) -> CapacityView:
        """Today's free units at the capped locations, and what these orders already use: one round trip."""
        day = day or today()
        locations = sorted(capacity)
        pipe = self.client.pipeline(transaction=False)
        pipe.hmget(_day_key(day), locations)
        for order_id in order_ids:
            pipe.hgetall(_order_key(order_id))
        used, *records = await pipe.execute()
        left = {loc: max(0, capacity[loc] - int(u or 0)) for loc, u in zip(locations, used)}
        mine: dict[str, dict[str, int]] = {}
        for order_id, raw in zip(order_ids, records):
            record = {_text(k): _text(v) for k, v in raw.items()}
            if record.pop("@day", None) == day:
                mine[order_id] = {loc: int(units) for loc, units in record.items()}
        return CapacityView(day=day, left=left, mine=mine)

    async def take(
        self, order_id: str, units: Mapping[str, int], capacity: Mapping[str, int], *, day: str | None = None
    ) -> list[str]:
        """Makes ``units`` (location -> units) the order's whole use of today's capacity;
        answers the locations it would overfill (then nothing changed), else []."""
        return await self._run(order_id, day or today(), units, capacity)

    async def shrink(self, order_id: str, units: Mapping[str, int]) -> None:
        """Lowers the order's use, on the day it was planned, to at most ``units`` per location
        (cancelled lines); never refused, never adds."""
        await self._run(order_id, "", units, {})

    async def release(self, order_id: str) -> None:
        """Gives back what the order uses (cancelled, or left holding nothing)."""
        await self._run(order_id, "", {}, {})

    async def _run(self, order_id: str, day: str, units: Mapping[str, int], capacity: Mapping[str, int]) -> list[str]:
        args: list[str | int] = [day, PREFIX, KEEP_S]
        for loc in sorted(units):
            args += [loc, int(units[loc]), int(capacity.get(loc, 0))]
        full = await self._calls.call(self._take, [_order_key(order_id)], [str(a) for a in args])
        return [_text(loc) for loc in full]

    async def used(self, locations: Sequence[str], *, day: str | None = None) -> dict[str, int]:
        """Units planned today at these locations (reports, tests)."""
        raw = await self.client.hmget(_day_key(day or today()), list(locations))
        return {loc: int(u or 0) for loc, u in zip(locations, raw)}


class CapacityLeft:
    """What is left of today's capacity at the capped locations, for availability answers:
    read at most ``ttl_s`` ago, so a burst of queries costs one Redis read."""

    def __init__(self, ledger: CapacityLedger, *, ttl_s: float = 0.5) -> None:
        self.ledger = ledger
        self.ttl_s = ttl_s
        self._read_at = float("-inf")
        self._for: dict[str, int] = {}
        self._left: dict[str, int] = {}

    async def left(self, capacity: Mapping[str, int]) -> dict[str, int]:
        if not capacity:
            return {}
        now = time.monotonic()
        if now - self._read_at > self.ttl_s or self._for != capacity:
            view = await self.ledger.view(capacity, [])
            self._left, self._for, self._read_at = view.left, dict(capacity), now
        return self._left


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
