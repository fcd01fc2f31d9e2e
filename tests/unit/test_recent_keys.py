"""RecentKeys: bounded, forgets the least recently used first."""

from __future__ import annotations

import pytest

from oms_actors.recent import RecentKeys


def test_the_least_recently_used_key_goes_first():
    keys: RecentKeys[str, int] = RecentKeys(2)
    keys["a"], keys["b"] = 1, 2
    assert keys.get("a") == 1  # a is now the most recent
    keys["c"] = 3
    assert ("a" in keys, "b" in keys, "c" in keys) == (True, False, True)
    keys.update({"d": 4})
    assert len(keys) == 2 and "a" not in keys and keys.get("d") == 4
    keys.clear()
    assert len(keys) == 0 and keys.get("c") is None


def test_a_capacity_below_one_is_refused():
    with pytest.raises(ValueError):
        RecentKeys(0)
