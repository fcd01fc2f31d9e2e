"""The stock audit reports what stays different, not an order caught mid-change."""

from __future__ import annotations

from oms_actors.audit import ReservationCheck, settled_differences


def _check(mismatches: dict, totals: dict) -> ReservationCheck:
    return ReservationCheck(mismatches=mismatches, totals=totals, checked=10)


def test_a_mismatch_that_changes_between_passes_is_not_reported_one_that_stays_is():
    stuck = ("O1", 1, "DC-A", "SKU-1")
    moving = ("O2", 2, "DC-B", "SKU-2")
    first = _check({stuck: (2, 1), moving: (1, 0)}, {("DC-A", "SKU-1"): (2, 1), ("DC-B", "SKU-2"): (1, 0)})
    second = _check({stuck: (2, 1)}, {("DC-A", "SKU-1"): (2, 1), ("DC-B", "SKU-2"): (1, 1)})
    [difference] = settled_differences([first, second])
    assert (difference.location_id, difference.sku, difference.expected, difference.actual) == ("DC-A", "SKU-1", 2, 1)
    assert "O1 line 1: order says 2, shard holds 1" in difference.detail

    # The same key with other figures in a later pass is still moving: not reported.
    third = _check({stuck: (3, 1)}, {("DC-A", "SKU-1"): (3, 1)})
    assert settled_differences([first, second, third]) == []
    # One pass alone reports what it saw.
    assert len(settled_differences([first])) == 2
