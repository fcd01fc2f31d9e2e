"""Why an order's units are not with a location yet: every reason that applies, none once released."""

from __future__ import annotations

from oms_actors.domain.inbound import promise_site
from oms_actors.domain.order import RETURNS, Order, ReleaseWait
from oms_actors.domain.payment_state import PaymentStatus
from tests.unit.test_delivery_promises import plan
from tests.unit.test_order_state import command

W = ReleaseWait


def placed(**kw) -> Order:
    return Order.accept(command(**kw), order_id="O1", now_ms=1000)


def test_each_reason_an_order_waits_is_named_and_none_once_it_is_released():
    assessed = placed().apply_sourcing(plan(l1=[("DC1", 2)], l2=[("DC1", 1)]), now_ms=2000)
    assert assessed.release_waits_for == (W.ASSESSMENT,)
    approved = assessed.approve(by="risk-rules", now_ms=3000)
    assert approved.release_waits_for == ()  # its release is due: nothing waits
    assert approved.release(now_ms=3001).release_waits_for == ()
    held = assessed.hold(reasons=("order value",), by="risk-rules", now_ms=3000)
    assert held.release_waits_for == (W.REVIEW,)
    # Line 2 with no stock, line 1's second unit promised from supply on its way.
    short = placed().apply_sourcing(
        plan(l1=[("DC1", 1), (promise_site("DC1", "2026-12-01"), 1)], l2=[]), now_ms=2000
    ).approve(by="risk-rules", now_ms=3000)  # fmt: skip
    assert short.release_waits_for == (W.STOCK, W.SUPPLY)
    released = short.release(now_ms=3001)  # what is held goes; the rest still waits
    assert released.release_waits_for == (W.STOCK, W.SUPPLY)
    cancelled = released.cancel(reason="changed mind", now_ms=4000)
    assert cancelled.release_waits_for == ()


def test_one_parcel_a_later_day_a_replacement_and_a_declined_payment_are_named():
    together = placed(ship_complete=True).apply_sourcing(plan(l1=[("DC1", 2)], l2=[]), now_ms=2000)
    assert together.approve(by="risk-rules", now_ms=3000).release_waits_for == (W.STOCK, W.ONE_PARCEL)
    later = placed(deliver_from="2026-12-10").apply_sourcing(plan(l1=[("DC1", 2)], l2=[("DC1", 1)]), now_ms=2000)
    assert later.approve(by="risk-rules", now_ms=3000).release_waits_for == (W.DELIVERY_DAY,)
    replacement = placed(awaits_return="O0/RMA1").apply_sourcing(plan(l1=[("DC1", 2)], l2=[("DC1", 1)]), now_ms=2000)
    assert replacement.approve(by="risk-rules", now_ms=3000, by_rules=True).approval.decided_by == RETURNS
    assert replacement.approve(by="risk-rules", now_ms=3000, by_rules=True).release_waits_for == (W.RETURN,)
    from oms_actors.domain.commands import PaymentInstruction
    from oms_actors.domain.enums import PaymentMethod
    from tests.unit.test_order_state import eur

    card = placed(payments=(PaymentInstruction(method=PaymentMethod.CARD, amount=eur(2250), token="tok"),))
    sourced = card.apply_sourcing(plan(l1=[("DC1", 2)], l2=[("DC1", 1)]), now_ms=2000)
    declined = sourced.record_authorizations(
        tuple(p.with_(declined_reason="insufficient funds", attempts=1) for p in sourced.payment_records),
        now_ms=2500,
    ).hold(reasons=("payment declined",), by="risk-rules", now_ms=3000)
    assert declined.payment_records[0].status is PaymentStatus.DECLINED
    assert declined.release_waits_for == (W.REVIEW, W.PAYMENT)
