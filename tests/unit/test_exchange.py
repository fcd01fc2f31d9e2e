"""Exchanges on returns: another variant of the returned item's style, at no charge. Pure."""

from __future__ import annotations

import pytest

from oms_actors.domain.errors import FailedPreconditionError
from oms_actors.domain.order import Order
from oms_actors.domain.returns import Resolution
from tests.unit.test_shipping_charge import delivered_with_shipping, resolved

# A (line 1) comes in sizes A and A-L; B (line 2) has no variants; C is another style.
STYLES = {"A": "shirt", "A-L": "shirt", "B": "", "C": "trousers"}
WINDOW_MS = 30 * 86_400_000


def ask(order: Order, lines: dict, exchanges: dict, rid: str = "R1") -> Order:
    return order.request_return(
        return_id=rid, lines=lines, channel="store", location_id="DC1", window_ms=WINDOW_MS,
        non_returnable=frozenset(), now_ms=5000, exchanges=exchanges, styles=STYLES,
    )  # fmt: skip


def test_an_exchange_within_the_style_is_recorded_and_moves_no_money():
    order = ask(delivered_with_shipping(), {1: (1, "too small", Resolution.EXCHANGE)}, {1: "A-L"})
    [line] = order.returns[0].lines
    assert (line.resolution, line.exchange_sku) == (Resolution.EXCHANGE, "A-L")
    order = order.receive_return("R1", location_id="DC1", quantities={1: 1}, now_ms=5001)
    order = order.inspect_return("R1", dispositions={}, now_ms=5002)
    record = order.return_("R1")
    assert record is not None and record.sends_items
    assert order.refund_plan("R1") == [] and order.store_credit_due("R1") == 0
    done = resolved(order, "R1")
    assert sum(p.refunded for p in done.payment_records) == 0 and done.return_("R1").refunds == ()


def test_the_same_exchange_asked_again_changes_nothing_and_another_variant_is_another_request():
    first = ask(delivered_with_shipping(), {1: (1, "too small", Resolution.EXCHANGE)}, {1: "A-L"})
    assert ask(first, {1: (1, "too small", Resolution.EXCHANGE)}, {1: "A-L"}) is first
    with pytest.raises(FailedPreconditionError) as info:
        ask(first, {1: (1, "too small", Resolution.EXCHANGE)}, {1: "A"})
    assert info.value.code == "RETURN_ID_REUSED"


@pytest.mark.parametrize(
    ("line", "exchange_sku", "reason"),
    [
        (1, "C", "C is not a variant of the same style (shirt)"),
        (1, "A", "an exchange is for another variant; the same item again is a replacement"),
        (2, "A-L", "this item has no variants to exchange for"),
        (1, "GONE", "unknown SKU 'GONE' to exchange for"),
    ],
)
def test_an_exchange_outside_the_style_is_refused_naming_the_line_and_changes_nothing(line, exchange_sku, reason):
    order = delivered_with_shipping()
    with pytest.raises(FailedPreconditionError) as info:
        ask(order, {line: (1, "wrong size", Resolution.EXCHANGE)}, {line: exchange_sku})
    assert info.value.code == "RETURN_NOT_ALLOWED"
    assert [(p.line_number, p.reason) for p in info.value.lines] == [(line, reason)]
    assert order.returns == ()


def test_lines_not_exchanged_ignore_styles():
    order = ask(delivered_with_shipping(), {2: (1, "not wanted", Resolution.REFUND)}, {})
    assert order.returns[0].lines[0].exchange_sku == ""
    assert not order.receive_return("R1", location_id="DC1", quantities={2: 1}, now_ms=5001).return_("R1").sends_items
