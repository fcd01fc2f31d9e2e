"""Which items come back and why (domain.return_report): what a save counts, and a report of days. Pure."""

from __future__ import annotations

from oms_actors.domain.records import evolve
from oms_actors.domain.return_report import counts, report
from oms_actors.domain.returns import Resolution
from tests.unit.test_shipping_charge import delivered_with_shipping


def asked(order, rid: str, lines: dict, codes: dict, at_ms: int):
    return order.request_return(
        return_id=rid, lines=lines, channel="web", location_id="DC1", window_ms=30 * 86_400_000,
        non_returnable=frozenset(), now_ms=at_ms, reason_codes=codes,
    )  # fmt: skip


def test_a_return_is_counted_once_on_the_day_it_was_asked_for():
    order = evolve(delivered_with_shipping(), pending=())
    at = 86_400_000 + 5000  # 1970-01-02, after delivery on the first day
    first = asked(order, "R1", {1: (2, "small", Resolution.REFUND), 2: (1, "?", Resolution.REPLACEMENT)}, {1: "does_not_fit"}, at)
    day = counts(order, first)
    assert list(day) == ["19700102"]
    assert day["19700102"] == {
        "returns": 1, "units": 3,
        "reason|does_not_fit": 2, "reason|unspecified": 1,
        "resolution|refund": 2, "resolution|replacement": 1,
        "sku|A": 2, "sku|B": 1, "sku_reason|A|does_not_fit": 2, "sku_reason|B|unspecified": 1,
        "channel|web": 3, "asked_in|web": 3,
    }  # fmt: skip
    assert counts(first, first) == {} and counts(None, order) == {}
    # What happens to it later counts nothing more; a second return counts on its own day.
    received = first.receive_return("R1", location_id="DC1", quantities={1: 2, 2: 1}, now_ms=at + 5)
    assert counts(first, received) == {}


def test_a_report_adds_up_the_days_and_ranks_the_skus():
    days = [
        {"returns": 2, "units": 3, "reason|damaged": 3, "resolution|refund": 3, "sku|A": 1, "sku|B": 2,
         "sku_reason|A|damaged": 1, "sku_reason|B|damaged": 2, "channel|web": 3, "asked_in|store": 1, "asked_in|web": 2},
        {"returns": 1, "units": 2, "reason|does_not_fit": 2, "resolution|exchange": 2, "sku|A": 2,
         "sku_reason|A|does_not_fit": 2, "channel|marketplace": 2, "asked_in|store": 2},
        {},
    ]  # fmt: skip
    found = report(days, top=1)
    assert (found.returns, found.units) == (3, 5)
    assert found.by_reason == {"damaged": 3, "does_not_fit": 2} and found.by_resolution == {"refund": 3, "exchange": 2}
    assert found.by_channel == {"web": 3, "marketplace": 2}  # where they were sold
    assert found.by_channel_asked == {"store": 3, "web": 2}  # where they were brought back
    [a] = found.skus
    assert (a.sku, a.units, a.by_reason) == ("A", 3, {"damaged": 1, "does_not_fit": 2})
    asked_for = report(days, skus=["B", "Z"])
    assert [(s.sku, s.units, s.by_reason) for s in asked_for.skus] == [("B", 2, {"damaged": 2}), ("Z", 0, {})]
