"""Units sent for repair that cannot be repaired: written off and made good (their price back,
or new units), with money keyed apart from the return's own resolution. Pure."""

from __future__ import annotations

import pytest

from oms_actors.domain.errors import FailedPreconditionError, InvalidTransitionError
from oms_actors.domain.events import order_events
from oms_actors.domain.order import STEP_UNREPAIRABLE, Order
from oms_actors.domain.records import evolve
from oms_actors.domain.returns import Resolution
from oms_actors.order_shard import _unrepairable_lines
from tests.unit.test_exchange import WINDOW_MS, ask
from tests.unit.test_shipping_charge import delivered_with_shipping, resolved


def at_repair() -> Order:
    """Line 1 (two units of A at 1,000) sent for repair, line 2 (B, 250) refunded: inspected and resolved."""
    order = evolve(delivered_with_shipping(), pending=())
    asked = ask(order, {1: (2, "zip broken", Resolution.REPAIR), 2: (1, "meh", Resolution.REFUND)}, {})
    received = asked.receive_return("R1", location_id="DC1", quantities={1: 2, 2: 1}, now_ms=5001)
    done = resolved(received.inspect_return("R1", dispositions={}, now_ms=5002), "R1")
    return evolve(done, pending=())


def made_good(order: Order, *, store_credit: int = 0, replacement: str = "") -> Order:
    """What the shard's step does with the plan (the provider's refund ids aside)."""
    refunds = tuple(order.refund_plan("R1", unrepairable=True))
    return order.record_unrepairable(
        "R1", refunds=refunds, store_credit=store_credit, credit_notes=("CN-9",), replacement_order_id=replacement, now_ms=9500
    )


def test_units_beyond_repair_are_written_off_and_their_price_goes_back_to_the_captures_apart():
    order = at_repair()
    assert order.return_("R1").awaiting_repair
    declared = order.declare_beyond_repair("R1", resolution=Resolution.REFUND, reason="board burnt", now_ms=9000)
    record = declared.return_("R1")
    repair, refund = record.lines
    assert (repair.written_off, repair.restocked, repair.repaired) == (2, 0, 0) and refund.written_off == 0
    assert not record.awaiting_repair and (record.unrepairable, record.unrepairable_reason) == ("refund", "board burnt")
    assert STEP_UNREPAIRABLE + "R1" in declared.pending
    assert "return.unrepairable" in [e.type for e in order_events(order, declared)]
    # Their price, from the shipment that carried them: not the return's refunded line, not the delivery charge.
    plan = declared.refund_plan("R1", unrepairable=True)
    assert [(p.shipment_id, p.amount, p.line_number, p.charge) for p in plan] == [("S1", 2_000, 1, "")]
    assert declared.store_credit_due("R1", unrepairable=True) == 0
    assert _unrepairable_lines(declared, record) == {"A": (2, 0)}  # (what a REPLACEMENT would send)

    done = made_good(declared)
    record = done.return_("R1")
    assert [p.amount for p in record.refunds] == [250, 2_000] and record.lines[0].refunded == 2_000
    assert record.lines[1].refunded == 250 and record.credit_notes[-1] == "CN-9" and record.unrepairable_resolved_at_ms == 9500
    assert done.payment_records[0].refunded == 2_250 and STEP_UNREPAIRABLE + "R1" not in done.pending
    events = order_events(declared, done)
    assert "return.made_good" in [e.type for e in events]
    assert [e.data["credit_note"] for e in events if e.type == "credit_note.issued"] == ["CN-9"]  # the new note only
    assert evolve(done, pending=()).closable(now_ms=10**13, window_ms=WINDOW_MS)


def test_store_credit_for_units_beyond_repair_is_credited_on_the_invoice_that_charged_them():
    declared = at_repair().declare_beyond_repair("R1", resolution=Resolution.STORE_CREDIT, reason="no parts", now_ms=9000)
    assert declared.refund_plan("R1", unrepairable=True) == []
    assert declared.store_credit_due("R1", unrepairable=True) == 2_000
    assert declared.store_credit_by_shipment("R1", unrepairable=True) == {"S1": {1: 2_000}}
    assert declared.store_credit_due("R1") == 0  # the return's own resolution refunded, credited nothing
    done = made_good(declared, store_credit=2_000)
    assert done.return_("R1").store_credit == 2_000 and done.return_("R1").lines[0].refunded == 2_000
    # Goodwill after it finds S1's invoice credited already by those 2,000.
    assert done.compensable == 2_745 - 250 - 2_000


def test_a_replacement_for_units_beyond_repair_moves_no_money():
    declared = at_repair().declare_beyond_repair("R1", resolution=Resolution.REPLACEMENT, reason="screen cracked", now_ms=9000)
    assert declared.refund_plan("R1", unrepairable=True) == [] and declared.store_credit_due("R1", unrepairable=True) == 0
    done = declared.record_unrepairable(
        "R1", refunds=(), store_credit=0, credit_notes=(), replacement_order_id="O-NEW", now_ms=9500
    )
    assert done.return_("R1").repair_replacement_order_id == "O-NEW" and done.payment_records[0].refunded == 250
    [made] = [e for e in order_events(declared, done) if e.type == "return.made_good"]
    assert made.data["repair_replacement_order_id"] == "O-NEW"


