"""Risk and credit checks as rules over facts about an order: approve, hold or reject. Pure.

Every decision records every reason that applied, so a reviewer sees why an
order waits and a rule can be tuned from the reasons it produces.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any, Iterable, Mapping

import msgspec


class RiskOutcome(StrEnum):
    APPROVE = "approve"
    HOLD = "hold"
    REJECT = "reject"


@dataclass(frozen=True, kw_only=True)
class RiskRules:
    """Thresholds in minor units of the order's currency; None switches a rule off."""

    hold_order_value_above: int | None = 500_000
    reject_order_value_above: int | None = 5_000_000
    hold_first_order_above: int | None = 100_000
    max_orders_per_customer_per_hour: int | None = 20
    max_orders_per_instrument_per_hour: int | None = 10
    hold_on_country_mismatch: bool = True  # ship-to country differs from the customer's address
    # Orders on account wait while the customer owes a receivable more than this many
    # days past its due date (0: any time past it): credit control's dunning block.
    hold_overdue_after_days: int | None = 0

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> RiskRules:
        known = {f.name for f in fields(cls)}
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"unknown risk rules {sorted(unknown)}")
        rules = cls(**raw)
        for f in fields(cls):
            value = getattr(rules, f.name)
            if f.type == "bool":
                if not isinstance(value, bool):
                    raise ValueError(f"{f.name}: true or false")
            elif value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise ValueError(f"{f.name}: a whole number, zero or more, or null for off")
        return rules

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


class RiskFacts(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """What is known about an order when it is assessed."""

    order_value: int
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
    if rules.reject_order_value_above is not None and facts.order_value > rules.reject_order_value_above:
        rejects.append(f"order value {facts.order_value} above the reject limit {rules.reject_order_value_above}")
    if rules.hold_order_value_above is not None and facts.order_value > rules.hold_order_value_above:
        holds.append(f"order value {facts.order_value} above {rules.hold_order_value_above}")
    if (
        rules.hold_first_order_above is not None
        and facts.previous_orders == 0
        and facts.order_value > rules.hold_first_order_above
    ):
        holds.append(f"first order of this customer, value {facts.order_value} above {rules.hold_first_order_above}")
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
            holds.append("pay on invoice without a credit limit")
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


def held_for_credit_alone(reasons: tuple[str, ...]) -> bool:
    """Whether these hold reasons (``assess``'s) are all the customer's credit: its line used up,
    payments on account declined for that (``P1: credit_limit_exceeded``), receivables overdue.
    Such an order may go once the customer has paid (BillingService); any other reason needs a
    reviewer."""

    def credit(reason: str) -> bool:
        if reason.startswith(_CREDIT_LIMIT) or reason.startswith(_OVERDUE):
            return True
        if reason.startswith(_DECLINED):
            declines = reason[len(_DECLINED) :].split("; ")
            return all(d.partition(": ")[2] == "credit_limit_exceeded" for d in declines)
        return False

    return bool(reasons) and all(credit(r) for r in reasons)
