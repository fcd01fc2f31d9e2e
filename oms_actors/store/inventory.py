"""Stock of one inventory shard in Redis: on hand, safety stock, reservations.

All keys of a shard share its hash tag, so every batch is one MULTI/EXEC:
either all of a batch's reservations are durable or none is.
"""

from __future__ import annotations

import redis

from oms_actors.domain.stock import Reservation, ReservationKey, StockKey, StockLevelChange
from oms_actors.store import keys


def _split_stock_field(raw: bytes) -> StockKey:
    loc, _, sku = raw.decode().partition(keys.SEP)
    return (loc, sku)


def _reservation_field(key: ReservationKey) -> str:
    return f"{key.order_id}{keys.SEP}{key.line_number}{keys.SEP}{key.location_id}"


class InventoryStore:
    def __init__(self, client: redis.Redis, shard: int) -> None:
        self.client = client
        self.shard = shard
        self._on_hand = keys.inventory_on_hand(shard)
        self._safety = keys.inventory_safety(shard)
        self._resv = keys.inventory_reservations(shard)

    def load(self) -> tuple[dict[StockKey, int], dict[StockKey, int], dict[ReservationKey, Reservation]]:
        pipe = self.client.pipeline(transaction=True)
        pipe.hgetall(self._on_hand)
        pipe.hgetall(self._safety)
        pipe.hgetall(self._resv)
        on_hand_raw, safety_raw, resv_raw = pipe.execute()
        on_hand = {_split_stock_field(f): int(v) for f, v in on_hand_raw.items()}
        safety = {_split_stock_field(f): int(v) for f, v in safety_raw.items()}
        reservations: dict[ReservationKey, Reservation] = {}
        for f, v in resv_raw.items():
            order_id, line, loc = f.decode().split(keys.SEP)
            sku, _, qty = v.decode().rpartition(keys.SEP)
            reservations[ReservationKey(order_id=order_id, line_number=int(line), location_id=loc)] = Reservation(
                sku=sku, quantity=int(qty)
            )
        return on_hand, safety, reservations

    def write_reservations(self, upserts: dict[ReservationKey, Reservation], releases: list[ReservationKey]) -> None:
        if not upserts and not releases:
            return
        pipe = self.client.pipeline(transaction=True)
        put = {_reservation_field(k): f"{r.sku}{keys.SEP}{r.quantity}" for k, r in upserts.items() if r.quantity > 0}
        drop = [_reservation_field(k) for k, r in upserts.items() if r.quantity <= 0]
        drop += [_reservation_field(k) for k in releases]
        if put:
            pipe.hset(self._resv, mapping=put)
        if drop:
            pipe.hdel(self._resv, *drop)
        pipe.execute()

    def write_levels(self, changes: list[StockLevelChange]) -> None:
        if not changes:
            return
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(self._on_hand, mapping={keys.stock_field(c.location_id, c.sku): c.on_hand for c in changes})
        safety = {keys.stock_field(c.location_id, c.sku): c.safety for c in changes if c.safety}
        unsafe = [keys.stock_field(c.location_id, c.sku) for c in changes if not c.safety]
        if safety:
            pipe.hset(self._safety, mapping=safety)
        if unsafe:
            pipe.hdel(self._safety, *unsafe)
        pipe.execute()
