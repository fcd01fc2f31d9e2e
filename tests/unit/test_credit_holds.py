"""Which held orders a payment on account may let through: those held for the customer's credit alone."""

from __future__ import annotations

import pytest

from oms_actors.domain.risk import (
    RiskFacts,
    RiskOutcome,
    RiskRules,
    assess,
    held_for_credit_alone,
    no_credit_line_reason,
    overdue_hold,
    overdue_reason,
)


def facts(**kw) -> RiskFacts:
    base = dict(
        order_value=20_000, customer_is_business=True, previous_orders=3, orders_last_hour_by_customer=1,
        orders_last_hour_by_instrument=0, ship_country="DE", customer_country="DE", pays_on_invoice=20_000,
        credit_limit=50_000, open_receivables=40_000, payment_declined="P1: credit_limit_exceeded",
    )  # fmt: skip
    return RiskFacts(**(base | kw))


@pytest.mark.parametrize(
    "changes, alone",
    [
        ({}, True),  # the line used up, and the payment on account declined for it
        ({"payment_declined": ""}, True),
        ({"payment_declined": "P1: credit_limit_exceeded; P2: insufficient_funds"}, False),  # a gift card short too
        ({"ship_country": "FR"}, False),  # and shipped abroad: a reviewer's call
        ({"credit_limit": None}, True),  # no line yet: goes once credit control grants one
        ({"customer_is_business": False, "credit_limit": None, "payment_declined": "P1: no_credit_line"}, True),
    ],
)
def test_only_holds_for_the_credit_line_alone_go_on_when_the_customer_pays(changes, alone):
    decision = assess(RiskRules(), facts(**changes))
    assert decision.reasons and held_for_credit_alone(decision.reasons) is alone


def test_no_reasons_is_not_a_credit_hold():
    assert not held_for_credit_alone(())


DAY_MS = 86_400_000


def test_an_order_on_account_waits_while_a_receivable_is_past_its_due_date_beyond_the_grace():
    owing_within_line = dict(open_receivables=10_000, payment_declined="")
    assert assess(RiskRules(), facts(**owing_within_line)).outcome is RiskOutcome.APPROVE
    late = assess(RiskRules(), facts(past_due_ms=1, **owing_within_line))
    assert late.outcome is RiskOutcome.HOLD
    assert late.reasons == ("receivable overdue: 0 days past its due date (allowed 0)",)
    assert held_for_credit_alone(late.reasons)  # paying the invoice lets it go

    week = RiskRules(hold_overdue_after_days=7)
    assert assess(week, facts(past_due_ms=7 * DAY_MS, **owing_within_line)).outcome is RiskOutcome.APPROVE
    held = assess(week, facts(past_due_ms=7 * DAY_MS + 1, **owing_within_line))
    assert held.reasons == ("receivable overdue: 7 days past its due date (allowed 7)",)
    off = RiskRules(hold_overdue_after_days=None)
    assert assess(off, facts(past_due_ms=400 * DAY_MS, **owing_within_line)).outcome is RiskOutcome.APPROVE
    # Paid by card, an order of a customer who owes on account is not a credit matter.
    by_card = facts(past_due_ms=30 * DAY_MS, pays_on_invoice=0, credit_limit=None, **owing_within_line)
    assert assess(RiskRules(), by_card).outcome is RiskOutcome.APPROVE


def test_overdue_hold_is_the_one_test_for_holding_and_for_letting_go():
    assert overdue_hold(RiskRules(), 0) == ""
    assert overdue_hold(RiskRules(hold_overdue_after_days=3), 3 * DAY_MS) == ""
    reason = overdue_hold(RiskRules(hold_overdue_after_days=3), 10 * DAY_MS)
    assert overdue_reason(reason) and reason.endswith("10 days past its due date (allowed 3)")
    assert not overdue_reason("credit limit 50000 exceeded: 40000 open + 20000 on this order")


@pytest.mark.parametrize(
    "raw, problem",
    [
        ({"hold_overdue_after_days": -1}, "hold_overdue_after_days"),
        ({"max_orders_per_customer_per_hour": 2.5}, "max_orders_per_customer_per_hour"),
        ({"hold_order_value_above": True}, "hold_order_value_above"),
        ({"hold_on_country_mismatch": 1}, "hold_on_country_mismatch"),
        ({"hold_when_it_rains": True}, "unknown risk rules"),
    ],
)
def test_rules_from_data_are_checked(raw, problem):
    with pytest.raises(ValueError, match=problem):
        RiskRules.from_dict(raw)


def test_rules_round_trip_as_data():
    rules = RiskRules(hold_order_value_above=None, hold_overdue_after_days=14, hold_on_country_mismatch=False)
    assert RiskRules.from_dict(rules.to_dict()) == rules


def test_holds_for_having_no_credit_line_are_told_apart():
    no_line = assess(RiskRules(), facts(credit_limit=None, payment_declined="P1: no_credit_line"))
    assert no_line.reasons == ("pay on invoice without a credit limit", "payment declined: P1: no_credit_line")
    assert all(no_credit_line_reason(r) for r in no_line.reasons) and held_for_credit_alone(no_line.reasons)
    used_up = assess(RiskRules(), facts())
    assert not any(no_credit_line_reason(r) for r in used_up.reasons)
    assert not no_credit_line_reason("payment declined: P1: insufficient_funds")
