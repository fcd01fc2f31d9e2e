"""Credit control's own decisions on held orders: an order held for its customer's credit alone
goes on, as credit control would approve it, once the credit is there (a payment freed the
line, the line was raised or granted).

Approving asks for the declined payment on account again (``OrderShard.review_order``), so the
ledger, not this module, has the last word on whether the line covers it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gateway import limits
from oms_actors.domain.enums import CustomerType, OrderStatus
from oms_actors.domain.errors import FailedPreconditionError
from oms_actors.domain.risk import held_for_credit_alone, no_credit_line_reason, overdue_hold, overdue_reason
from oms_actors.payments.clock import system_clock_ms
from oms_actors.store.orders import OrderFilter
from oms_actors.store.risk_rules import RiskRulesStore

if TYPE_CHECKING:  # the services import this module
    from gateway.services.backend import Backend

CREDIT_CONTROL = "credit-control"  # who approves, in the order's history


async def release_credit_holds(backend: Backend, customer_id: str, why: str) -> list[str]:
    """The customer's orders held for its credit alone, approved as credit control would,
    oldest first, while the line covers them; one it does not cover stays held for a
    reviewer (the attempt is recorded on it), as does one held for an overdue invoice while
    the customer still owes past due beyond the rules, and one held for having no credit line
    while the customer still has none. Held for anything else, an order waits for a reviewer."""
    held, _ = await backend.orders.list(
        OrderFilter(customer_id=customer_id, status=OrderStatus.ON_HOLD), page_size=limits.MAX_PAGE_SIZE
    )
    waiting = [o for o in held if held_for_credit_alone(o.approval.reasons)]
    if not waiting:
        return []
    customer = await backend.customers.get(customer_id)
    has_line = customer is not None and customer.type is CustomerType.BUSINESS and customer.credit_limit is not None
    rules = (await RiskRulesStore(backend.orders.client).get()).rules
    positions = await backend.payments.receivables.positions([customer_id])
    still_overdue = overdue_hold(rules, positions[customer_id].past_due_ms(system_clock_ms()))
    released = []
    for order in sorted(waiting, key=lambda o: o.created_at_ms):
        reasons = order.approval.reasons
        if still_overdue and any(overdue_reason(r) for r in reasons):
            continue
        if not has_line and any(no_credit_line_reason(r) for r in reasons):
            continue
        try:
            await backend.command(order.order_id, "review_order", True, CREDIT_CONTROL, why)
        except FailedPreconditionError:  # still beyond the line
            continue
        released.append(order.order_id)
    return released
