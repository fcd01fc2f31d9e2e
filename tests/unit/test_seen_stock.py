"""Availability kept by a sourcer between batches never shows less than there was."""

from __future__ import annotations

from oms_actors.domain.seen_stock import SeenStock


def test_own_reservations_come_off_a_snapshot_older_than_them_only():
    seen = SeenStock()
    seen.learn("e1", 10, {"A": 0}, [("L1", "A", 10, 2, 1), ("L2", "A", 3, 0, 0)])
    assert seen.stock(["A"]) == {("L1", "A"): 7, ("L2", "A"): 3}
    seen.took("e1", 12, [("L1", "A", 4)])  # committed after the read: not in it yet
    assert seen.stock(["A"]) == {("L1", "A"): 3, ("L2", "A"): 3}
    seen.learn("e1", 13, {"A": 0}, [("L1", "A", 10, 6, 1), ("L2", "A", 3, 0, 0)])
    seen.took("e1", 12, [("L1", "A", 4)])  # a late answer the newer read already shows
    assert seen.stock(["A"]) == {("L1", "A"): 3, ("L2", "A"): 3}
    seen.learn("e1", 11, {"A": 0}, [("L1", "A", 10, 2, 1)])  # an older read arriving late is ignored
    assert seen.stock(["A"]) == {("L1", "A"): 3, ("L2", "A"): 3}
    seen.took("e2", 99, [("L1", "A", 1)])  # another life of the shard: its counts mean nothing here
    assert seen.stock(["A"]) == {("L1", "A"): 3, ("L2", "A"): 3}


def test_a_sku_without_stock_is_known_to_have_none_and_rises_are_named_per_sku():
    seen = SeenStock()
    seen.learn("e1", 5, {"A": 2, "B": 0}, [("L1", "A", 1, 0, 0)])
    assert seen.covers(["A", "B"]) and not seen.covers(["A", "C"])
    assert seen.stock(["A", "B"]) == {("L1", "A"): 1}
    assert seen.seen(["A", "B"]) == ("e1", {"A": 2, "B": 0})
    seen.learn("e2", 1, {"C": 0}, [])
    assert seen.seen(["A", "C"]) is None  # read in two lives of the shard: plan from a fresh read
    seen.forget(["A"])
    assert not seen.covers(["A"])


def test_it_keeps_the_skus_learnt_last_up_to_its_limit():
    seen = SeenStock(limit=2)
    seen.learn("e1", 1, {"A": 0, "B": 0}, [])
    seen.learn("e1", 2, {"A": 0}, [])  # read again: now the newest
    seen.learn("e1", 3, {"C": 0}, [])
    assert seen.full and seen.covers(["A", "C"]) and not seen.covers(["B"])
