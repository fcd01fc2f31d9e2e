"""Many small reads in one script call: one command on the wire instead of one per key.

A pipeline of N commands still costs redis-py N packings, N parsed replies and N
read timeouts in Python; for the per-order reads of a capture batch (how many
orders did each customer and card place lately) that overhead was larger than
the reads. The script only reads.
"""

from __future__ import annotations

from collections.abc import Sequence

import redis.asyncio as aioredis

_ZCOUNT_EACH = """
local out = {}
for i = 1, #KEYS do out[i] = redis.call('ZCOUNT', KEYS[i], ARGV[2 * i - 1], ARGV[2 * i]) end
return out
"""


class BulkReads:
    def __init__(self, client: aioredis.Redis) -> None:
        self._zcount = client.register_script(_ZCOUNT_EACH)

    async def zcount_each(self, ranges: Sequence[tuple[str, str | int, str | int]]) -> list[int]:
        """ZCOUNT key min max for each (key, min, max), in order."""
        if not ranges:
            return []
        args = [str(bound) for _, low, high in ranges for bound in (low, high)]
        return [int(n) for n in await self._zcount(keys=[key for key, _, _ in ranges], args=args)]
