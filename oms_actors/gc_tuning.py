"""Garbage collector settings for the long-lived service processes.

Capturing an order allocates thousands of short-lived objects (protobufs, domain
records, Redis replies), so CPython's default young-generation threshold (700 net
allocations) runs a collection several times per order, and each older-generation
collection walks every order a shard keeps in memory. Reference counting frees
nearly all of it anyway; the collector is only there for cycles. A larger young
threshold makes collections rare; ``gc.freeze`` after loading moves what is loaded
out of the collector's view, so a full collection no longer walks the whole partition.
"""

from __future__ import annotations

import gc
import os

DEFAULT_THRESHOLD = 50_000


def tune(*, freeze: bool = False) -> None:
    """Applies the service's collector settings (``OMS_GC_THRESHOLD=0`` keeps CPython's)."""
    threshold = int(os.environ.get("OMS_GC_THRESHOLD", DEFAULT_THRESHOLD))
    if threshold > 0:
        _, gen1, gen2 = gc.get_threshold()
        gc.set_threshold(threshold, gen1, gen2)
    if freeze:
        gc.freeze()
