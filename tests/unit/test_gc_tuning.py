"""The collector freezes what survives a collection, and a full collection still frees frozen cycles."""

from __future__ import annotations

import gc
import weakref

from oms_actors import gc_tuning


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_survivors_are_frozen_and_a_full_collection_frees_a_frozen_cycle(monkeypatch):
    monkeypatch.setenv("OMS_GC_FULL_EVERY_S", "0")  # no background thread in the test process
    monkeypatch.setenv("OMS_GC_THRESHOLD", "0")
    monkeypatch.setattr(gc_tuning, "_installed", False)
    saved = list(gc.callbacks)  # only this test's tuning, whatever other tests installed
    gc.callbacks.clear()
    try:
        gc_tuning.tune()
        node = _Node()
        alive = weakref.ref(node)
        gc.collect()
        assert gc.get_freeze_count() > 0  # the survivors, the node among them, left the collector's view
        del node
        gc.collect()
        assert alive() is not None  # a frozen cycle outlives its use ...
        gc_tuning.collect_all()
        assert alive() is None  # ... until the full collection
    finally:
        gc.callbacks[:] = saved
        gc.unfreeze()


def test_freezing_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("OMS_GC_FREEZE", "0")
    monkeypatch.setenv("OMS_GC_THRESHOLD", "0")
    monkeypatch.setattr(gc_tuning, "_installed", False)
    before = gc.callbacks.count(gc_tuning._freeze_survivors)  # in-process actors of other tests may have tuned
    gc_tuning.tune()
    assert gc.callbacks.count(gc_tuning._freeze_survivors) == before
