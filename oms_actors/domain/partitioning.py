"""Which shard owns what, and order ids that say which shard owns them.

The hash is CRC32, not Python's ``hash()``: every process of the cluster must
agree on it, and ``hash()`` of a string is salted per process.
"""

from __future__ import annotations

import os
import time
import zlib

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def shard_of(key: str, shards: int) -> int:
    return zlib.crc32(key.encode()) % shards


def idempotency_shard(channel: str, idempotency_key: str, shards: int) -> int:
    """The order shard that decides a (channel, key): one owner, so a key maps to one order."""
    return shard_of(f"{channel}\x1f{idempotency_key}", shards)


def new_order_id(shard: int, shards: int) -> str:
    """A time-ordered random id whose hash lands on ``shard``.

    The idempotency key decides the shard first; drawing ids until one hashes
    there (``shards`` draws on average) lets any reader find the owner from the
    id alone, with no lookup table to keep.
    """
    millis = int(time.time() * 1000)
    prefix = _base32(millis, 9)
    while True:
        candidate = "O" + prefix + _base32(int.from_bytes(os.urandom(8), "big"), 12)
        if shard_of(candidate, shards) == shard:
            return candidate


def _base32(value: int, width: int) -> str:
    chars = []
    for _ in range(width):
        value, rem = divmod(value, 32)
        chars.append(_CROCKFORD[rem])
    return "".join(reversed(chars))