def test_declaring_again_changes_nothing_and_anything_else_is_refused():
    order = at_repair()
    declared = order.declare_beyond_repair("R1", resolution=Resolution.REFUND, reason="board burnt", now_ms=9000)
    assert declared.declare_beyond_repair("R1", resolution=Resolution.REFUND, reason="board burnt", now_ms=9001) is declared
    with pytest.raises(FailedPreconditionError) as info:
        declared.declare_beyond_repair("R1", resolution=Resolution.REPLACEMENT, reason="board burnt", now_ms=9001)
    assert info.value.code == "NO_REPAIR_PENDING"
    with pytest.raises(FailedPreconditionError) as info:  # nothing left at repair to send back repaired
        declared.complete_repair("R1", carrier="dhl", tracking="T1", now_ms=9001)
    assert info.value.code == "NO_REPAIR_PENDING"
    repaired = order.complete_repair("R1", carrier="dhl", tracking="T1", now_ms=9000)
    with pytest.raises(FailedPreconditionError) as info:
        repaired.declare_beyond_repair("R1", resolution=Resolution.REFUND, reason="late", now_ms=9001)
    assert info.value.code == "NO_REPAIR_PENDING"
    with pytest.raises(ValueError):
        order.declare_beyond_repair("R1", resolution=Resolution.EXCHANGE, reason="x", now_ms=9001)
    with pytest.raises(FailedPreconditionError) as info:
        order.declare_beyond_repair("R9", resolution=Resolution.REFUND, reason="x", now_ms=9001)
    assert info.value.code == "NO_SUCH_RETURN"


def test_only_units_at_repair_after_inspection_can_be_declared_beyond_repair():
    order = evolve(delivered_with_shipping(), pending=())
    asked = ask(order, {1: (1, "zip broken", Resolution.REPAIR)}, {})
    received = asked.receive_return("R1", location_id="DC1", quantities={1: 1}, now_ms=5001)
    with pytest.raises(InvalidTransitionError):
        received.declare_beyond_repair("R1", resolution=Resolution.REFUND, reason="x", now_ms=5002)
    refund_only = ask(order, {2: (1, "meh", Resolution.REFUND)}, {}, rid="R2")
    refund_only = refund_only.receive_return("R2", location_id="DC1", quantities={2: 1}, now_ms=5001)
    inspected = refund_only.inspect_return("R2", dispositions={}, now_ms=5002)
    with pytest.raises(FailedPreconditionError) as info:
        inspected.declare_beyond_repair("R2", resolution=Resolution.REFUND, reason="x", now_ms=5003)
    assert info.value.code == "NO_REPAIR_PENDING"


def test_erasure_takes_what_the_repair_found_and_why_a_return_was_cancelled_with_the_other_free_text():
    done = made_good(at_repair().declare_beyond_repair("R1", resolution=Resolution.REFUND, reason="Ms X dropped it", now_ms=9000))
    erased = evolve(done, pending=()).close(now_ms=10**13).erase_personal_data(now_ms=10**13)
    assert erased.return_("R1").unrepairable_reason == "" and erased.return_("R1").unrepairable == "refund"
    asked = ask(evolve(delivered_with_shipping(), pending=()), {2: (1, "meh", Resolution.REFUND)}, {}, rid="R2")
    cancelled = asked.cancel_return("R2", reason="Ms X keeps it for her son", now_ms=9600)
    erased = evolve(cancelled, pending=()).close(now_ms=10**13).erase_personal_data(now_ms=10**13)
    assert erased.return_("R2").cancel_reason == "" and erased.return_("R2").status == cancelled.return_("R2").status



def test_units_declared_beyond_repair_before_the_return_was_resolved_are_made_good_after_it():
    """Its own resolution sets the return's money; what the unrepairable units add comes after."""
    from oms_actors.domain.order import STEP_RESOLVE
    from oms_actors.order_effects import next_step

    order = evolve(delivered_with_shipping(), pending=())
    asked = ask(order, {1: (2, "zip broken", Resolution.REPAIR), 2: (1, "meh", Resolution.REFUND)}, {})
    received = asked.receive_return("R1", location_id="DC1", quantities={1: 2, 2: 1}, now_ms=5001)
    inspected = received.inspect_return("R1", dispositions={}, now_ms=5002)  # its resolution still to come
    declared = inspected.declare_beyond_repair("R1", resolution=Resolution.REFUND, reason="board burnt", now_ms=5003)
    assert {STEP_RESOLVE + "R1", STEP_UNREPAIRABLE + "R1"} <= set(declared.pending)
    restocked = declared.step_done(next_step(declared), now_ms=5004)  # (the refunded unit back on the shelf)
    assert next_step(restocked) == STEP_RESOLVE + "R1"
    done = made_good(resolved(restocked, "R1"))
    assert [p.amount for p in done.return_("R1").refunds] == [250, 2_000]


def test_a_desk_s_backlog_counts_returns_to_bring_to_inspect_and_at_repair_with_the_oldest_wait():
    from oms_actors.domain.returns import desk_backlog

    order = evolve(delivered_with_shipping(), pending=())
    asked = ask(order, {1: (1, "zip broken", Resolution.REPAIR)}, {})
    assert desk_backlog(asked.returns) == {"DC1": {"authorized": (1, 5000)}}
    received = asked.receive_return("R1", location_id="DC1", quantities={1: 1}, now_ms=7000)
    assert desk_backlog(received.returns) == {"DC1": {"received": (1, 7000)}}
    at_repair = received.inspect_return("R1", dispositions={}, now_ms=8000)
    assert desk_backlog(at_repair.returns) == {"DC1": {"at_repair": (1, 7000)}}
    back = at_repair.complete_repair("R1", carrier="dhl", tracking="T1", now_ms=9000)
    assert desk_backlog(back.returns) == {}
