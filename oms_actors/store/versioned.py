"""Rules kept as data: one JSON document in Redis with a version beside it.

Readers (order shards, gateways) read it with a short TTL, so a change applies from
about a second after it is written. The version lets an editor change the document
read-modify-write without losing another's change.
"""

from __future__ import annotations

import json
import time
from typing import Any, Awaitable, Callable, Generic, TypeVar

import redis
import redis.asyncio as aioredis

from oms_actors.domain.errors import ConcurrentChangeError

T = TypeVar("T")

# Written only when the version is still the one the editor read (-1: whatever it is).
_SET = """
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
local expected = tonumber(ARGV[2])
if expected >= 0 and expected ~= current then return {0, current} end
redis.call('SET', KEYS[1], ARGV[1])
return {1, redis.call('INCR', KEYS[2])}
"""


class VersionedDocument:
    """``key`` holds the JSON, ``version_key`` its version; ``what`` and ``code`` name it in
    the error an editor with a stale version gets."""

    def __init__(self, client: aioredis.Redis, *, key: str, version_key: str, what: str, code: str) -> None:
        self.client = client
        self.key = key
        self.version_key = version_key
        self.what = what
        self.code = code
        self._set = client.register_script(_SET)

    async def get(self) -> tuple[dict[str, Any] | None, int]:
        """The document (None: never set) and its version (0: never set)."""
        pipe = self.client.pipeline(transaction=True)
        pipe.get(self.key)
        pipe.get(self.version_key)
        raw, version = await pipe.execute()
        return (json.loads(raw) if raw else None), int(version or 0)

    async def set(self, document: dict[str, Any], *, expected_version: int | None = None) -> int:
        """Replaces the document; with ``expected_version`` (0: never set), only if nobody
        changed it since. The new version."""
        written, version = await self._set(
            keys=[self.key, self.version_key],
            args=[json.dumps(document, sort_keys=True), -1 if expected_version is None else expected_version],
        )
        if not written:
            raise ConcurrentChangeError(
                f"the {self.what} are at version {version}, not {expected_version}: read them again",
                code=self.code,
                resource=self.what.replace(" ", "_"),
                current_version=int(version),
            )
        return int(version)


class CachedDocument(Generic[T]):
    """What ``read`` answered at most ``ttl_s`` ago. Redis unreachable on a refresh: the
    answer last read (as good as it was a moment ago); never read: the error."""

    def __init__(self, read: Callable[[], Awaitable[T]], initial: T, *, ttl_s: float = 1.0) -> None:
        self._read = read
        self._value = initial
        self._ttl_s = ttl_s
        self._read_at = float("-inf")

    async def get(self) -> T:
        if time.monotonic() - self._read_at > self._ttl_s:
            try:
                self._value = await self._read()
            except (redis.ConnectionError, redis.TimeoutError):
                if self._read_at == float("-inf"):
                    raise
                return self._value
            self._read_at = time.monotonic()
        return self._value
