"""Each line's return terms as its product was sold: its own window and a final sale, kept at sale."""

from __future__ import annotations

import pytest

from oms_actors.domain.errors import FailedPreconditionError
from oms_actors.domain.network import Product
from oms_actors.domain.order import Order
from oms_actors.domain.return_policy import DAY_MS
from oms_actors.domain.returns import Resolution
from tests.unit.test_order_state import command, sourced

WEB_DAYS = 30
DELIVERED_AT = 10_000


def delivered(products: dict[str, Product] | None, *, order_days: int | None = WEB_DAYS) -> Order:
    """Lines A (2 units) and B (1 unit), sold under ``products``, both delivered at DELIVERED_AT."""
    order = Order.accept(command(), order_id="O1", now_ms=1000, return_window_days=order_days, products=products)
    order = sourced(2, 1, order).approve(by="risk-rules", now_ms=3000).release(now_ms=3001)
    order = order.ship(shipment_id="S1", location_id="DC1", quantities={1: 2}, now_ms=4000)
    order = order.ship(shipment_id="S2", location_id="DC2", quantities={2: 1}, now_ms=4100)
    for step in order.pending:  # captured and out of stock: nothing left to do but wait
        order = order.step_done(step, now_ms=5000)
    return order.deliver("S1", now_ms=DELIVERED_AT).deliver("S2", now_ms=DELIVERED_AT)


def ask(order: Order, line: int, *, at: int, non_returnable: frozenset[str] = frozenset()) -> Order:
    return order.request_return(
        return_id="R1", lines={line: (1, "x", Resolution.REFUND)}, channel="web", location_id="DC1",
        window_ms=order.return_window_ms(WEB_DAYS * DAY_MS), non_returnable=non_returnable, now_ms=at,
    )  # fmt: skip


def refusal(order: Order, line: int, **kw) -> str:
    with pytest.raises(FailedPreconditionError) as caught:
        ask(order, line, **kw)
    assert caught.value.code == "RETURN_NOT_ALLOWED"
    return caught.value.lines[0].reason


CATALOGUE = {
    "A": Product(sku="A", return_window_days=14),  # a phone: 14 days
    "B": Product(sku="B", returnable=False),  # earrings: a final sale
}


def test_each_line_keeps_its_products_terms_as_sold():
    order = delivered(CATALOGUE)
    a, b = order.lines
    assert (a.return_window_days, a.final_sale) == (14, False)
    assert (b.return_window_days, b.final_sale) == (None, True)
    assert order.return_by_ms(1) == DELIVERED_AT + 14 * DAY_MS
    assert order.return_by_ms(2) == DELIVERED_AT + WEB_DAYS * DAY_MS


def test_a_line_with_its_own_window_closes_on_it_and_the_others_on_the_orders():
    order = delivered(CATALOGUE | {"B": Product(sku="B", return_window_days=100)})
    day_20 = DELIVERED_AT + 20 * DAY_MS
    assert refusal(order, 1, at=day_20) == "the return window has closed"
    assert ask(order, 2, at=day_20).return_("R1") is not None
    # Longer than the channel's: the mattress's 100 nights hold past the order's 30 days.
    assert ask(order, 2, at=DELIVERED_AT + 99 * DAY_MS).return_("R1") is not None
    assert refusal(order, 2, at=DELIVERED_AT + 101 * DAY_MS) == "the return window has closed"


def test_a_final_sale_stays_one_and_a_returnable_sale_stays_returnable_whatever_the_catalogue_says_later():
    order = delivered(CATALOGUE)
    at = DELIVERED_AT + DAY_MS
    # B was a final sale: the catalogue calling it returnable now changes nothing.
    assert refusal(order, 2, at=at) == "this item cannot be returned"
    # A was returnable when sold: the catalogue calling it a final sale now changes nothing.
    assert ask(order, 1, at=at, non_returnable=frozenset({"A"})).return_("R1") is not None


def test_lines_sold_before_they_kept_terms_follow_the_catalogue_now():
    order = delivered(None)
    assert [(line.return_window_days, line.final_sale) for line in order.lines] == [(None, None), (None, None)]
    at = DELIVERED_AT + DAY_MS
    assert refusal(order, 2, at=at, non_returnable=frozenset({"B"})) == "this item cannot be returned"
    assert ask(order, 2, at=at).return_("R1") is not None
    # A SKU the catalogue given did not hold keeps no terms either.
    assert delivered({"A": Product(sku="A")}).lines[1].final_sale is None


def test_a_channel_that_takes_no_returns_takes_none_of_a_product_with_its_own_window():
    order = delivered(CATALOGUE, order_days=0)
    assert order.lines[0].return_window_days is None
    assert refusal(order, 1, at=DELIVERED_AT + DAY_MS) == "the return window has closed"


def test_the_order_closes_once_the_longest_window_of_its_lines_has_shut():
    order = delivered(CATALOGUE | {"B": Product(sku="B", return_window_days=100)})
    window = order.return_window_ms(WEB_DAYS * DAY_MS)
    assert not order.closable(DELIVERED_AT + 31 * DAY_MS, window)
    assert order.closable(DELIVERED_AT + 101 * DAY_MS, window)
    # Every line with a shorter window of its own: the order's 30 days hold none of them.
    short = delivered({"A": Product(sku="A", return_window_days=14), "B": Product(sku="B", return_window_days=7)})
    assert not short.closable(DELIVERED_AT + 13 * DAY_MS, window)
    assert short.closable(DELIVERED_AT + 15 * DAY_MS, window)
