"""The return policy as data: one JSON document in Redis with a version.

Order shards read it with a short TTL (``ReturnPolicyCache``) and stamp each order they
accept with its channel's window (``Order.return_window_days``): the terms it was sold
under, which a later change does not shorten or extend. Never set, every channel
has the window the service was started with (``OMS_RETURN_WINDOW_DAYS``, 30).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import redis.asyncio as aioredis

from oms_actors.domain.return_policy import ReturnPolicy
from oms_actors.store import keys
from oms_actors.store.versioned import CachedDocument, VersionedDocument

DEFAULT_POLICY = ReturnPolicy(window_days=int(os.environ.get("OMS_RETURN_WINDOW_DAYS", "30")))
POLICY_TTL_S = 1.0


@dataclass(frozen=True, kw_only=True, slots=True)
class VersionedReturnPolicy:
    policy: ReturnPolicy
    version: int  # 0: never set, the default applies


class ReturnPolicyStore:
    def __init__(self, client: aioredis.Redis) -> None:
        self._doc = VersionedDocument(
            client, key=keys.RETURN_POLICY, version_key=keys.RETURN_POLICY_VERSION, what="return policy",
            code="RETURN_POLICY_CHANGED",
        )  # fmt: skip

    async def get(self) -> VersionedReturnPolicy:
        raw, version = await self._doc.get()
        return VersionedReturnPolicy(policy=ReturnPolicy.from_dict(raw) if raw else DEFAULT_POLICY, version=version)

    async def set(self, policy: ReturnPolicy, *, expected_version: int | None = None) -> VersionedReturnPolicy:
        """Replaces the policy; with ``expected_version`` (0: the default, never set), only if
        nobody changed it since."""
        version = await self._doc.set(policy.to_dict(), expected_version=expected_version)
        return VersionedReturnPolicy(policy=policy, version=version)


class ReturnPolicyCache(CachedDocument[ReturnPolicy]):
    """The policy as read at most ``POLICY_TTL_S`` ago."""

    def __init__(self, store: ReturnPolicyStore) -> None:
        async def read() -> ReturnPolicy:
            return (await store.get()).policy

        super().__init__(read, DEFAULT_POLICY, ttl_s=POLICY_TTL_S)
