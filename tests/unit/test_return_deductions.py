"""Deductions at inspection: what units that came back used lost of their value is kept from
the money a return gives back, never more than they cost, and only before it went out. Pure."""

from __future__ import annotations

import pytest

from oms_actors.domain.errors import FailedPreconditionError
from oms_actors.domain.money import Money
from oms_actors.domain.order import Order
from oms_actors.domain.returns import Resolution
from tests.unit.test_shipping_charge import delivered_with_shipping, resolved

# delivered_with_shipping: line 1, two units of A at 1,000 (shipment S1, with the 495
# delivery charge); line 2, one unit of B at 250 (shipment S2).


def received(lines: dict, *, resolve_now: bool = False) -> Order:
    order = delivered_with_shipping().request_return(
        return_id="R1", lines=lines, channel="web", location_id="DC1", window_ms=30 * 86_400_000,
        non_returnable=frozenset(), now_ms=5000,
    )  # fmt: skip
    quantities = {n: q for n, (q, _, _) in lines.items()}
    return order.receive_return("R1", location_id="DC1", quantities=quantities, now_ms=5001, resolve_now=resolve_now)


def eur(minor: int) -> Money:
    return Money(amount_minor=minor, currency="EUR")


def test_a_deduction_is_kept_from_the_refund_of_its_line_and_the_rest_goes_back():
    order = received({1: (2, "worn", Resolution.REFUND), 2: (1, "meh", Resolution.REFUND)})
    inspected = order.inspect_return("R1", dispositions={}, deductions={1: (eur(300), "worn outside")}, now_ms=5002)
    first, second = inspected.return_("R1").lines
    assert (first.deducted, first.deduction_reason, second.deducted) == (300, "worn outside", 0)
    plan = inspected.refund_plan("R1")
    # The whole order came back: its delivery charge too (a deduction is for the item's value, not the withdrawal).
    assert sorted((p.shipment_id, p.amount, p.charge) for p in plan) == [("S1", 495, "shipping"), ("S1", 1_700, ""), ("S2", 250, "")]
    done = resolved(inspected, "R1")
    assert [line.refunded for line in done.return_("R1").lines] == [1_700, 250]
    assert done.payment_records[0].refunded == 1_700 + 250 + 495


def test_a_deduction_on_store_credit_credits_less_on_the_invoices():
    order = received({1: (2, "worn", Resolution.STORE_CREDIT)})
    inspected = order.inspect_return("R1", dispositions={}, deductions={1: (eur(1_200), "stained")}, now_ms=5002)
    assert inspected.store_credit_due("R1") == 800
    assert inspected.store_credit_by_shipment("R1") == {"S1": {1: 800}}


@pytest.mark.parametrize(
    ("line", "amount", "reason"),
    [
        (1, eur(2_001), "more than the 2000 its units received give back"),
        (1, Money(amount_minor=100, currency="USD"), "in USD: the order's currency is EUR"),
        (2, eur(100), "resolved by replacement: only money given back is reduced"),
        (3, eur(100), "not a line of this return with units received"),
    ],
)
def test_a_deduction_that_cannot_be_kept_is_refused_naming_its_line(line: int, amount: Money, reason: str):
    order = received({1: (2, "worn", Resolution.REFUND), 2: (1, "broken", Resolution.REPLACEMENT)})
    with pytest.raises(FailedPreconditionError) as info:
        order.inspect_return("R1", dispositions={}, deductions={line: (amount, "x")}, now_ms=5002)
    assert info.value.code == "RETURN_MISMATCH"
    assert [(p.line_number, p.reason) for p in info.value.lines] == [(line, reason)]


def test_nothing_is_deducted_from_money_going_out_on_receipt():
    order = received({1: (2, "worn", Resolution.REFUND)}, resolve_now=True)
    for state in (order, resolved(order, "R1")):  # its refund under way, or gone
        with pytest.raises(FailedPreconditionError) as info:
            state.inspect_return("R1", dispositions={}, deductions={1: (eur(100), "worn")}, now_ms=9500)
        assert info.value.code == "RETURN_RESOLVED"
        assert state.inspect_return("R1", dispositions={}, now_ms=9500).return_("R1").lines[0].deducted == 0


def test_the_same_inspection_again_is_recognised_and_another_is_refused():
    from oms_actors.domain.returns import Disposition

    order = received({1: (2, "worn", Resolution.REFUND), 2: (1, "meh", Resolution.REFUND)})
    worn = {1: (eur(300), "worn outside")}
    inspected = order.inspect_return("R1", dispositions={2: Disposition.WRITE_OFF}, deductions=worn, now_ms=5002)
    assert inspected.inspected_as("R1", dispositions={2: Disposition.WRITE_OFF}, deductions=worn)
    assert not order.inspected_as("R1", dispositions={2: Disposition.WRITE_OFF}, deductions=worn)  # not inspected yet
    for dispositions, deductions in (
        ({}, worn),  # line 2 restocked this time
        ({2: Disposition.WRITE_OFF}, {}),  # no deduction this time
        ({2: Disposition.WRITE_OFF}, {1: (eur(301), "worn outside")}),
        ({2: Disposition.WRITE_OFF}, {1: (Money(amount_minor=300, currency="USD"), "worn outside")}),
    ):
        assert not inspected.inspected_as("R1", dispositions=dispositions, deductions=deductions)
        with pytest.raises(FailedPreconditionError) as info:
            inspected.inspect_return("R1", dispositions=dispositions, deductions=deductions, now_ms=5003)
        assert info.value.code == "RETURN_INSPECTED"
