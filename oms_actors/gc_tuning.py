"""Garbage collector settings for the long-lived service processes.

Capturing an order allocates thousands of short-lived objects (protobufs, domain
records, Redis replies), and reference counting frees nearly all of them; the cyclic
collector is only there for cycles. What it costs is walking what it tracks: an order
shard keeps tens of thousands of open orders, millions of objects, and CPython walks
all that survived since the last collection of a generation. Measured under load, an
order shard's generation-1 collections took 265-289 ms once the orders captured at a
high rate had piled up there: every request the shard held meanwhile waited, which was
the service's p99.

So what survives a collection is frozen at once (``gc.freeze``): it moves out of the
collector's view, and each collection walks only what was allocated since the last
one, a few milliseconds. Objects frozen while alive are still freed by reference
counting when dropped; only a reference cycle among them would outlive its use, so
once an hour (``OMS_GC_FULL_EVERY_S``) a background thread unfreezes everything and
collects it all, one pause of the old length an hour instead of one every few seconds.
``OMS_GC_FREEZE=0`` keeps CPython's generational scheme with our threshold.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from typing import Any

DEFAULT_THRESHOLD = 10_000
DEFAULT_FULL_EVERY_S = 3_600.0

_installed = False


def tune(*, freeze: bool = False) -> None:
    """Applies the service's collector settings (``OMS_GC_THRESHOLD=0`` keeps CPython's).

    ``freeze``: what is alive now (a partition just loaded) leaves the collector's view."""
    global _installed
    threshold = int(os.environ.get("OMS_GC_THRESHOLD", DEFAULT_THRESHOLD))
    if threshold > 0:
        _, gen1, gen2 = gc.get_threshold()
        gc.set_threshold(threshold, gen1, gen2)
    if freeze:
        gc.freeze()
    if _installed or os.environ.get("OMS_GC_FREEZE", "1") == "0":
        return
    _installed = True
    gc.callbacks.append(_freeze_survivors)
    every = float(os.environ.get("OMS_GC_FULL_EVERY_S", DEFAULT_FULL_EVERY_S))
    if every > 0:
        threading.Thread(target=_full_collections, args=(every,), name="oms-gc-full", daemon=True).start()


def _freeze_survivors(phase: str, info: dict[str, Any]) -> None:
    if phase == "stop":
        gc.freeze()


def collect_all() -> int:
    """Collects everything, frozen or not, then freezes what is left; returns what was freed."""
    gc.unfreeze()
    freed = gc.collect()
    gc.freeze()
    return freed


def _full_collections(every_s: float) -> None:
    while True:
        time.sleep(every_s)
        collect_all()
