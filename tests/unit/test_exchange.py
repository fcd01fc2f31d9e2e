"""Exchanges on returns: another variant of the returned item's style, at no charge. Pure."""

from __future__ import annotations

import pytest

from oms_actors.domain.commands import CreateOrder, LineInput
from oms_actors.domain.enums import Channel, DeliveryMode, OrderStatus
from oms_actors.domain.errors import FailedPreconditionError
from oms_actors.domain.money import Money
from oms_actors.domain.order import STEP_SECURE, STEP_UNSECURE, ApprovalStatus, LineAllocation, Order, SourcingResult
from oms_actors.domain.records import evolve
from oms_actors.domain.returns import Resolution, ReturnStatus
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


def test_what_an_exchange_or_replacement_sends_is_reserved_when_it_is_asked_for_and_given_back_if_it_expires():
    order = ask(delivered_with_shipping(), {1: (1, "too small", Resolution.EXCHANGE)}, {1: "A-L"})
    assert STEP_SECURE + "R1" in order.pending
    secured = order.record_secured("R1", replacement_order_id="O9", now_ms=5001)
    assert secured.return_("R1").replacement_order_id == "O9" and STEP_SECURE + "R1" not in secured.pending
    refund = ask(delivered_with_shipping(), {1: (1, "too small", Resolution.REFUND)}, {})
    assert not any(step.startswith(STEP_SECURE) for step in refund.pending)  # nothing to send
    expired = secured.expire_returns(["R1"], now_ms=9000)
    assert STEP_UNSECURE + "R1" in expired.pending
    # Expired before it was placed: the step to place it goes, the one to withdraw it (by its key) comes.
    early = order.expire_returns(["R1"], now_ms=9000)
    assert STEP_SECURE + "R1" not in early.pending and STEP_UNSECURE + "R1" in early.pending


def replacement(quantity: int = 2) -> Order:
    """A return's replacement order as placed when the return was asked for: sourced and held for it."""
    command = CreateOrder(
        channel=Channel.WEB, idempotency_key="replacement:O1:R1", customer_id="c1", delivery_mode=DeliveryMode.SHIP,
        lines=(LineInput(sku="A-L", quantity=quantity, unit_price=Money.zero("EUR")),), awaits_return="O1/R1",
    )  # fmt: skip
    accepted = Order.accept(command, order_id="O9", now_ms=6000)
    assert accepted.hold_requested is not None and accepted.hold_requested.by == "returns"
    sourced = accepted.apply_sourcing(
        SourcingResult(order_id="O9", allocations={1: (LineAllocation(location_id="DC1", quantity=quantity),)}), now_ms=6001
    )
    return sourced.approve(by="risk-rules", now_ms=6002, by_rules=True)  # the rules pass it: held for the return all the same


def test_a_replacement_waits_for_its_return_then_sends_what_came_back():
    held = replacement()
    assert held.status is OrderStatus.ON_HOLD and held.approval.decided_by == "returns"
    assert held.approval.reasons == ("waits for return O1/R1",) and not held.release_due

    half = held.settle_for_return({"A-L": 1}, return_ref="O1/R1", now_ms=7000)
    assert half.approval.status is ApprovalStatus.APPROVED and half.release_due
    assert [(line.quantity, line.cancelled) for line in half.lines] == [(2, 1)]
    assert half.settle_for_return({"A-L": 1}, return_ref="O1/R1", now_ms=7001) is half  # once

    nothing = held.settle_for_return({}, return_ref="O1/R1", now_ms=7000)
    assert nothing.status is OrderStatus.CANCELLED and "brought nothing back" in nothing.cancel_reason

    # Sent ahead by a reviewer: theirs, left alone. Held by the rules as well: a reviewer decides.
    ahead = held.approve(by="service_agent:ana", now_ms=6500)
    assert ahead.settle_for_return({}, return_ref="O1/R1", now_ms=7000) is ahead
    pending = evolve(held, approval=evolve(held.approval, status=ApprovalStatus.PENDING, reasons=(), decided_by=""))
    cleared = pending.settle_for_return({"A-L": 2}, return_ref="O1/R1", now_ms=7000)
    assert cleared.hold_requested is None  # not yet assessed: the rules' approval releases it
    assert cleared.approve(by="risk-rules", now_ms=7001, by_rules=True).approval.status is ApprovalStatus.APPROVED
    by_rules = evolve(held, approval=evolve(held.approval, decided_by="risk-rules", reasons=("big", "waits for return O1/R1")))
    assert by_rules.settle_for_return({"A-L": 2}, return_ref="O1/R1", now_ms=7000).approval.status is ApprovalStatus.HELD


