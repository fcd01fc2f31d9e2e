"""Which held orders a payment on account may let through: those held for the customer's credit alone."""

from __future__ import annotations

import pytest

from oms_actors.domain.risk import RiskFacts, RiskRules, assess, held_for_credit_alone


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
        ({"credit_limit": None}, False),  # no credit line at all
    ],
)
def test_only_holds_for_the_credit_line_alone_go_on_when_the_customer_pays(changes, alone):
    decision = assess(RiskRules(), facts(**changes))
    assert decision.reasons and held_for_credit_alone(decision.reasons) is alone


def test_no_reasons_is_not_a_credit_hold():
    assert not held_for_credit_alone(())
