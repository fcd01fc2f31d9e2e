"""Stock of one inventory shard in Redis: on hand, safety stock, reservations, inbound supply,
feed positions, and the ledger of every change to on hand.

All keys of a shard share its hash tag, so each call's changes are one
MULTI/EXEC, on a Redis Cluster too: the new levels, their ledger entries and
the feed position move together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import redis

from oms_actors.domain.ledger import EntryKind, LedgerEntry
from oms_actors.domain.stock import Reservation, ReservationKey, StockKey, StockLevelChange
from oms_actors.store import keys

LEDGER_PAGE = 10_000


def _split_stock_field(raw: bytes) -> StockKey:
    loc, _, sku = raw.decode().partition(keys.SEP)
    return (loc, sku)


def _reservation_field(key: ReservationKey) -> str:
    return f"{key.order_id}{keys.SEP}{key.line_number}{keys.SEP}{key.location_id}"


@dataclass(kw_only=True)
class ShardChanges:
    """Everything one call of a shard writes."""

    entries: list[LedgerEntry] = field(default_factory=list)
    reservations: dict[ReservationKey, Reservation] = field(default_factory=dict)  # quantity 0 deletes
    safety: list[StockLevelChange] = field(default_factory=list)
    feed_positions: dict[tuple[str, str], int] = field(default_factory=dict)
    inbound: list[tuple[str, str, str, int]] = field(default_factory=list)  # (loc, sku, day, units); 0 deletes
    consumed: list[str] = field(default_factory=list)  # consumption refs now done

    def __bool__(self) -> bool:
        return bool(
            self.entries or self.reservations or self.safety or self.feed_positions or self.inbound or self.consumed
        )


@dataclass(kw_only=True)
class ShardState:
    on_hand: dict[StockKey, int]
    safety: dict[StockKey, int]
    reservations: dict[ReservationKey, Reservation]
    feed_positions: dict[tuple[str, str], int]
    inbound: list[tuple[str, str, str, int]]
    consumed: set[str]


class InventoryStore:
    def __init__(self, client: redis.Redis, shard: int) -> None:
        self.client = client
        self.shard = shard
        self._on_hand = keys.inventory_on_hand(shard)
        self._safety = keys.inventory_safety(shard)
        self._resv = keys.inventory_reservations(shard)
        self._ledger = keys.inventory_ledger(shard)
        self._feeds = keys.inventory_feed_positions(shard)
        self._inbound = keys.inventory_inbound(shard)
        self._consumed = keys.inventory_consumed(shard)

    def load(self) -> ShardState:
        pipe = self.client.pipeline(transaction=True)
        for key in (self._on_hand, self._safety, self._resv, self._feeds, self._inbound):
            pipe.hgetall(key)
        pipe.smembers(self._consumed)
        on_hand_raw, safety_raw, resv_raw, feeds_raw, inbound_raw, consumed_raw = pipe.execute()
        reservations: dict[ReservationKey, Reservation] = {}
        for f, v in resv_raw.items():
            order_id, line, loc = f.decode().split(keys.SEP)
            sku, _, qty = v.decode().rpartition(keys.SEP)
            reservations[ReservationKey(order_id=order_id, line_number=int(line), location_id=loc)] = Reservation(
                sku=sku, quantity=int(qty)
            )
        feeds: dict[tuple[str, str], int] = {}
        for f, v in feeds_raw.items():
            feed, _, loc = f.decode().partition(keys.SEP)
            feeds[(feed, loc)] = int(v)
        inbound = []
        for f, v in inbound_raw.items():
            loc, sku, day = f.decode().split(keys.SEP)
            inbound.append((loc, sku, day, int(v)))
        return ShardState(
            on_hand={_split_stock_field(f): int(v) for f, v in on_hand_raw.items()},
            safety={_split_stock_field(f): int(v) for f, v in safety_raw.items()},
            reservations=reservations,
            feed_positions=feeds,
            inbound=inbound,
            consumed={c.decode() for c in consumed_raw},
        )

    def commit(self, changes: ShardChanges) -> None:
        if not changes:
            return
        pipe = self.client.pipeline(transaction=True)
        if changes.entries:
            last: dict[str, int] = {}
            for e in changes.entries:
                last[keys.stock_field(e.location_id, e.sku)] = e.after
                pipe.xadd(
                    self._ledger,
                    {
                        "loc": e.location_id,
                        "sku": e.sku,
                        "kind": e.kind.value,
                        "change": e.change,
                        "after": e.after,
                        "ref": e.ref,
                        "reason": e.reason,
                    },
                )
            pipe.hset(self._on_hand, mapping=last)
        put = {_reservation_field(k): f"{r.sku}{keys.SEP}{r.quantity}" for k, r in changes.reservations.items() if r.quantity > 0}
        drop = [_reservation_field(k) for k, r in changes.reservations.items() if r.quantity <= 0]
        if put:
            pipe.hset(self._resv, mapping=put)
        if drop:
            pipe.hdel(self._resv, *drop)
        safety = {keys.stock_field(c.location_id, c.sku): c.safety for c in changes.safety if c.safety}
        unsafe = [keys.stock_field(c.location_id, c.sku) for c in changes.safety if not c.safety]
        if safety:
            pipe.hset(self._safety, mapping=safety)
        if unsafe:
            pipe.hdel(self._safety, *unsafe)
        if changes.feed_positions:
            pipe.hset(
                self._feeds, mapping={f"{feed}{keys.SEP}{loc}": seq for (feed, loc), seq in changes.feed_positions.items()}
            )
        inbound_put = {keys.SEP.join((loc, sku, day)): qty for loc, sku, day, qty in changes.inbound if qty > 0}
        inbound_drop = [keys.SEP.join((loc, sku, day)) for loc, sku, day, qty in changes.inbound if qty <= 0]
        if inbound_put:
            pipe.hset(self._inbound, mapping=inbound_put)
        if inbound_drop:
            pipe.hdel(self._inbound, *inbound_drop)
        if changes.consumed:
            pipe.sadd(self._consumed, *changes.consumed)
        pipe.execute()

    def ledger(self) -> list[LedgerEntry]:
        """Every entry, oldest first (read in pages; for audits, not the hot path)."""
        entries: list[LedgerEntry] = []
        start = "-"
        while True:
            page = self.client.xrange(self._ledger, min=start, max="+", count=LEDGER_PAGE)
            for _, fields in page:
                f = {k.decode(): v.decode() for k, v in fields.items()}
                entries.append(
                    LedgerEntry(
                        location_id=f["loc"],
                        sku=f["sku"],
                        kind=EntryKind(f["kind"]),
                        change=int(f["change"]),
                        after=int(f["after"]),
                        ref=f.get("ref", ""),
                        reason=f.get("reason", ""),
                    )
                )
            if len(page) < LEDGER_PAGE:
                return entries
            start = "(" + page[-1][0].decode()

    def stored_on_hand(self) -> dict[StockKey, int]:
        return {_split_stock_field(f): int(v) for f, v in self.client.hgetall(self._on_hand).items()}