def test_a_return_the_customer_will_not_send_is_cancelled_and_what_it_reserved_withdrawn():
    from oms_actors.domain.errors import InvalidTransitionError

    asked = ask(delivered_with_shipping(), {1: (1, "too small", Resolution.EXCHANGE)}, {1: "A-L"})
    secured = asked.record_secured("R1", replacement_order_id="O9", now_ms=5001)
    assert secured.returnable(1) == 1
    cancelled = secured.cancel_return("R1", reason="found one that fits", now_ms=6000)
    record = cancelled.return_("R1")
    assert record.status is ReturnStatus.CANCELLED and record.cancel_reason == "found one that fits"
    assert STEP_UNSECURE + "R1" in cancelled.pending and cancelled.returnable(1) == 2
    assert cancelled.cancel_return("R1", reason="again", now_ms=6001) is cancelled
    received = secured.receive_return("R1", location_id="DC1", quantities={1: 1}, now_ms=5500)
    with pytest.raises(InvalidTransitionError):  # it came back: too late to cancel
        received.cancel_return("R1", reason="r", now_ms=6000)


def test_a_repair_is_the_customers_unit_sent_to_repair_and_back_and_the_order_waits_for_it():
    from oms_actors.domain.errors import InvalidTransitionError
    from oms_actors.domain.events import order_events
    from oms_actors.domain.returns import Disposition

    order = evolve(delivered_with_shipping(), pending=())
    asked = ask(order, {1: (1, "zip broken", Resolution.REPAIR), 2: (1, "meh", Resolution.REFUND)}, {})
    received = asked.receive_return("R1", location_id="DC1", quantities={1: 1, 2: 1}, now_ms=5001)
    with pytest.raises(FailedPreconditionError) as info:  # the customer's unit: not ours to restock
        received.inspect_return("R1", dispositions={1: Disposition.RESTOCK}, now_ms=5002)
    assert info.value.code == "RETURN_MISMATCH" and [p.line_number for p in info.value.lines] == [1]
    with pytest.raises(InvalidTransitionError):  # repairs follow inspection
        received.complete_repair("R1", carrier="dhl", tracking="T1", now_ms=5002)
    inspected = received.inspect_return("R1", dispositions={}, now_ms=5002)
    repair, refund = inspected.return_("R1").lines
    assert (repair.restocked, repair.written_off) == (0, 0) and refund.restocked == 1
    done = resolved(inspected, "R1")
    assert done.return_("R1").awaiting_repair and not evolve(done, pending=()).closable(now_ms=10**13, window_ms=WINDOW_MS)

    back = done.complete_repair("R1", carrier="dhl", tracking="T1", now_ms=9000)
    record = back.return_("R1")
    assert not record.awaiting_repair and record.lines[0].repaired == 1 and record.repair_tracking == "T1"
    assert "return.repaired" in [e.type for e in order_events(done, back)]
    assert back.complete_repair("R1", carrier="dhl", tracking="T1", now_ms=9001) is back  # repeated
    with pytest.raises(FailedPreconditionError):
        back.complete_repair("R1", carrier="ups", tracking="T2", now_ms=9001)
    assert evolve(back, pending=()).closable(now_ms=10**13, window_ms=WINDOW_MS)  # (its refund's steps aside)


