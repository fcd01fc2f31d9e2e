"""Reading the order event stream: one Redis stream per order shard, merged for a consumer.

Each stream entry holds the events of one save (several orders' changes at
once). A cursor names, per shard, the last entry read and how many of its
events were delivered (``<entry id>#<n>`` while part of an entry is still
owed), so a consumer that resumes from it gets every later event exactly
once, in order per order (an order's events all live in its shard's stream).
Across orders there is no global order beyond the entries' timestamps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import redis.asyncio as aioredis

from oms_actors.domain.errors import FieldViolation, ValidationError
from oms_actors.domain.events import OrderEvent
from oms_actors.domain.partitioning import shard_of
from oms_actors.store import keys
from oms_actors.store.orders import EVENTS_CODEC

START = "0-0"
_POSITION = re.compile(r"\d+-\d+(#\d+)?")


@dataclass(frozen=True)
class EventCursor:
    positions: tuple[str, ...]  # per order shard: "<entry id>" done, or "<entry id>#<n>" n events of it done

    @classmethod
    def start(cls, shards: int) -> EventCursor:
        return cls(positions=(START,) * shards)

    @classmethod
    def parse(cls, raw: str, shards: int) -> EventCursor:
        if not raw:
            return cls.start(shards)
        parts = raw.split(",")
        if len(parts) != shards or not all(_POSITION.fullmatch(p) for p in parts):
            raise ValidationError.of([FieldViolation(field="after", description="not a cursor of this stream")])
        return cls(positions=tuple(parts))

    def at(self, shard: int, entry_id: str, delivered: int, of: int) -> EventCursor:
        positions = list(self.positions)
        positions[shard] = entry_id if delivered >= of else f"{entry_id}#{delivered}"
        return EventCursor(positions=tuple(positions))

    def __str__(self) -> str:
        return ",".join(self.positions)


def _events(fields: dict[bytes, bytes]) -> list[OrderEvent]:
    return EVENTS_CODEC.decode(fields[b"e"])


class EventReader:
    def __init__(self, client: aioredis.Redis, order_shards: int) -> None:
        self.client = client
        self.order_shards = order_shards

    async def read(
        self, cursor: EventCursor, *, count: int = 200, block_ms: int | None = None
    ) -> list[tuple[int, str, int, int, OrderEvent]]:
        """Events after the cursor: (shard, entry id, index in entry, events in entry, event),
        oldest entry first across shards."""
        found: list[tuple[int, str, int, int, OrderEvent]] = []
        streams: dict[str, str] = {}
        for shard, position in enumerate(cursor.positions):
            entry_id, _, done = position.partition("#")
            if done:  # the rest of a partly delivered entry first
                for eid, fields in await self.client.xrange(keys.order_events(shard), entry_id, entry_id):
                    events = _events(fields)
                    found += [(shard, eid.decode(), i, len(events), e) for i, e in enumerate(events) if i >= int(done)]
            streams[keys.order_events(shard)] = entry_id
        if not found:
            answer = await self.client.xread(streams, count=count, block=block_ms)
            shard_of_key = {keys.order_events(i): i for i in range(self.order_shards)}
            for key, entries in answer or []:
                shard = shard_of_key[key.decode() if isinstance(key, bytes) else key]
                for eid, fields in entries:
                    events = _events(fields)
                    found += [(shard, eid.decode(), i, len(events), e) for i, e in enumerate(events)]
        found.sort(key=lambda item: (tuple(int(x) for x in item[1].split("-")), item[2]))
        return found

    async def timeline(self, customer_id: str, order_ids: list[str], *, limit: int) -> list[OrderEvent]:
        """The latest events of these orders of the customer (the ones a 360 view shows), newest
        first: from their histories, and from the customer's timeline stream as written before
        orders kept histories (each event once)."""
        pipe = self.client.pipeline(transaction=False)
        for order_id in order_ids:
            pipe.lrange(self._history_key(order_id), 0, -1)
        pipe.xrevrange(keys.customer_timeline(customer_id), count=limit)
        *histories, legacy = await pipe.execute()
        return list(reversed(_merged(histories, legacy)))[:limit]

    async def history(self, order_id: str, customer_id: str, *, skip: int, limit: int) -> tuple[list[OrderEvent], bool]:
        """The order's events, oldest first, after the first ``skip`` of them: up to ``limit``,
        and whether more follow. An order keeps them all (one list entry per save), so the
        same position finds the same event however many came since; an order placed before
        orders kept histories begins with what its customer's former timeline stream still
        holds of it (``customer_id``: its customer's), which nothing writes to any more."""
        pipe = self.client.pipeline(transaction=False)
        pipe.lrange(self._history_key(order_id), 0, -1)
        pipe.xrange(keys.customer_timeline(customer_id))
        entries, legacy = await pipe.execute()
        events = [e for e in _merged([entries], legacy, by_version=True) if e.order_id == order_id]
        return events[skip : skip + limit], len(events) > skip + limit

    def _history_key(self, order_id: str) -> str:
        return keys.order_history(shard_of(order_id, self.order_shards), order_id)


def _merged(
    histories: list[list[bytes]], legacy: list[tuple[bytes, dict[bytes, bytes]]], *, by_version: bool = False
) -> list[OrderEvent]:
    """The events of order histories and of a former timeline stream, each once, oldest first
    (``by_version``: one order's, by its versions, whatever the clocks said); within one save,
    in the order they were written (the creation before what followed)."""
    found = {_identity(e): e for entries in histories for entry in entries for e in EVENTS_CODEC.decode(entry)}
    for _, fields in legacy:
        for e in _events(fields):
            found.setdefault(_identity(e), e)
    if by_version:
        ranked = sorted(enumerate(found.values()), key=lambda pair: (pair[1].order_version, pair[0]))
    else:
        ranked = sorted(enumerate(found.values()), key=lambda pair: (pair[1].at_ms, pair[1].order_version, pair[0]))
    return [e for _, e in ranked]


def _identity(e: OrderEvent) -> tuple:
    """An event, whichever copy it is read from: a save may publish several of one type
    (two shipments, two payments captured), told apart by what they carry."""
    return (e.order_id, e.order_version, e.type, e.at_ms, tuple(sorted(e.data.items())))
