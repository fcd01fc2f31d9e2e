"""Risk and credit checks as rules over facts about an order: approve, hold or reject. Pure.

Every decision records every reason that applied, so a reviewer sees why an
order waits and a rule can be tuned from the reasons it produces.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum
from functools import cached_property
from typing import Any, Iterable, Mapping

import msgspec

from oms_actors.domain.money import is_currency


class RiskOutcome(StrEnum):
    APPROVE = "approve"
    HOLD = "hold"
    REJECT = "reject"


@dataclass(frozen=True, kw_only=True)
class ValueLimits:
    """The rules on an order's value, in minor units of one currency; None switches one off."""

    hold_order_value_above: int | None = None
    reject_order_value_above: int | None = None
    hold_first_order_above: int | None = None

    def any_on(self) -> bool:
        return any(getattr(self, f.name) is not None for f in fields(self))


_VALUE_LIMITS = tuple(f.name for f in fields(ValueLimits))
DEFAULT_LIMITS_CURRENCY = "EUR"


@dataclass(frozen=True, kw_only=True)
class RiskRules:
    """Value thresholds in minor units of ``limits_currency`` (other currencies have their own in
    ``value_limits``: 5,000.00 EUR is not 5,000 JPY); None switches a rule off."""

    hold_order_value_above: int | None = 500_000
    reject_order_value_above: int | None = 5_000_000
    hold_first_order_above: int | None = 100_000
    max_orders_per_customer_per_hour: int | None = 20
    max_orders_per_instrument_per_hour: int | None = 10
    hold_on_country_mismatch: bool = True  # ship-to country differs from the customer's address
    # Orders on account wait while the customer owes a receivable more than this many
    # days past its due date (0: any time past it): credit control's dunning block.
    hold_overdue_after_days: int | None = 0
    # Service agents may give goodwill (GrantGoodwill) up to this percent of an order's total
    # over all its goodwill; more takes an admin. None: no limit.
    agent_goodwill_limit_percent: int | None = 20
    limits_currency: str = DEFAULT_LIMITS_CURRENCY  # the currency of the three value thresholds above
    # Value thresholds of orders in other currencies. An order in a currency with none
    # waits for review while any value threshold is on: nobody said what is a lot there.
    value_limits: Mapping[str, ValueLimits] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> RiskRules:
        known = {f.name for f in fields(cls)}
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"unknown risk rules {sorted(unknown)}")
        doc = dict(raw)
        by_currency = doc.pop("value_limits", None) or {}
        if not isinstance(by_currency, Mapping):
            raise ValueError("value_limits: thresholds by currency code")
        limits: dict[str, ValueLimits] = {}
        for currency, values in sorted(by_currency.items()):
            if not isinstance(values, Mapping) or set(values) - set(_VALUE_LIMITS):
                raise ValueError(f"value_limits.{currency}: only {', '.join(_VALUE_LIMITS)}")
            limits[currency] = ValueLimits(**values)
            for name in _VALUE_LIMITS:
                _check_threshold(f"value_limits.{currency}.{name}", getattr(limits[currency], name))
        rules = cls(**doc, value_limits=limits)
        for f in fields(cls):
            value = getattr(rules, f.name)
            if f.name in ("limits_currency", "value_limits"):
                continue
            if f.type == "bool":
                if not isinstance(value, bool):
                    raise ValueError(f"{f.name}: true or false")
            else:
                _check_threshold(f.name, value)
        if not isinstance(rules.limits_currency, str) or not is_currency(rules.limits_currency):
            raise ValueError("limits_currency: an ISO 4217 code")
        for currency in limits:
            if not is_currency(currency):
                raise ValueError(f"value_limits.{currency}: not an ISO 4217 code")
            if currency == rules.limits_currency:
                raise ValueError(f"value_limits.{currency}: the thresholds above are in {currency}")
        return rules

    def to_dict(self) -> dict[str, Any]:
        doc = {f.name: getattr(self, f.name) for f in fields(self)}
        doc["value_limits"] = {
            currency: {name: getattr(limits, name) for name in _VALUE_LIMITS} for currency, limits in sorted(self.value_limits.items())
        }
        return doc

    @cached_property
    def base_limits(self) -> ValueLimits:
        """The value thresholds in ``limits_currency``."""
        return ValueLimits(**{name: getattr(self, name) for name in _VALUE_LIMITS})

    def limits_for(self, currency: str) -> ValueLimits | None:
        """The value thresholds of an order in ``currency``, or None when the rules set none."""
        if not currency or currency == self.limits_currency:
            return self.base_limits
        return self.value_limits.get(currency)


def _check_threshold(name: str, value: Any) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise ValueError(f"{name}: a whole number, zero or more, or null for off")


