"""Per-principal rate limits: a token bucket per API key or token subject, limits per role.

Each gateway process keeps its own buckets (no Redis round trip on the hot
path), so N gateways admit up to N times a limit in total. A call over the
limit is RESOURCE_EXHAUSTED with ``google.rpc.RetryInfo`` saying when the
next one would be admitted. A batch call (CreateOrders) costs one token per
item it carries: a batch of a hundred orders is a hundred orders' worth of load.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Mapping

from gateway.auth.principal import Principal, Role


@dataclass(frozen=True, kw_only=True)
class Limit:
    rate_per_s: float  # tokens added per second; 0: unlimited
    burst: float  # bucket size: calls admitted at once after a quiet spell

    def __post_init__(self) -> None:
        if self.rate_per_s < 0 or self.burst < 0:
            raise ValueError("rate and burst must not be negative")
        if self.rate_per_s > 0 and self.burst < 1:
            raise ValueError("a limited role needs a burst of at least 1")

    @classmethod
    def parse(cls, text: str) -> Limit:
        """``RATE`` or ``RATE:BURST`` (burst defaults to two seconds' worth); ``0`` is unlimited."""
        rate, _, burst = text.partition(":")
        r = float(rate)
        return cls(rate_per_s=r, burst=float(burst) if burst else max(1.0, 2 * r))


# Per gateway process. Generous for server-side keys (a channel's checkout, an
# admin's bulk load), tight for customer tokens, which come from many devices.
DEFAULT_LIMITS: Mapping[Role, Limit] = {
    Role.ADMIN: Limit(rate_per_s=10_000, burst=20_000),
    Role.CHANNEL: Limit(rate_per_s=5_000, burst=10_000),
    Role.SERVICE_AGENT: Limit(rate_per_s=500, burst=1_000),
    Role.INVENTORY_FEED: Limit(rate_per_s=200, burst=400),
    Role.FULFILMENT: Limit(rate_per_s=500, burst=1_000),
    Role.FINANCE: Limit(rate_per_s=500, burst=1_000),
    Role.CUSTOMER: Limit(rate_per_s=20, burst=40),
}


class RateLimiter:
    def __init__(self, limits: Mapping[Role, Limit] = DEFAULT_LIMITS, *, max_buckets: int = 100_000) -> None:
        self.limits = {**DEFAULT_LIMITS, **limits}
        self.max_buckets = max_buckets
        # principal id -> [tokens, last refill (monotonic), rate, burst]
        self._buckets: dict[str, list[float]] = {}

    def take(self, principal: Principal, cost: float = 1.0) -> float:
        """0.0 when ``cost`` tokens were taken; else the seconds until they could be (none is taken).

        A cost above the burst is charged as a full bucket, so a batch larger than the
        burst is admitted after a quiet spell instead of never."""
        limit = self.limits[principal.role]
        if limit.rate_per_s <= 0:
            return 0.0
        cost = min(cost, limit.burst)
        now = time.monotonic()
        bucket = self._buckets.get(principal.id)
        if bucket is None:
            if len(self._buckets) >= self.max_buckets:
                self._forget_full(now)
            bucket = self._buckets[principal.id] = [limit.burst, now, limit.rate_per_s, limit.burst]
        tokens = min(limit.burst, bucket[0] + (now - bucket[1]) * limit.rate_per_s)
        bucket[1] = now
        if tokens >= cost:
            bucket[0] = tokens - cost
            return 0.0
        bucket[0] = tokens
        return (cost - tokens) / limit.rate_per_s

    def _forget_full(self, now: float) -> None:
        """A bucket that has refilled is the same as none: drop those (many customers, each seen once)."""
        self._buckets = {
            pid: b for pid, b in self._buckets.items() if b[0] + (now - b[1]) * b[2] < b[3]
        }
        if len(self._buckets) >= self.max_buckets:
            # Every one of them busy right now: start over rather than grow without bound.
            self._buckets = {}
