"""Dunning: each order hears when one of its invoices goes past its due date unpaid.

The payment ledger indexes open receivables by due date; a sweep takes those that fell
due since the last one (a cursor in Redis) and notes each on its invoice's order, whose
event stream then carries ``invoice.overdue`` for whatever reminds the customer (mail,
the account manager's queue). Noting is idempotent per invoice, so two gateways sweeping
at once, or a sweep cut short before it moved the cursor, notice nothing twice.
"""

from __future__ import annotations

import logging

from gateway import limits
from gateway.credit import CREDIT_CONTROL
from gateway.services.backend import Backend
from oms_actors.domain.enums import OrderStatus
from oms_actors.domain.errors import OmsError
from oms_actors.domain.risk import overdue_hold, overdue_reason
from oms_actors.payments.clock import system_clock_ms
from oms_actors.store.orders import OrderFilter
from oms_actors.store.risk_rules import RiskRulesStore

log = logging.getLogger(__name__)

SWEEP_BATCH = 500
# Receivables due this long ago at least: a capture stamped before a sweep read the index
# but committed after it must not fall behind the cursor.
SETTLE_MS = 60_000


class OverdueWatch:
    def __init__(self, backend: Backend) -> None:
        self.b = backend

    async def pass_once(self) -> int:
        """One pass (``gateway.periodic``): invoices newly past due noted, orders held for them released."""
        noticed = await self.sweep()
        if noticed:
            log.info("dunning: %d invoices newly overdue", noticed)
        released = await self.release_cleared()
        if released:
            log.info("dunning: %d orders held for overdue invoices released", released)
        return noticed + released

    async def release_cleared(self) -> int:
        """Orders held only because their customer owed past due, whose customer no longer does
        beyond the rules (paid, or a return's credit note settled it): approved as credit
        control would. RecordInvoicePayment does this at once for payments; this catches the
        rest. The newest held orders first, a page of them per pass."""
        held, _ = await self.b.orders.list(OrderFilter(status=OrderStatus.ON_HOLD), page_size=limits.MAX_PAGE_SIZE)
        waiting = [o for o in held if o.approval.reasons and all(overdue_reason(r) for r in o.approval.reasons)]
        if not waiting:
            return 0
        rules = (await RiskRulesStore(self.b.orders.client).get()).rules
        positions = await self.b.payments.receivables.positions(sorted({o.customer_id for o in waiting}))
        now = system_clock_ms()
        released = 0
        for order in sorted(waiting, key=lambda o: o.created_at_ms):
            if overdue_hold(rules, positions[order.customer_id].past_due_ms(now)):
                continue
            try:
                await self.b.command(order.order_id, "review_order", True, CREDIT_CONTROL, "nothing overdue any more")
            except OmsError as exc:
                log.warning("dunning: order %s stays held: %s", order.order_id, exc)
                continue
            released += 1
        return released

    async def sweep(self, *, now_ms: int | None = None, settle_ms: int = SETTLE_MS) -> int:
        """Notes every receivable past due since the last sweep (by ``settle_ms`` at least) on
        its invoice's order; answers how many orders heard of one."""
        receivables, documents = self.b.payments.receivables, self.b.payments.documents
        now = system_clock_ms() if now_ms is None else now_ms
        cursor = await receivables.overdue_swept()
        noticed = 0
        while True:
            due = await receivables.due_between(cursor, now - max(1, settle_ms), limit=SWEEP_BATCH)  # now > due
            if not due:
                break
            ids = [capture_id for capture_id, _ in due]
            found = {r.capture_id: r for r in await receivables.of_captures(ids)}
            numbers = await documents.invoice_numbers_of(ids)
            invoices = await documents.invoices_by_number(sorted(set(numbers.values())))
            for capture_id, due_ms in due:
                receivable, number = found.get(capture_id), numbers.get(capture_id)
                invoice = invoices.get(number) if number else None
                if receivable is None or not receivable.open.amount_minor or invoice is None:
                    continue  # paid meanwhile, or invoiced before captures named their invoice
                try:
                    await self.b.command(
                        invoice.order_id, "note_overdue", invoice.number, due_ms,
                        receivable.open.amount_minor, receivable.open.currency,
                    )  # fmt: skip
                except OmsError as exc:
                    log.warning("dunning: invoice %s of order %s: %s", invoice.number, invoice.order_id, exc)
                    continue
                noticed += 1
            full = len(due) == SWEEP_BATCH
            # A full batch may have cut a due time in two: read that time again next (noting twice is once).
            cursor = due[-1][1] - 1 if full and due[0][1] != due[-1][1] else due[-1][1]
            await receivables.mark_overdue_swept(cursor)
            if not full:
                break
        return noticed
