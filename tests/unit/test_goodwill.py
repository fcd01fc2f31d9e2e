"""Goodwill on the order: what may be given, where its money comes from, and what it leaves."""

from __future__ import annotations

import pytest

from oms_actors.domain.errors import FailedPreconditionError, InvalidTransitionError
from oms_actors.domain.order import STEP_APPEASE
from oms_actors.domain.returns import Resolution
from tests.unit.test_order_state import accepted
from tests.unit.test_shipping_charge import delivered_with_shipping, resolved, returned


def give(order, key: str, amount: int, resolution: Resolution = Resolution.REFUND):
    return order.appease(appeasement_id=key, amount=amount, reason="late", resolution=resolution, by="agent:a", now_ms=7000)


def test_goodwill_comes_from_the_newest_shipments_captures_and_is_counted_there():
    order = delivered_with_shipping()  # S1: 2,000 + 495 shipping, S2: 250; paid 2,745 by card
    assert order.compensable == 2_745
    asked = give(order, "G1", 400)
    assert STEP_APPEASE + "G1" in asked.pending and asked.compensable == 2_345
    plan = asked.appeasement_plan("G1")
    assert [(p.shipment_id, p.amount, p.charge) for p in plan] == [("S2", 250, "goodwill"), ("S1", 150, "goodwill")]
    done = asked.record_appeasement("G1", refunds=tuple(plan), store_credit=0, credit_notes=("CN-1",), now_ms=8000)
    assert STEP_APPEASE + "G1" not in done.pending and done.appeasement("G1").resolved
    assert done.payment_records[0].refunded == 400 and done.compensable == 2_345
    assert [c.refunded for s in done.shipments for c in s.captures] == [150, 250]


def test_goodwill_is_refused_beyond_what_was_paid_and_before_anything_was():
    with pytest.raises(InvalidTransitionError):
        give(accepted(), "G1", 1)
    order = delivered_with_shipping()
    for amount in (0, 2_746):
        with pytest.raises(FailedPreconditionError) as err:
            give(order, "G1", amount)
        assert err.value.code == "MORE_THAN_PAID"
    # Store credit and refunds already given (a return) count against it.
    voucher = give(order, "G1", 1_000, Resolution.STORE_CREDIT)
    voucher = voucher.record_appeasement("G1", refunds=(), store_credit=1_000, credit_notes=(), now_ms=8000)
    back = resolved(returned(voucher, "R1", {2: (1, "x", Resolution.REFUND)}, 9000), "R1")
    assert back.compensable == 2_745 - 1_000 - 250
    with pytest.raises(FailedPreconditionError):
        give(back, "G2", 1_496)


def test_a_repeat_changes_nothing_and_other_terms_under_the_same_key_are_refused():
    asked = give(delivered_with_shipping(), "G1", 400)
    assert give(asked, "G1", 400) is asked
    with pytest.raises(FailedPreconditionError) as err:
        give(asked, "G1", 401)
    assert err.value.code == "GOODWILL_ID_REUSED"


def test_an_invoice_a_return_credited_as_store_credit_gives_no_more_goodwill():
    credited = returned(delivered_with_shipping(), "R1", {2: (1, "x", Resolution.STORE_CREDIT)}, 5000)
    credited = credited.record_resolution(
        "R1", refunds=(), store_credit=250, credit_notes=("CN-1",), replacement_order_id="", now_ms=6000
    )
    asked = give(credited, "G1", 400)
    # S2's invoice was credited in full by the return's credit note: its capture has nothing to give.
    assert [(p.shipment_id, p.amount) for p in asked.appeasement_plan("G1")] == [("S1", 400)]


def test_a_closed_order_may_still_be_given_goodwill_and_is_finished_again_once_paid():
    consumed = delivered_with_shipping().step_done("consume:S1", now_ms=5000).step_done("consume:S2", now_ms=5000)
    closed = consumed.close(now_ms=6000)
    assert closed.finished
    asked = give(closed, "G1", 300)
    assert asked.status is closed.status and not asked.finished  # a step to do: back in the shard's care
    plan = asked.appeasement_plan("G1")
    done = asked.record_appeasement("G1", refunds=tuple(plan), store_credit=0, credit_notes=("CN-1",), now_ms=8000)
    assert done.finished and done.payment_records[0].refunded == 300


def test_an_order_held_after_a_first_shipment_may_be_given_goodwill_for_what_shipped():
    from oms_actors.domain.fulfilment import ShipmentCapture
    from tests.unit.test_order_state import shipped_line1

    shipped = shipped_line1(1)
    value = shipped.shipment("S1").value
    paid = shipped.record_capture(
        "S1", captures=(ShipmentCapture(payment_id="P1", amount=value, capture_id="C-S1"),),
        records=tuple(p.with_(captured=value) for p in shipped.payment_records), invoice_number="INV-S1", now_ms=4100,
    )  # fmt: skip
    held = paid.hold_for_review(by="agent:a", reason="card reported stolen", now_ms=4400)
    assert held.compensable == value > 0
    asked = give(held, "G1", value)
    assert STEP_APPEASE + "G1" in asked.pending
    with pytest.raises(InvalidTransitionError):  # held before anything shipped: nothing paid for yet
        give(accepted().hold(reasons=("big",), by="risk-rules", now_ms=2500), "G1", 1)
