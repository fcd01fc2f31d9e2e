"""The tax rates of each country, as data: one JSON document in Redis with a version.

Gateways read it with a short TTL (``TaxRatesCache``) and check the rates an order
states against its ship-to country's (``domain.tax.rate_refusal``).
"""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis

from oms_actors.domain.tax import TaxTable
from oms_actors.store import keys
from oms_actors.store.versioned import CachedDocument, VersionedDocument

TAX_RATES_TTL_S = 1.0


@dataclass(frozen=True, kw_only=True, slots=True)
class VersionedTaxRates:
    table: TaxTable
    version: int  # 0: never set, nothing is checked


class TaxRatesStore:
    def __init__(self, client: aioredis.Redis) -> None:
        self._doc = VersionedDocument(
            client, key=keys.TAX_RATES, version_key=keys.TAX_RATES_VERSION, what="tax rates", code="TAX_RATES_CHANGED"
        )

    async def get(self) -> VersionedTaxRates:
        raw, version = await self._doc.get()
        table = {country: frozenset(int(r) for r in rates) for country, rates in (raw or {}).items()}
        return VersionedTaxRates(table=table, version=version)

    async def set(self, table: TaxTable, *, expected_version: int | None = None) -> VersionedTaxRates:
        """Replaces the table; with ``expected_version`` (0: never set), only if nobody changed it since."""
        document = {country: sorted(rates) for country, rates in sorted(table.items())}
        version = await self._doc.set(document, expected_version=expected_version)
        return VersionedTaxRates(table=table, version=version)


class TaxRatesCache(CachedDocument[TaxTable]):
    """The table as read at most ``TAX_RATES_TTL_S`` ago."""

    def __init__(self, store: TaxRatesStore) -> None:
        async def read() -> TaxTable:
            return (await store.get()).table

        super().__init__(read, {}, ttl_s=TAX_RATES_TTL_S)
