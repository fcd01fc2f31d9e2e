"""Locations, products and routing rules: small, read by every process, cached by version.

Writers bump ``NETWORK_VERSION`` in the same transaction, so a reader can keep
its cache until the version moves instead of re-reading per request.
"""

from __future__ import annotations

import asyncio
import bisect
import time
from dataclasses import dataclass

import redis.asyncio as aioredis

from oms_actors.domain.delivery import Promiser
from oms_actors.domain.network import Location, Product
from oms_actors.store import keys
from oms_actors.store.codec import Codec

LOCATION_CODEC: Codec[Location] = Codec(Location)
PRODUCT_CODEC: Codec[Product] = Codec(Product)
DATES_CODEC: Codec[list[str]] = Codec(list[str])


class NetworkStore:
    def __init__(self, client: aioredis.Redis) -> None:
        self.client = client

    async def version(self) -> int:
        return int(await self.client.get(keys.NETWORK_VERSION) or 0)

    async def upsert_locations(self, locations: list[Location]) -> None:
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(keys.LOCATIONS, mapping={loc.location_id: LOCATION_CODEC.encode(loc) for loc in locations})
        pipe.incr(keys.NETWORK_VERSION)
        await pipe.execute()

    async def upsert_products(self, products: list[Product]) -> None:
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(keys.PRODUCTS, mapping={p.sku: PRODUCT_CODEC.encode(p) for p in products})
        pipe.incr(keys.NETWORK_VERSION)
        await pipe.execute()

    async def set_routing_rules(self, rules_json: bytes) -> None:
        pipe = self.client.pipeline(transaction=True)
        pipe.set(keys.ROUTING_RULES, rules_json)
        pipe.incr(keys.NETWORK_VERSION)
        await pipe.execute()

    async def set_holidays(self, calendars: dict[str, list[str]]) -> None:
        """Each country's public holidays, its list whole (an empty one: none)."""
        pipe = self.client.pipeline(transaction=True)
        if gone := [country for country, days in calendars.items() if not days]:
            pipe.hdel(keys.HOLIDAYS, *gone)
        if kept := {country: DATES_CODEC.encode(sorted(days)) for country, days in calendars.items() if days}:
            pipe.hset(keys.HOLIDAYS, mapping=kept)
        pipe.incr(keys.NETWORK_VERSION)
        await pipe.execute()

    async def load(self) -> NetworkState:
        """Everything at one version, read in one transaction."""
        pipe = self.client.pipeline(transaction=True)
        pipe.get(keys.NETWORK_VERSION)
        pipe.hgetall(keys.LOCATIONS)
        pipe.hgetall(keys.PRODUCTS)
        pipe.get(keys.ROUTING_RULES)
        pipe.hgetall(keys.HOLIDAYS)
        version, locs, prods, rules, holidays = await pipe.execute()
        return NetworkState(
            version=int(version or 0),
            locations={k.decode(): LOCATION_CODEC.decode(v) for k, v in locs.items()},
            products={k.decode(): PRODUCT_CODEC.decode(v) for k, v in prods.items()},
            rules_json=rules,
            holidays={k.decode(): frozenset(DATES_CODEC.decode(v)) for k, v in holidays.items()},
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class NetworkState:
    version: int
    locations: dict[str, Location]
    products: dict[str, Product]
    rules_json: bytes | None
    holidays: dict[str, frozenset[str]]  # country code -> its public holidays (YYYY-MM-DD)


class NetworkCache:
    """A process-local copy of the network, refreshed when the stored version moves."""

    def __init__(self, store: NetworkStore, *, max_age_s: float = 0.5) -> None:
        self.store = store
        self.max_age_s = max_age_s
        self.version = -1
        self.locations: dict[str, Location] = {}
        self.products: dict[str, Product] = {}
        self.rules_json: bytes | None = None
        self.holidays: dict[str, frozenset[str]] = {}
        self._checked_at = float("-inf")
        # SKUs in order, all and by style, for listing the catalogue a page at a time: built
        # again when the copy changes (a new version, or a product looked up since).
        self._sku_order: tuple[int, int, list[str], dict[str, list[str]]] | None = None
        # Concurrent callers wait for one refresh instead of reading a half-loaded cache.
        self._lock = asyncio.Lock()
        self._services: tuple[int, int, frozenset[str]] | None = None

    async def refresh(self, *, force: bool = False) -> None:
        if not force and time.monotonic() - self._checked_at < self.max_age_s:
            return
        async with self._lock:
            now = time.monotonic()
            if not force and now - self._checked_at < self.max_age_s:
                return
            if force or await self.store.version() != self.version:
                state = await self.store.load()
                self.version, self.locations, self.products = state.version, state.locations, state.products
                self.rules_json, self.holidays = state.rules_json, state.holidays
            self._checked_at = now

    def promiser(self, now_ms: int) -> Promiser:
        """Delivery days from ``now_ms`` over this copy's locations and public holidays."""
        return Promiser(self.locations, now_ms, self.holidays)

    def services(self) -> frozenset[str]:
        """The carrier services the active locations of this copy offer (their codes): worked
        out once per copy, as orders asking for one are checked against it on capture."""
        stamp = (self.version, len(self.locations))
        if self._services is None or self._services[:2] != stamp:
            offered = frozenset(s.code for loc in self.locations.values() if loc.active for s in loc.shipping.services)
            self._services = (*stamp, offered)
        return self._services[2]

    async def known_skus(self, skus: list[str]) -> set[str]:
        """The SKUs of ``skus`` in the catalogue; a miss is looked up before it is called unknown,
        so a product added a moment ago by another gateway is never refused."""
        missing = [s for s in dict.fromkeys(skus) if s not in self.products]
        if missing:
            for sku, raw in zip(missing, await self.store.client.hmget(keys.PRODUCTS, missing)):
                if raw is not None:
                    self.products[sku] = PRODUCT_CODEC.decode(raw)
        return {s for s in skus if s in self.products}

    def product_page(self, *, after: str | None, limit: int, style: str = "") -> list[Product]:
        """Up to ``limit`` products after the SKU ``after`` in SKU order (of ``style`` only,
        when given), from this copy: call ``refresh`` first."""
        stamp = (self.version, len(self.products))
        if self._sku_order is None or self._sku_order[:2] != stamp:
            skus = sorted(self.products)
            by_style: dict[str, list[str]] = {}
            for sku in skus:
                by_style.setdefault(self.products[sku].style, []).append(sku)
            self._sku_order = (*stamp, skus, by_style)
        skus = self._sku_order[3].get(style, []) if style else self._sku_order[2]
        start = 0 if after is None else bisect.bisect_right(skus, after)
        return [self.products[sku] for sku in skus[start : start + limit]]

    async def known_locations(self, location_ids: list[str]) -> dict[str, Location]:
        missing = [i for i in dict.fromkeys(location_ids) if i not in self.locations]
        if missing:
            for lid, raw in zip(missing, await self.store.client.hmget(keys.LOCATIONS, missing)):
                if raw is not None:
                    self.locations[lid] = LOCATION_CODEC.decode(raw)
        return {i: self.locations[i] for i in location_ids if i in self.locations}
