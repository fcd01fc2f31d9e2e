"""Orders in Redis: the aggregate (written by its shard only), idempotency keys, read indexes.

Single writer, many readers: the owning ``OrderShard`` writes, while the
gateway reads orders and lists straight from here.
"""

from __future__ import annotations

import base64
import json
import zlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import msgspec
import redis.asyncio as aioredis

from oms_actors.domain import delivery_report, return_report
from oms_actors.domain.customer import Customer
from oms_actors.domain.enums import Channel, OrderStatus, PaymentMethod
from oms_actors.domain.errors import FieldViolation, ValidationError
from oms_actors.domain.events import OrderEvent, order_events
from oms_actors.domain.order import Order
from oms_actors.domain.partitioning import shard_of
from oms_actors.store import keys
from oms_actors.store.bulk import BulkReads
from oms_actors.store.codec import Codec
from oms_actors.store.customers import decode_customers

ORDER_CODEC: Codec[Order] = Codec(Order)
EVENTS_CODEC: Codec[list[OrderEvent]] = Codec(list[OrderEvent], fmt="msgpack")
EVENTS_KEPT = 1_000_000  # entries per order shard; a consumer further behind than that resumes from a snapshot
_SCAN_BUDGET_PAGES = 20  # bounded work per ListOrders call when a filter is applied after the index


@dataclass(frozen=True, kw_only=True, slots=True)
class IdempotencyRecord:
    order_id: str
    content_hash: str


@dataclass(frozen=True, kw_only=True, slots=True)
class OrderFilter:
    customer_id: str = ""
    channel: Channel | None = None
    status: OrderStatus | None = None
    created_from_ms: int | None = None  # created at or after
    created_before_ms: int | None = None  # created before
    sku: str = ""  # with a line of it (a recall: whom to tell)
    late_on: str = ""  # with a line late on this day (YYYY-MM-DD, UTC); "": late or not

    def fingerprint(self) -> int:
        raw = (
            f"{self.customer_id}|{self.channel or ''}|{self.status or ''}"
            f"|{self.created_from_ms or ''}|{self.created_before_ms or ''}|{self.sku}"
        )
        if self.late_on:  # not the day itself: a token taken before midnight goes on after it
            raw += "|late"
        return zlib.crc32(raw.encode())

    def matches(self, order: Order) -> bool:
        return (
            (not self.customer_id or order.customer_id == self.customer_id)
            and (self.channel is None or order.channel == self.channel)
            and (self.status is None or order.status == self.status)
            and (self.created_from_ms is None or order.created_at_ms >= self.created_from_ms)
            and (self.created_before_ms is None or order.created_at_ms < self.created_before_ms)
            and (not self.sku or any(line.sku == self.sku for line in order.lines))
            and (not self.late_on or order.is_late(self.late_on))
        )

    def score_bounds(self) -> tuple[int | str, int | str]:
        """The index's score range (creation time) the filter covers: (highest, lowest)."""
        high = self.created_before_ms - 1 if self.created_before_ms is not None else "+inf"
        low = self.created_from_ms if self.created_from_ms is not None else "-inf"
        return high, low

    def index_key(self) -> str:
        if self.customer_id:
            return keys.order_index("customer", self.customer_id)
        if self.sku:  # fewer orders than a channel's or a status's
            return keys.order_index("sku", self.sku)
        if self.late_on:  # open orders awaiting a promised delivery: the late ones are among them
            return keys.order_index("promised", "open")
        if self.channel is not None and self.status is not None:
            return keys.order_index("chst", f"{self.channel.value}:{self.status.value}")
        if self.channel is not None:
            return keys.order_index("channel", self.channel.value)
        if self.status is not None:
            return keys.order_index("status", self.status.value)
        return keys.order_index("all")


