"""Resolving a return on receipt: the money goes back before inspection, which then only restocks. Pure."""

from __future__ import annotations

from oms_actors.domain.order import STEP_RESOLVE, STEP_RESTOCK
from oms_actors.domain.returns import Disposition, Resolution, ReturnStatus
from tests.unit.test_shipping_charge import delivered_with_shipping, resolved

WINDOW_MS = 30 * 86_400_000


def received(resolve_now: bool):
    order = delivered_with_shipping().request_return(
        return_id="R1", lines={2: (1, "too small", Resolution.REFUND)}, channel="web", location_id="DC1",
        window_ms=WINDOW_MS, non_returnable=frozenset(), now_ms=5000,
    )  # fmt: skip
    return order.receive_return("R1", location_id="DC1", quantities={2: 1}, now_ms=5001, resolve_now=resolve_now)


def test_a_return_resolved_on_receipt_pays_back_at_once_and_inspection_only_restocks():
    order = received(resolve_now=True)
    assert STEP_RESOLVE + "R1" in order.pending
    paid = resolved(order, "R1")
    record = paid.return_("R1")
    assert record.status is ReturnStatus.RECEIVED and record.resolved and STEP_RESOLVE + "R1" not in paid.pending
    assert paid.payment_records[0].refunded == 250 and not paid.closable(now_ms=10**12, window_ms=0)  # not yet inspected
    inspected = paid.inspect_return("R1", dispositions={2: Disposition.RESTOCK}, now_ms=9500)
    assert inspected.return_("R1").status is ReturnStatus.RESOLVED
    assert STEP_RESTOCK + "R1" in inspected.pending and STEP_RESOLVE + "R1" not in inspected.pending
    assert inspected.payment_records[0].refunded == 250  # paid once


def test_without_it_the_money_waits_for_inspection():
    order = received(resolve_now=False)
    assert STEP_RESOLVE + "R1" not in order.pending
    inspected = order.inspect_return("R1", dispositions={}, now_ms=9500)
    assert inspected.return_("R1").status is ReturnStatus.INSPECTED and STEP_RESOLVE + "R1" in inspected.pending


def test_inspected_before_the_early_resolution_ran_it_is_resolved_once():
    order = received(resolve_now=True).inspect_return("R1", dispositions={}, now_ms=5002)
    assert order.pending.count(STEP_RESOLVE + "R1") == 1 and order.return_("R1").status is ReturnStatus.INSPECTED
    done = resolved(order, "R1")
    assert done.return_("R1").status is ReturnStatus.RESOLVED and done.payment_records[0].refunded == 250
