"""The value rules judge an order in its own currency's thresholds, never another's numbers."""

from __future__ import annotations

import pytest

from oms_actors.domain.risk import RiskFacts, RiskOutcome, RiskRules, ValueLimits, assess

YEN = ValueLimits(hold_order_value_above=1_000_000, reject_order_value_above=50_000_000)


def rules(**kw) -> RiskRules:
    return RiskRules(hold_first_order_above=None, hold_on_country_mismatch=False, value_limits={"JPY": YEN}, **kw)


def value(amount: int, currency: str) -> RiskFacts:
    return RiskFacts(order_value=amount, currency=currency, previous_orders=3)


def test_each_currency_has_its_own_thresholds():
    assert assess(rules(), value(750_000, "JPY")).outcome is RiskOutcome.APPROVE  # above 500,000, in yen
    assert assess(rules(), value(750_000, "EUR")).reasons == ("order value 750000 above 500000",)
    assert assess(rules(), value(1_000_001, "JPY")).reasons == ("order value 1000001 above 1000000",)
    rejected = assess(rules(), value(60_000_000, "JPY"))
    assert rejected.outcome is RiskOutcome.REJECT and rejected.reasons[0] == "order value 60000000 above the reject limit 50000000"
    # An order whose currency is not told reads as in the rules' own (what callers before currencies meant).
    assert assess(rules(), RiskFacts(order_value=750_000, previous_orders=3)).outcome is RiskOutcome.HOLD


def test_a_currency_without_thresholds_waits_for_a_reviewer_while_any_value_rule_is_on():
    assert assess(rules(), value(1, "USD")).reasons == ("no value limits for USD in the risk rules",)
    off = rules(hold_order_value_above=None, reject_order_value_above=None)
    assert assess(off, value(10**9, "USD")).outcome is RiskOutcome.APPROVE
    # The rules' own currency can be another: then euros need limits of their own.
    in_dollars = RiskRules(limits_currency="USD", hold_first_order_above=None, hold_on_country_mismatch=False)
    assert assess(in_dollars, value(750_000, "USD")).reasons == ("order value 750000 above 500000",)
    assert assess(in_dollars, value(1, "EUR")).reasons == ("no value limits for EUR in the risk rules",)
    # A currency listed with every threshold off is judged by none: someone said so.
    free = RiskRules(hold_first_order_above=None, hold_on_country_mismatch=False, value_limits={"JPY": ValueLimits()})
    assert assess(free, value(10**9, "JPY")).outcome is RiskOutcome.APPROVE


def test_value_limits_round_trip_as_data():
    written = rules(limits_currency="GBP")
    assert RiskRules.from_dict(written.to_dict()) == written
    # Rules stored before currencies had limits of their own read as in EUR, with no others.
    legacy = {k: v for k, v in RiskRules().to_dict().items() if k not in ("limits_currency", "value_limits")}
    assert RiskRules.from_dict(legacy) == RiskRules()


@pytest.mark.parametrize(
    "raw, problem",
    [
        ({"limits_currency": "euro"}, "limits_currency"),
        ({"value_limits": {"yen": {}}}, "value_limits.yen"),
        ({"value_limits": {"EUR": {"hold_order_value_above": 1}}}, "value_limits.EUR: the thresholds above are in EUR"),
        ({"value_limits": {"JPY": {"hold_order_value_above": -1}}}, "value_limits.JPY.hold_order_value_above"),
        ({"value_limits": {"JPY": {"hold_when_it_rains": 1}}}, "value_limits.JPY: only"),
        ({"value_limits": ["JPY"]}, "value_limits: thresholds by currency code"),
    ],
)
def test_value_limits_from_data_are_checked(raw, problem):
    with pytest.raises(ValueError, match=problem):
        RiskRules.from_dict(raw)