class RiskFacts(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """What is known about an order when it is assessed."""

    order_value: int
    currency: str = ""  # the order's; "" reads as the rules' limits currency
    customer_is_business: bool = False
    previous_orders: int = 0
    orders_last_hour_by_customer: int = 0
    orders_last_hour_by_instrument: int = 0  # the busiest of the order's card tokens
    ship_country: str = ""
    customer_country: str = ""
    pays_on_invoice: int = 0  # minor units to be paid on invoice
    credit_limit: int | None = None  # None: no credit granted
    open_receivables: int = 0
    past_due_ms: int = 0  # how long the customer's oldest open receivable is past its due date
    payment_declined: str = ""  # a decline reason from authorisation


class RiskDecision(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    outcome: RiskOutcome
    reasons: tuple[str, ...] = ()


def assess(rules: RiskRules, facts: RiskFacts) -> RiskDecision:
    """Reject beats hold beats approve; every reason that applies is kept."""
    rejects: list[str] = []
    holds: list[str] = []
    limits = rules.limits_for(facts.currency)
    if limits is None:
        if rules.base_limits.any_on():
            holds.append(f"no value limits for {facts.currency} in the risk rules")
        limits = ValueLimits()
    if limits.reject_order_value_above is not None and facts.order_value > limits.reject_order_value_above:
        rejects.append(f"order value {facts.order_value} above the reject limit {limits.reject_order_value_above}")
    if limits.hold_order_value_above is not None and facts.order_value > limits.hold_order_value_above:
        holds.append(f"order value {facts.order_value} above {limits.hold_order_value_above}")
    if (
        limits.hold_first_order_above is not None
        and facts.previous_orders == 0
        and facts.order_value > limits.hold_first_order_above
    ):
        holds.append(f"first order of this customer, value {facts.order_value} above {limits.hold_first_order_above}")
    if (
        rules.max_orders_per_customer_per_hour is not None
        and facts.orders_last_hour_by_customer > rules.max_orders_per_customer_per_hour
    ):
        holds.append(f"{facts.orders_last_hour_by_customer} orders by this customer in the last hour")
    if (
        rules.max_orders_per_instrument_per_hour is not None
        and facts.orders_last_hour_by_instrument > rules.max_orders_per_instrument_per_hour
    ):
        holds.append(f"{facts.orders_last_hour_by_instrument} orders with this card in the last hour")
    if (
        rules.hold_on_country_mismatch
        and facts.ship_country
        and facts.customer_country
        and facts.ship_country != facts.customer_country
    ):
        holds.append(f"ships to {facts.ship_country}, customer address in {facts.customer_country}")
    if facts.pays_on_invoice:
        if not facts.customer_is_business or facts.credit_limit is None:
            holds.append(_NO_LINE)
        elif facts.open_receivables + facts.pays_on_invoice > facts.credit_limit:
            holds.append(
                f"{_CREDIT_LIMIT}{facts.credit_limit} exceeded: {facts.open_receivables} open "
                f"+ {facts.pays_on_invoice} on this order"
            )
        overdue = overdue_hold(rules, facts.past_due_ms)
        if overdue:
            holds.append(overdue)
    if facts.payment_declined:
        holds.append(f"{_DECLINED}{facts.payment_declined}")
    if rejects:
        return RiskDecision(outcome=RiskOutcome.REJECT, reasons=tuple(rejects + holds))
    if holds:
        return RiskDecision(outcome=RiskOutcome.HOLD, reasons=tuple(holds))
    return RiskDecision(outcome=RiskOutcome.APPROVE)


_CREDIT_LIMIT = "credit limit "
_NO_LINE = "pay on invoice without a credit limit"
_CREDIT_DECLINES = ("credit_limit_exceeded", "no_credit_line")  # the ledger's reasons to decline on account
_DECLINED = "payment declined: "
_OVERDUE = "receivable overdue: "
DAY_MS = 86_400_000


def overdue_hold(rules: RiskRules, past_due_ms: int) -> str:
    """The hold reason for a customer whose oldest open receivable is ``past_due_ms`` past its
    due date, or "" when the rule lets it buy on account: the same test decides an order's
    hold and, once the customer has paid, whether it may go (BillingService)."""
    grace = rules.hold_overdue_after_days
    if grace is None or past_due_ms <= grace * DAY_MS:
        return ""
    return f"{_OVERDUE}{past_due_ms // DAY_MS} days past its due date (allowed {grace})"


def overdue_reason(reason: str) -> bool:
    return reason.startswith(_OVERDUE)


def declined_payments(declines: Iterable[tuple[str, str]]) -> str:
    """``RiskFacts.payment_declined`` of (payment id, decline reason) pairs: ``P1: reason; P2: ...``,
    the form ``held_for_credit_alone`` reads back."""
    return "; ".join(f"{payment_id}: {reason}" for payment_id, reason in declines)


def no_credit_line_reason(reason: str) -> bool:
    """Held for paying on account without a credit line (a business customer's line, that is):
    such an order may go once credit control grants one."""
    return reason == _NO_LINE or (
        reason.startswith(_DECLINED)
        and any(d.partition(": ")[2] == "no_credit_line" for d in reason[len(_DECLINED) :].split("; "))
    )


def held_for_declines_alone(reasons: tuple[str, ...]) -> bool:
    """Whether these hold reasons are all declined payments: the order may go once they are paid."""
    return bool(reasons) and all(r.startswith(_DECLINED) for r in reasons)


def held_for_credit_alone(reasons: tuple[str, ...]) -> bool:
    """Whether these hold reasons (``assess``'s) are all the customer's credit: its line used up
    or not granted, payments on account declined for that (``P1: credit_limit_exceeded``),
    receivables overdue. Such an order may go once the credit is there (``gateway.credit``);
    any other reason needs a reviewer."""

    def credit(reason: str) -> bool:
        if reason.startswith(_CREDIT_LIMIT) or reason.startswith(_OVERDUE) or reason == _NO_LINE:
            return True
        if reason.startswith(_DECLINED):
            declines = reason[len(_DECLINED) :].split("; ")
            return all(d.partition(": ")[2] in _CREDIT_DECLINES for d in declines)
        return False

    return bool(reasons) and all(credit(r) for r in reasons)
