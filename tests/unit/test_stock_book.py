"""The stock book never oversells, refuses whole orders, and is idempotent by key."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from oms_actors.domain.stock import Reservation, ReservationKey, ReservationRequest, StockBook, StockLevelChange


def book(**levels: int) -> StockBook:
    b = StockBook()
    b.apply_stock_levels([StockLevelChange(location_id=k.split("_")[0], sku=k.split("_")[1], on_hand=v, safety=0) for k, v in levels.items()])
    return b


def req(order: str, line: int, loc: str, sku: str, qty: int, keep: int = 0) -> ReservationRequest:
    return ReservationRequest(order_id=order, line_number=line, location_id=loc, sku=sku, quantity=qty, keep=keep)


def test_reserve_within_stock_is_granted_and_counted():
    b = book(DC1_A=5)
    plan = b.plan_reserve([req("o1", 1, "DC1", "A", 3)])
    assert plan.refused == {}
    b.apply_reserve(plan)
    assert b.row("DC1", "A").reserved == 3
    assert b.row("DC1", "A").available == 2


def test_plan_changes_nothing_until_applied():
    b = book(DC1_A=5)
    b.plan_reserve([req("o1", 1, "DC1", "A", 3)])
    assert b.row("DC1", "A").reserved == 0
    assert b.reservations == {}


def test_order_is_all_or_nothing_and_every_failing_line_is_named():
    b = book(DC1_A=5, DC1_B=1, DC1_C=0)
    plan = b.plan_reserve([req("o1", 1, "DC1", "A", 2), req("o1", 2, "DC1", "B", 2), req("o1", 3, "DC1", "C", 1)])
    assert set(plan.refused) == {"o1"}
    assert [p.line_number for p in plan.refused["o1"]] == [2, 3]
    assert plan.upserts == {}


def test_orders_in_one_batch_cannot_share_the_last_unit():
    b = book(DC1_A=1)
    plan = b.plan_reserve([req("o1", 1, "DC1", "A", 1), req("o2", 1, "DC1", "A", 1)])
    assert list(plan.refused) == ["o2"]
    b.apply_reserve(plan)
    assert b.row("DC1", "A").reserved == 1


def test_repeating_a_reservation_reserves_nothing_more():
    b = book(DC1_A=3)
    for _ in range(3):
        plan = b.plan_reserve([req("o1", 1, "DC1", "A", 2)])
        assert plan.refused == {}
        b.apply_reserve(plan)
    assert b.row("DC1", "A").reserved == 2


def test_safety_stock_and_channel_keep_are_never_sold():
    b = StockBook()
    b.apply_stock_levels([StockLevelChange(location_id="ST1", sku="A", on_hand=5, safety=1)])
    assert b.plan_reserve([req("o1", 1, "ST1", "A", 5)]).refused
    assert b.plan_reserve([req("o1", 1, "ST1", "A", 3, keep=2)]).refused
    assert not b.plan_reserve([req("o1", 1, "ST1", "A", 2, keep=2)]).refused


def test_release_gives_everything_back_once():
    b = book(DC1_A=3, DC2_A=3)
    b.apply_reserve(b.plan_reserve([req("o1", 1, "DC1", "A", 2), req("o1", 1, "DC2", "A", 1)]))
    keys = b.plan_release(["o1"])
    assert len(keys) == 2
    b.apply_release(keys)
    b.apply_release(keys)
    assert b.row("DC1", "A").reserved == 0 and b.row("DC2", "A").reserved == 0
    assert b.plan_release(["o1"]) == []


@settings(max_examples=150, deadline=None)
@given(
    stock=st.integers(0, 8),
    requests=st.lists(st.tuples(st.sampled_from(["o1", "o2", "o3", "o4"]), st.integers(1, 2), st.integers(0, 5)), max_size=12),
    releases=st.lists(st.sampled_from(["o1", "o2", "o3", "o4"]), max_size=3),
)
def test_reserved_never_exceeds_on_hand_and_matches_reservations(stock, requests, releases):
    b = book(DC1_A=stock)
    for order, line, qty in requests:
        b.apply_reserve(b.plan_reserve([req(order, line, "DC1", "A", qty)]))
        assert b.row("DC1", "A").reserved <= stock
    b.apply_release(b.plan_release(releases))
    assert b.row("DC1", "A").reserved == sum(r.quantity for r in b.reservations.values())
    assert b.row("DC1", "A").reserved <= stock
    rebuilt = StockBook.rebuild(on_hand=b.on_hand, safety=b.safety, reservations=b.reservations)
    assert rebuilt.row("DC1", "A") == b.row("DC1", "A")


def test_a_new_plan_replaces_what_the_order_held():
    b = book(DC1_A=3, DC2_A=3)
    b.apply_reserve(b.plan_reserve([req("o1", 1, "DC1", "A", 2)]))
    b.apply_reserve(b.plan_reserve([req("o1", 1, "DC2", "A", 3)]))
    assert b.row("DC1", "A").reserved == 0 and b.row("DC2", "A").reserved == 3
    # Its own holding counts as free for it: moving 3 units within DC2 is no shortage.
    assert not b.plan_reserve([req("o1", 1, "DC2", "A", 3)]).refused


def test_an_order_named_without_requests_gives_everything_back():
    b = book(DC1_A=3)
    b.apply_reserve(b.plan_reserve([req("o1", 1, "DC1", "A", 2)]))
    b.apply_reserve(b.plan_reserve([], orders=["o1"]))
    assert b.reservations == {} and b.row("DC1", "A").reserved == 0


def test_a_refused_replacement_keeps_the_old_holding():
    b = book(DC1_A=2, DC2_A=1)
    b.apply_reserve(b.plan_reserve([req("o1", 1, "DC1", "A", 2)]))
    plan = b.plan_reserve([req("o1", 1, "DC2", "A", 2)])
    assert list(plan.refused) == ["o1"] and plan.upserts == {}
    assert b.row("DC1", "A").reserved == 2


def test_held_by_credits_only_the_named_orders():
    b = book(DC1_A=5)
    b.apply_reserve(b.plan_reserve([req("o1", 1, "DC1", "A", 2), req("o2", 1, "DC1", "A", 1)]))
    assert b.held_by(["o1"]) == {("DC1", "A"): 2}
    assert b.held_by([]) == {}


# -- rises: what a sourcer planning from availability it read earlier is told ------------


def _rises_after(book: StockBook, change) -> dict[str, int]:
    touched = [(loc, sku) for loc, sku in book.on_hand]
    before = {key: book.available(key) for key in touched}
    change()
    book.committed(before)
    return dict(book.rises)


def test_availability_that_rises_is_counted_and_what_only_falls_is_not():
    book = StockBook.rebuild(on_hand={("L1", "A"): 10, ("L1", "B"): 5}, safety={}, reservations={})
    hold = {ReservationKey(order_id="o1", line_number=1, location_id="L1"): Reservation(sku="A", quantity=4)}
    assert _rises_after(book, lambda: book.apply_reserve_changes(hold)) == {}
    # Shipping takes units out of on hand and out of the reservation: availability stays.
    shipped = {ReservationKey(order_id="o1", line_number=1, location_id="L1"): Reservation(sku="A", quantity=1)}
    assert _rises_after(book, lambda: (book.apply_reserve_changes(shipped), book.apply_on_hand([("L1", "A", 7)]))) == {}
    release = {ReservationKey(order_id="o1", line_number=1, location_id="L1"): Reservation(sku="A", quantity=0)}
    assert _rises_after(book, lambda: book.apply_reserve_changes(release)) == {"A": 1}
    assert _rises_after(book, lambda: book.apply_on_hand([("L1", "B", 6)])) == {"A": 1, "B": 1}
    assert book.commits == 4
    assert book.stale(book.epoch, {"A": 1, "B": 0}) == {"B"}
    assert book.stale("another life", {"A": 1}) == {"A"}


def test_lowering_safety_stock_is_a_rise():
    book = StockBook.rebuild(on_hand={("L1", "A"): 10}, safety={("L1", "A"): 3}, reservations={})
    lower = [StockLevelChange(location_id="L1", sku="A", on_hand=10, safety=1)]
    assert _rises_after(book, lambda: book.apply_stock_levels(lower)) == {"A": 1}
