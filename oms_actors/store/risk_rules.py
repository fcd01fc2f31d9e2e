"""The risk and credit rules as data: one JSON document in Redis with a version.

Order shards read it with a short TTL (``OrderEffects.rules``), so a change applies to
every order assessed from about a second after it is written. The version lets an
editor change the rules read-modify-write without losing another's change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import redis.asyncio as aioredis

from oms_actors.domain.errors import ConcurrentChangeError
from oms_actors.domain.risk import RiskRules
from oms_actors.store import keys

# Written only when the version is still the one the editor read (-1: whatever it is).
_SET = """
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
local expected = tonumber(ARGV[2])
if expected >= 0 and expected ~= current then return {0, current} end
redis.call('SET', KEYS[1], ARGV[1])
return {1, redis.call('INCR', KEYS[2])}
"""


@dataclass(frozen=True, kw_only=True, slots=True)
class VersionedRiskRules:
    rules: RiskRules
    version: int  # 0: never set, the defaults apply


class RiskRulesStore:
    def __init__(self, client: aioredis.Redis) -> None:
        self.client = client
        self._set = client.register_script(_SET)

    async def get(self) -> VersionedRiskRules:
        pipe = self.client.pipeline(transaction=True)
        pipe.get(keys.RISK_RULES)
        pipe.get(keys.RISK_RULES_VERSION)
        raw, version = await pipe.execute()
        rules = RiskRules.from_dict(json.loads(raw)) if raw else RiskRules()
        return VersionedRiskRules(rules=rules, version=int(version or 0))

    async def set(self, rules: RiskRules, *, expected_version: int | None = None) -> VersionedRiskRules:
        """Replaces the rules; with ``expected_version`` (0: the defaults, never set), only if
        nobody changed them since."""
        written, version = await self._set(
            keys=[keys.RISK_RULES, keys.RISK_RULES_VERSION],
            args=[json.dumps(rules.to_dict(), sort_keys=True), -1 if expected_version is None else expected_version],
        )
        if not written:
            raise ConcurrentChangeError(
                f"the risk rules are at version {version}, not {expected_version}: read them again",
                code="RISK_RULES_CHANGED",
                resource="risk_rules",
                current_version=int(version),
            )
        return VersionedRiskRules(rules=rules, version=int(version))