@dataclass(frozen=True, kw_only=True, slots=True)
class Cursor:
    score: int
    order_id: str
    fingerprint: int

    def encode(self) -> str:
        raw = json.dumps({"s": self.score, "o": self.order_id, "f": self.fingerprint}, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, expected_fingerprint: int) -> Cursor:
        try:
            raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            cursor = cls(score=int(raw["s"]), order_id=str(raw["o"]), fingerprint=int(raw["f"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValidationError.of([FieldViolation(field="page_token", description="not a page token")]) from exc
        if cursor.fingerprint != expected_fingerprint:
            raise ValidationError.of(
                [FieldViolation(field="page_token", description="issued for other filters; start again without it")]
            )
        return cursor


def _status_indexes(order: Order) -> list[str]:
    return [
        keys.order_index("status", order.status.value),
        keys.order_index("chst", f"{order.channel.value}:{order.status.value}"),
    ]


def _indexes(order: Order) -> list[str]:
    cards = {p.instrument_id for p in order.payments if p.method is PaymentMethod.CARD and p.token}
    return [
        keys.order_index("all"),
        keys.order_index("customer", order.customer_id),
        keys.order_index("channel", order.channel.value),
        *_status_indexes(order),
        *(keys.order_index("instrument", card) for card in sorted(cards)),
        *(keys.order_index("sku", sku) for sku in sorted({line.sku for line in order.lines})),
    ]


# Applies a _WriteBatch: ARGV[1] lists the writes (JSON), naming keys by KEYS index and
# large values (order documents, event payloads) by ARGV index, so they travel unescaped.
_SAVE_SCRIPT = """
local ops = cjson.decode(ARGV[1])
local function chunked(cmd, key, list)
  local step = 1000
  for i = 1, #list, step do
    local last = math.min(i + step - 1, #list)
    if key then
      redis.call(cmd, key, unpack(list, i, last))
    else
      redis.call(cmd, unpack(list, i, last))
    end
  end
end
for _, op in ipairs(ops) do
  local kind = op[1]
  if kind == 'mset' then
    local args = {}
    for i = 1, #op[2], 2 do
      args[#args + 1] = KEYS[op[2][i]]
      args[#args + 1] = ARGV[op[2][i + 1]]
    end
    chunked('MSET', nil, args)
  elseif kind == 'hset' then
    chunked('HSET', KEYS[op[2]], op[3])
  elseif kind == 'xadd' then
    redis.call('XADD', KEYS[op[2]], 'MAXLEN', '~', op[3], '*', 'e', ARGV[op[4]])
  elseif kind == 'rpush' then
    redis.call('RPUSH', KEYS[op[2]], ARGV[op[3]])
  elseif kind == 'zrem' then
    chunked('ZREM', KEYS[op[2]], op[3])
  elseif kind == 'zadd' then
    chunked('ZADD', KEYS[op[2]], op[3])
  elseif kind == 'hincrby' then
    for i = 1, #op[3], 2 do
      redis.call('HINCRBY', KEYS[op[2]], op[3][i], op[3][i + 1])
    end
  else
    return redis.error_reply('unknown write ' .. tostring(kind))
  end
end
return #ops
"""


# A capture batch's idempotency check and customer read in one call: KEYS[1] is the
# shard's idempotency hash, ARGV its fields; KEYS[2..] the customers. A round trip
# less on every batch, on the path every order takes before it is answered.
_FIRST_READS_SCRIPT = """
local decided = {}
if #ARGV > 0 then decided = redis.call('HMGET', KEYS[1], unpack(ARGV)) end
local customers = {}
if #KEYS > 1 then customers = redis.call('MGET', unpack(KEYS, 2)) end
return {decided, customers}
"""


class _WriteBatch:
    """The writes of one save, for ``_SAVE_SCRIPT``; every number goes as a string (Lua
    would print large ones in floating point)."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self._key_index: dict[str, int] = {}
        self._blobs: list[bytes] = []
        self._ops: list[list] = []

    def _key(self, key: str) -> int:
        index = self._key_index.get(key)
        if index is None:
            self.keys.append(key)
            index = self._key_index[key] = len(self.keys)
        return index

    def _blob(self, value: bytes) -> int:
        self._blobs.append(value)
        return len(self._blobs) + 1  # ARGV[1] is the list of writes

    def mset(self, values: dict[str, bytes]) -> None:
        flat: list[int] = []
        for key, value in values.items():
            flat += (self._key(key), self._blob(value))
        self._ops.append(["mset", flat])

    def hset(self, key: str, mapping: dict[str, str]) -> None:
        self._ops.append(["hset", self._key(key), [x for pair in mapping.items() for x in pair]])

    def xadd(self, key: str, maxlen: int, payload: bytes) -> None:
        self._ops.append(["xadd", self._key(key), str(maxlen), self._blob(payload)])

    def rpush(self, key: str, payload: bytes) -> None:
        self._ops.append(["rpush", self._key(key), self._blob(payload)])

    def zrem(self, key: str, members: list[str]) -> None:
        self._ops.append(["zrem", self._key(key), members])

    def hincrby(self, key: str, increments: Mapping[str, int]) -> None:
        self._ops.append(["hincrby", self._key(key), [x for f, n in increments.items() for x in (f, str(n))]])

    def zadd(self, key: str, scores: dict[str, int]) -> None:
        self._ops.append(["zadd", self._key(key), [x for m, score in scores.items() for x in (str(score), m)]])

    def args(self) -> list[bytes]:
        return [msgspec.json.encode(self._ops), *self._blobs]


class OrderStore:
    def __init__(self, client: aioredis.Redis, order_shards: int) -> None:
        self.client = client
        self.order_shards = order_shards
        self._save_script = client.register_script(_SAVE_SCRIPT)
        self._first_reads = client.register_script(_FIRST_READS_SCRIPT)
        self.bulk = BulkReads(client)

    def shard(self, order_id: str) -> int:
        return shard_of(order_id, self.order_shards)

    async def load_shard(self, shard: int) -> list[Order]:
        """The shard's unfinished orders (finished ones are read when asked for)."""
        found: list[Order] | None = None  # every order of the shard, when older data made us read them
        if not await self.client.exists(keys.sku_index_built(shard)):
            found = await self._scan(shard)
            await self._index_skus(shard, found)
        if await self.client.exists(keys.open_orders_built(shard)):
            ids = await self.client.zrange(keys.open_orders(shard), 0, -1)
            return await self._read([keys.order(shard, i.decode()) for i in ids])
        return await self._scan_and_index(shard, found)

    async def _index_skus(self, shard: int, found: list[Order]) -> None:
        """Orders placed before the SKU indexes: every order of the shard (``found``) is added to
        the indexes of its SKUs (adding is harmless where a save since added it already), then
        the shard is marked as indexed. Its own saves wait for it (it is not serving yet)."""
        by_sku: defaultdict[str, dict[str, int]] = defaultdict(dict)
        for order in found:
            for sku in {line.sku for line in order.lines}:
                by_sku[sku][order.order_id] = order.created_at_ms
        pipe = self.client.pipeline(transaction=False)
        for sku, members in by_sku.items():
            items = list(members.items())
            for start in range(0, len(items), 1000):
                pipe.zadd(keys.order_index("sku", sku), dict(items[start : start + 1000]))
            if len(pipe) >= 1000:
                await pipe.execute()
        pipe.set(keys.sku_index_built(shard), "1")
        await pipe.execute()

    async def _read(self, order_keys: list[str] | list[bytes]) -> list[Order]:
        """The orders stored at these keys (missing ones skipped), a thousand per round trip."""
        found: list[Order] = []
        for start in range(0, len(order_keys), 1000):
            found += [ORDER_CODEC.decode(v) for v in await self.client.mget(order_keys[start : start + 1000]) if v is not None]
        return found

    async def decided_and_customers(
        self, shard: int, pairs: list[tuple[str, str]], customer_ids: list[str]
    ) -> tuple[dict[tuple[str, str], IdempotencyRecord], dict[str, Customer]]:
        """What a capture batch reads before it decides anything, in one round trip: the
        orders these (channel, key) pairs were decided for (of those that were), and the
        customer records that exist of ``customer_ids``."""
        fields = [keys.idempotency_field(channel, key) for channel, key in pairs]
        customer_keys = [keys.customer(cid) for cid in customer_ids]
        values, raws = await self._first_reads(keys=[keys.idempotency(shard), *customer_keys], args=fields)
        found: dict[tuple[str, str], IdempotencyRecord] = {}
        for pair, value in zip(pairs, values):
            if value is not None:
                order_id, _, content_hash = value.decode().partition(keys.SEP)
                found[pair] = IdempotencyRecord(order_id=order_id, content_hash=content_hash)
        return found, decode_customers(customer_ids, raws)

    async def _scan(self, shard: int) -> list[Order]:
        """Every order of the shard, finished or not (a pass over its keys)."""
        return await self._read([key async for key in self.client.scan_iter(match=keys.order_pattern(shard), count=1000)])

    async def _scan_and_index(self, shard: int, found: list[Order] | None = None) -> list[Order]:
        """Data written before the open-orders index: every order is read once (``found``: read
        already), and the index built from them (only the shard itself writes its keys, and it
        is not serving yet)."""
        found = await self._scan(shard) if found is None else found
        unfinished = [o for o in found if not o.finished]
        pipe = self.client.pipeline(transaction=True)
        pipe.delete(keys.open_orders(shard))
        for start in range(0, len(unfinished), 1000):
            pipe.zadd(keys.open_orders(shard), {o.order_id: o.created_at_ms for o in unfinished[start : start + 1000]})
        pipe.set(keys.open_orders_built(shard), "1")
        await pipe.execute()
        return unfinished

    async def save(self, shard: int, changes: list[tuple[Order, Order | None]]) -> None:
        """Writes new versions of orders (with their previous versions, None when new) atomically.

        Writes are grouped per key (one MSET, one HSET, one ZADD per index) and sent
        as one script call, which Redis runs atomically."""
        if not changes:
            return
        docs: dict[str, bytes] = {}
        idem: dict[str, str] = {}
        adds: defaultdict[str, dict[str, int]] = defaultdict(dict)
        removes: defaultdict[str, list[str]] = defaultdict(list)
        open_key = keys.open_orders(shard)
        promised_key = keys.order_index("promised", "open")
        for new, old in changes:
            docs[keys.order(shard, new.order_id)] = ORDER_CODEC.encode(new)
            if new.finished:
                if old is None or not old.finished:
                    removes[open_key].append(new.order_id)
            elif old is None or old.finished:
                adds[open_key][new.order_id] = new.created_at_ms
            if old is None:
                idem[keys.idempotency_field(new.channel.value, new.idempotency_key)] = (
                    f"{new.order_id}{keys.SEP}{new.content_hash}"
                )
                for index in _indexes(new):
                    adds[index][new.order_id] = new.created_at_ms
            elif old.status != new.status:
                for index in _status_indexes(old):
                    removes[index].append(new.order_id)
                for index in _status_indexes(new):
                    adds[index][new.order_id] = new.created_at_ms
            awaits = new.awaits_promised_delivery
            if awaits != (old is not None and old.awaits_promised_delivery):
                if awaits:
                    adds[promised_key][new.order_id] = new.created_at_ms
                else:
                    removes[promised_key].append(new.order_id)
        batch = _WriteBatch()
        batch.mset(docs)
        if idem:
            batch.hset(keys.idempotency(shard), idem)
        refs = {
            keys.idempotency_field(new.channel.value, new.external_reference): new.order_id
            for new, old in changes
            if old is None and new.external_reference
        }
        if refs:
            batch.hset(keys.EXTERNAL_REFERENCES, refs)
        # Events go out in the same transaction as the change: durable together or not at
        # all. One stream entry carries all the events of the save: a command per event
        # cost a fifth of the capture path.
        events = [event for new, old in changes for event in order_events(old, new)]
        if events:
            batch.xadd(keys.order_events(shard), EVENTS_KEPT, EVENTS_CODEC.encode(events))
            # Each order's own history, kept whole for as long as the order (GetOrderHistory);
            # a customer's timeline is read from its orders' histories (EventReader.timeline).
            by_order: defaultdict[str, list[OrderEvent]] = defaultdict(list)
            for event in events:
                by_order[event.order_id].append(event)
            for order_id, its in by_order.items():
                batch.rpush(keys.order_history(shard, order_id), EVENTS_CODEC.encode(its))
        for new, old in changes:
            for day, increments in return_report.counts(old, new).items():
                batch.hincrby(keys.returns_day(day), increments)
            for day, increments in delivery_report.counts(old, new).items():
                batch.hincrby(keys.deliveries_day(day), increments)
        for index, members in removes.items():
            batch.zrem(index, members)
        for index, scores in adds.items():
            batch.zadd(index, scores)
        # One script call, atomic like MULTI/EXEC, instead of a command per key: with a
        # customer index, a card index and a timeline per order, redis-py's per-command
        # packing and parsing was most of what a save cost the order shard.
        await self._save_script(keys=batch.keys, args=batch.args())

    async def get(self, order_id: str) -> Order | None:
        raw = await self.client.get(keys.order(self.shard(order_id), order_id))
        return ORDER_CODEC.decode(raw) if raw is not None else None

    async def get_many(self, order_ids: list[str]) -> list[Order | None]:
        if not order_ids:
            return []
        # Plain pipeline, not MGET: the keys live in different shards' hash slots.
        pipe = self.client.pipeline(transaction=False)
        for oid in order_ids:
            pipe.get(keys.order(self.shard(oid), oid))
        return [ORDER_CODEC.decode(v) if v is not None else None for v in await pipe.execute()]

    async def count_by_status(
        self, channel: Channel | None, *, created_from_ms: int | None = None, created_before_ms: int | None = None
    ) -> dict[OrderStatus, int]:
        """How many orders there are in each status (of one channel), created in ``[from, before)``:
        one ZCOUNT per status index, in one round trip."""
        low = created_from_ms if created_from_ms is not None else "-inf"
        high = f"({created_before_ms}" if created_before_ms is not None else "+inf"
        pipe = self.client.pipeline(transaction=False)
        for status in OrderStatus:
            key = keys.order_index("chst", f"{channel.value}:{status.value}") if channel else keys.order_index("status", status.value)
            pipe.zcount(key, low, high)
        return dict(zip(OrderStatus, (int(n) for n in await pipe.execute())))

    async def list(self, flt: OrderFilter, *, page_size: int, page_token: str = "") -> tuple[list[Order], str]:
        """Newest first. The cursor is (created_at, order_id) of the last order returned, so
        orders created after the first page was read never shift or repeat later pages."""
        fingerprint = flt.fingerprint()
        cursor = Cursor.decode(page_token, fingerprint) if page_token else None
        index = flt.index_key()
        found: list[Order] = []
        high, low = flt.score_bounds()
        for _ in range(_SCAN_BUDGET_PAGES):
            want = page_size - len(found)
            ids = await self._index_page(index, cursor, want + 1, high=high, low=low)
            more = len(ids) > want
            ids = ids[:want]
            orders = await self.get_many([oid for oid, _ in ids])
            for (oid, score), order in zip(ids, orders):
                cursor = Cursor(score=score, order_id=oid, fingerprint=fingerprint)
                if order is not None and flt.matches(order):
                    found.append(order)
            if not more:
                return found, ""
            if len(found) >= page_size:
                break
        return found, cursor.encode() if cursor else ""

    async def _index_page(
        self, index: str, cursor: Cursor | None, limit: int, *, high: int | str = "+inf", low: int | str = "-inf"
    ) -> list[tuple[str, int]]:
        if cursor is None:
            rows = await self.client.zrevrangebyscore(index, high, low, start=0, num=limit, withscores=True)
            return [(m.decode(), int(s)) for m, s in rows]
        pipe = self.client.pipeline(transaction=False)
        pipe.zrevrangebyscore(index, cursor.score, cursor.score, withscores=True)
        pipe.zrevrangebyscore(index, f"({cursor.score}", low, start=0, num=limit, withscores=True)
        ties, older = await pipe.execute()
        # Equal scores sort by member, descending here: resume after the last id seen.
        rows = [(m.decode(), int(s)) for m, s in ties if m.decode() < cursor.order_id]
        rows += [(m.decode(), int(s)) for m, s in older]
        return rows[:limit]

    async def by_external_reference(self, channel: str, reference: str) -> str | None:
        raw = await self.client.hget(keys.EXTERNAL_REFERENCES, keys.idempotency_field(channel, reference))
        return raw.decode() if raw else None

    async def all_orders(self) -> list[Order]:
        """Every order of every shard: for audits, not for serving."""
        orders: list[Order] = []
        for shard in range(self.order_shards):
            orders += await self._scan(shard)
        return orders