def test_a_reason_code_is_part_of_the_request():
    from oms_actors.domain.returns import ReturnReason

    lines = {1: (1, "too small", Resolution.REFUND)}
    coded = delivered_with_shipping().request_return(
        return_id="R1", lines=lines, channel="store", location_id="DC1", window_ms=WINDOW_MS, non_returnable=frozenset(),
        now_ms=5000, reason_codes={1: ReturnReason.DOES_NOT_FIT.value},
    )  # fmt: skip
    assert coded.return_("R1").lines[0].reason_code == "does_not_fit"
    again = dict(return_id="R1", lines=lines, channel="store", location_id="DC1", window_ms=WINDOW_MS,
                 non_returnable=frozenset(), now_ms=5001)  # fmt: skip
    assert coded.request_return(**again, reason_codes={1: "does_not_fit"}) is coded
    with pytest.raises(FailedPreconditionError) as info:
        coded.request_return(**again, reason_codes={1: "changed_mind"})
    assert info.value.code == "RETURN_ID_REUSED"


def test_a_repair_line_inspected_before_repairs_had_a_flow_waits_for_nothing():
    """Stored orders whose repair units an older inspection restocked: they went to stock, none is coming back."""
    order = evolve(delivered_with_shipping(), pending=())
    asked = ask(order, {1: (1, "zip broken", Resolution.REPAIR)}, {})
    received = asked.receive_return("R1", location_id="DC1", quantities={1: 1}, now_ms=5001)
    record = received.return_("R1")
    [line] = record.lines
    old = evolve(received, returns=(record.with_(status=ReturnStatus.RESOLVED, lines=(evolve(line, restocked=1),)),))
    assert not old.return_("R1").awaiting_repair and old.closable(now_ms=10**13, window_ms=WINDOW_MS)
    with pytest.raises(FailedPreconditionError) as info:
        old.complete_repair("R1", carrier="dhl", tracking="T1", now_ms=9000)
    assert info.value.code == "NO_REPAIR_PENDING"


def test_an_exchange_for_a_sold_out_variant_is_refused_unless_the_return_was_asked_for_already():
    order = delivered_with_shipping()
    lines = {1: (1, "too small", Resolution.EXCHANGE)}
    args = dict(return_id="R1", lines=lines, channel="store", location_id="DC1", window_ms=WINDOW_MS,
                non_returnable=frozenset(), exchanges={1: "A-L"}, styles=STYLES)  # fmt: skip
    with pytest.raises(FailedPreconditionError) as info:
        order.request_return(**args, now_ms=5000, sold_out=frozenset({"A-L"}))
    assert info.value.code == "RETURN_NOT_ALLOWED"
    assert [p.reason for p in info.value.lines] == ["A-L is sold out: a refund, or another variant"]
    asked = order.request_return(**args, now_ms=5000)
    # Its own reservation may have taken the last unit: a retry is answered, not refused.
    assert asked.request_return(**args, now_ms=5001, sold_out=frozenset({"A-L"})) is asked


def test_the_customers_parcel_is_tracked_while_the_return_is_on_its_way():
    from oms_actors.domain.errors import InvalidTransitionError
    from oms_actors.domain.events import order_events

    asked = ask(delivered_with_shipping(), {1: (1, "too small", Resolution.REFUND)}, {})
    sent = asked.track_return("R1", carrier="dhl", tracking="RT1", now_ms=5100)
    record = sent.return_("R1")
    assert (record.inbound_carrier, record.inbound_tracking, record.sent_at_ms) == ("dhl", "RT1", 5100)
    assert "return.in_transit" in [e.type for e in order_events(asked, sent)]
    assert sent.track_return("R1", carrier="dhl", tracking="RT1", now_ms=5200) is sent  # repeated
    again = sent.track_return("R1", carrier="ups", tracking="RT2", now_ms=5300)  # sent again in another parcel
    assert again.return_("R1").inbound_tracking == "RT2"
    received = again.receive_return("R1", location_id="DC1", quantities={1: 1}, now_ms=5400)
    with pytest.raises(InvalidTransitionError):  # it has arrived
        received.track_return("R1", carrier="dhl", tracking="RT3", now_ms=5500)
