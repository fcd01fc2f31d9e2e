"""Availability a sourcer read earlier, kept to plan new orders without reading it again.

Reading availability is an actor call per batch; on the capture path it is as
costly as the reserve that follows. A sourcer keeps what it read for orders that
hold nothing and plans later batches of such orders from it, then names, when it
reserves, how many times each SKU's availability had risen when it read it
(``StockBook.rises``). The inventory shard refuses an order with a SKU that rose
since, and that order is planned again from a fresh read. Availability that only
fell since (other sourcers' reservations) needs no check: a plan optimal against
more stock that still fits the stock there is, is optimal against it; one that no
longer fits is refused like any contended plan.

What is kept must never show less than there was at the snapshot, or a plan could
pass over stock it had: our own reservations are taken off a SKU's rows only when
its snapshot is older than the reservation (``commits``, the shard's change count).
It holds at most ``limit`` SKUs, the ones learnt last: memory stays bounded for any
catalogue, and a SKU it let go of is read again when an order asks for it. Pure, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from oms_actors.domain.stock import available_units

# (location_id, sku, on_hand, reserved, safety), as InventoryShard.availability answers.
Row = tuple[str, str, int, int, int]


@dataclass
class _Snapshot:
    epoch: str
    as_of: int  # the shard's commit count when it was read
    rises: int
    free: dict[str, int]  # location -> available units


@dataclass
class SeenStock:
    limit: int = 20_000
    skus: dict[str, _Snapshot] = field(default_factory=dict)

    @property
    def full(self) -> bool:
        return len(self.skus) >= self.limit

    def covers(self, skus: Iterable[str]) -> bool:
        return all(sku in self.skus for sku in skus)

    def stock(self, skus: Iterable[str]) -> dict[tuple[str, str], int]:
        """(location, sku) -> available units, for SKUs ``covers`` answered for."""
        return {(loc, sku): units for sku in dict.fromkeys(skus) for loc, units in self.skus[sku].free.items()}

    def seen(self, skus: Iterable[str]) -> tuple[str, dict[str, int]] | None:
        """(epoch, rise count per SKU) to name when reserving; None when the SKUs were read in
        different epochs of their shard (it restarted between reads): plan from a fresh read."""
        snaps = {sku: self.skus[sku] for sku in dict.fromkeys(skus)}
        epochs = {s.epoch for s in snaps.values()}
        if len(epochs) > 1:
            return None
        return (epochs.pop() if epochs else ""), {sku: s.rises for sku, s in snaps.items()}

    def learn(self, epoch: str, as_of: int, rises: dict[str, int], rows: Iterable[Row]) -> None:
        """Keeps a read of one shard; a SKU already known from a later read of the same epoch stays."""
        free: dict[str, dict[str, int]] = {sku: {} for sku in rises}
        for loc, sku, on_hand, reserved, safety in rows:
            if sku in free:
                free[sku][loc] = available_units(on_hand, reserved, safety)
        for sku, units in free.items():
            old = self.skus.get(sku)
            if old is not None and old.epoch == epoch and old.as_of >= as_of:
                continue
            self.skus.pop(sku, None)  # re-inserted last: the oldest learnt are let go first
            while self.full:
                del self.skus[next(iter(self.skus))]
            self.skus[sku] = _Snapshot(epoch=epoch, as_of=as_of, rises=rises[sku], free=units)

    def took(self, epoch: str, as_of: int, units: Iterable[tuple[str, str, int]]) -> None:
        """Our reservations, committed as the shard's change ``as_of``: (location, sku, units)."""
        for loc, sku, qty in units:
            snap = self.skus.get(sku)
            if snap is None or snap.epoch != epoch or snap.as_of >= as_of:
                continue  # the snapshot already shows it (or is of another life of the shard)
            if loc in snap.free:
                snap.free[loc] = max(0, snap.free[loc] - qty)

    def forget(self, skus: Iterable[str]) -> None:
        for sku in skus:
            self.skus.pop(sku, None)
