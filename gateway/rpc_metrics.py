"""Calls by method and status code, and their latency: counted by the access interceptor.

Plain dictionaries updated on the gateway's event loop, a few updates per call with no
lock (the capture path runs through here); ``gateway.metrics`` reads copies of them
when Prometheus scrapes.
"""

from __future__ import annotations

import bisect
from collections import defaultdict

# Seconds; the capture path's p99 sits in the tens of milliseconds.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class RpcMetrics:
    """Calls by (method, status code), and per method a latency histogram."""

    def __init__(self) -> None:
        self.handled: defaultdict[tuple[str, str], int] = defaultdict(int)
        # method -> counts per bucket (the last one: above every bound), then the sum of seconds
        self._latency: dict[str, list[float]] = {}

    def observe(self, method: str, code: str, seconds: float) -> None:
        self.handled[(method, code)] += 1
        counts = self._latency.get(method)
        if counts is None:
            counts = self._latency[method] = [0.0] * (len(BUCKETS) + 2)
        counts[bisect.bisect_left(BUCKETS, seconds)] += 1
        counts[-1] += seconds

    def latency(self) -> dict[str, list[float]]:
        """A copy: method -> counts per bucket then the sum (for the scrape's thread)."""
        return {method: list(counts) for method, counts in list(self._latency.items())}
