"""Reading the order event stream: one Redis stream per order shard, merged for a consumer.

A cursor is the last entry id seen in every shard's stream, so a consumer that
resumes from it gets every later event exactly once, in order per order (an
order's events all live in its shard's stream). Across orders there is no
global order beyond the entries' timestamps.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis

from oms_actors.domain.errors import FieldViolation, ValidationError
from oms_actors.domain.events import OrderEvent
from oms_actors.store import keys

START = "0-0"


@dataclass(frozen=True)
class EventCursor:
    positions: tuple[str, ...]  # last entry id seen per order shard

    @classmethod
    def start(cls, shards: int) -> EventCursor:
        return cls(positions=(START,) * shards)

    @classmethod
    def parse(cls, raw: str, shards: int) -> EventCursor:
        if not raw:
            return cls.start(shards)
        parts = raw.split(",")
        valid = len(parts) == shards and all(
            len(p.split("-")) == 2 and all(x.isdigit() for x in p.split("-")) for p in parts
        )
        if not valid:
            raise ValidationError.of([FieldViolation(field="after", description="not a cursor of this stream")])
        return cls(positions=tuple(parts))

    def advanced(self, shard: int, entry_id: str) -> EventCursor:
        positions = list(self.positions)
        positions[shard] = entry_id
        return EventCursor(positions=tuple(positions))

    def __str__(self) -> str:
        return ",".join(self.positions)


class EventReader:
    def __init__(self, client: aioredis.Redis, order_shards: int) -> None:
        self.client = client
        self.order_shards = order_shards

    async def read(
        self, cursor: EventCursor, *, count: int = 500, block_ms: int | None = None
    ) -> list[tuple[int, str, OrderEvent]]:
        """Events after the cursor: (shard, entry id, event), oldest first across shards."""
        streams = {keys.order_events(i): cursor.positions[i] for i in range(self.order_shards)}
        answer = await self.client.xread(streams, count=count, block=block_ms)
        found: list[tuple[int, str, OrderEvent]] = []
        shard_of_key = {keys.order_events(i): i for i in range(self.order_shards)}
        for key, entries in answer or []:
            shard = shard_of_key[key.decode() if isinstance(key, bytes) else key]
            for entry_id, fields in entries:
                raw = {k.decode(): v.decode() for k, v in fields.items()}
                found.append((shard, entry_id.decode(), OrderEvent.from_fields(raw)))
        found.sort(key=lambda item: tuple(int(x) for x in item[1].split("-")))
        return found

    async def timeline(self, customer_id: str, *, limit: int) -> list[OrderEvent]:
        """The customer's latest events, newest first."""
        entries = await self.client.xrevrange(keys.customer_timeline(customer_id), count=limit)
        return [OrderEvent.from_fields({k.decode(): v.decode() for k, v in fields.items()}) for _, fields in entries]
