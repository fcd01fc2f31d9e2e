"""The risk and credit rules as data: one JSON document in Redis with a version.

Order shards read it with a short TTL (``OrderEffects.rules``), so a change applies to
every order assessed from about a second after it is written.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis

from oms_actors.domain.risk import RiskRules
from oms_actors.store import keys
from oms_actors.store.versioned import VersionedDocument


@dataclass(frozen=True, kw_only=True, slots=True)
class VersionedRiskRules:
    rules: RiskRules
    version: int  # 0: never set, the defaults apply


class RiskRulesStore:
    def __init__(self, client: aioredis.Redis) -> None:
        self.client = client
        self._doc = VersionedDocument(
            client, key=keys.RISK_RULES, version_key=keys.RISK_RULES_VERSION, what="risk rules", code="RISK_RULES_CHANGED"
        )

    async def get(self) -> VersionedRiskRules:
        raw, version = await self._doc.get()
        return VersionedRiskRules(rules=RiskRules.from_dict(raw) if raw else RiskRules(), version=version)

    async def set(self, rules: RiskRules, *, expected_version: int | None = None) -> VersionedRiskRules:
        """Replaces the rules; with ``expected_version`` (0: the defaults, never set), only if
        nobody changed them since."""
        version = await self._doc.set(rules.to_dict(), expected_version=expected_version)
        return VersionedRiskRules(rules=rules, version=version)
