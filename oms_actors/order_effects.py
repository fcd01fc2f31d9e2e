"""The side effects of an order's pending steps, each idempotent.

A step reads the order, does its work outside it (inventory shards, payment
providers, invoice numbering) with keys derived from the order, and returns
the order's next version; the shard saves it and marks the step done. Doing a
step twice, after a crash between the effect and the save, does it once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Protocol

from oms_actors.direct import DirectActor
from oms_actors.domain.customer import Customer
from oms_actors.domain.enums import CustomerType, PaymentMethod
from oms_actors.domain.fulfilment import Shipment, ShipmentCapture, ShipmentLine
from oms_actors.domain.ledger import Consumption, EntryKind, Restock
from oms_actors.domain.money import Money
from oms_actors.domain.order import (
    STEP_APPEASE,
    STEP_ASSESS,
    STEP_CAPTURE,
    STEP_CONSUME,
    STEP_INVENTORY,
    STEP_RELEASE,
    STEP_RESOLVE,
    STEP_RESTOCK,
    STEP_SECURE,
    STEP_SHORTAGE,
    STEP_UNREPAIRABLE,
    STEP_UNSECURE,
    STEP_VOID,
    Order,
)
from oms_actors.domain.partitioning import shard_of
from oms_actors.domain.payment_state import PaymentRecord, PaymentStatus
from oms_actors.domain.returns import GOODWILL, UNREPAIRABLE, RefundPart, Resolution
from oms_actors.domain.risk import RiskFacts, RiskOutcome, RiskRules, assess, declined_payments
from oms_actors.domain.stock import ReservationRequest
from oms_actors.payments.invoice import AccountPosition
from oms_actors.store import keys
from oms_actors.store.capacity import CapacityLedger
from oms_actors.store.customers import CustomerStore
from oms_actors.store.orders import OrderStore
from oms_actors.store.risk_rules import RiskRulesStore
from oms_actors.wire import RESERVE_BATCH, ReserveBatch

log = logging.getLogger(__name__)

# The order steps run in: give stock back first (units a location could not ship before the
# holdings are made exact, which would take their reservation), then decide, then money and
# stock of shipments.
STEP_ORDER = (
    STEP_SHORTAGE,
    STEP_INVENTORY,
    STEP_ASSESS,
    STEP_RELEASE,
    STEP_CAPTURE,
    STEP_CONSUME,
    STEP_VOID,
    STEP_SECURE,
    STEP_RESTOCK,
    STEP_RESOLVE,
    STEP_UNREPAIRABLE,  # after the return's own resolution, whose money it adds to
    STEP_UNSECURE,
    STEP_APPEASE,
)
RISK_RULES_TTL_S = 1.0


@dataclass(frozen=True, kw_only=True, slots=True)
class RiskReads:
    """The stored facts the risk rules need for a batch of orders."""

    customers: dict[str, Customer]
    counts: dict[str, tuple[int, int, list[int]]]  # order id: (earlier orders, last hour, last hour per card)
    open_receivables: dict[str, AccountPosition]  # customer id: owed on account (customers of orders paying on invoice)


class PaymentFlow(Protocol):
    """Moves the money of an order; every call idempotent by keys derived from the order."""

    async def authorize(self, order: Order, *, credit_limit: Money | None = None) -> tuple[PaymentRecord, ...]: ...

    async def capture(
        self, order: Order, shipment: Shipment
    ) -> tuple[tuple[ShipmentCapture, ...], tuple[PaymentRecord, ...], str]: ...

    async def void(self, order: Order) -> tuple[PaymentRecord, ...]: ...

    async def open_receivables(self, customer_ids: list[str]) -> dict[str, AccountPosition]: ...

    async def refund(
        self, order: Order, return_id: str, plan: list[RefundPart], *, kind: str = "rma"
    ) -> tuple[RefundPart, ...]: ...

    async def grant_store_credit(self, order: Order, return_id: str, amount: int, *, kind: str = "rma", reason: str = "") -> None: ...

    async def goodwill_credit_notes(self, order: Order, appeasement_id: str, refunds: tuple[RefundPart, ...]) -> tuple[str, ...]: ...

    async def credit_notes(
        self,
        order: Order,
        return_id: str,
        refunds: tuple[RefundPart, ...],
        store_credit_by_shipment: dict[str, dict[int, int]],
        *,
        kind: str = "rma",
        reason: str = "return",
    ) -> tuple[str, ...]: ...


class Replacements(Protocol):
    """The replacement order of a return, on whichever shard owns its key."""

    async def place(self, order: Order, return_id: str, *, secured: bool = False, unrepairable: bool = False) -> str:
        """Places it; ``secured``: when the return is asked for, with the units asked for, held for the return;
        ``unrepairable``: the order sending new units for those found beyond repair instead."""
        ...

    async def settle(self, order: Order, return_id: str, replacement_order_id: str) -> None:
        """Makes a secured one send what the return brought back (nothing: withdrawn) and lets it go."""
        ...


def next_step(order: Order) -> str | None:
    for prefix in STEP_ORDER:
        for step in order.pending:
            if step == prefix or (prefix.endswith(":") and step.startswith(prefix)):
                return step
    return None


class OrderEffects:
    def __init__(
        self,
        *,
        inventory: list[DirectActor],
        store: OrderStore,
        customers: CustomerStore,
        payments: PaymentFlow,
        replacements: Replacements,
        by: str = "risk-rules",
    ) -> None:
        self.replacements = replacements
        self.inventory = inventory
        self.store = store
        self.customers = customers
        self.payments = payments
        self.capacity = CapacityLedger(store.client)
        self.by = by
        self._risk_rules = RiskRulesStore(store.client)
        self._rules = RiskRules()
        self._rules_read_at = float("-inf")

    async def perform_many(self, orders: list[Order], now_ms: int) -> list[Order]:
        """Performs each order's next step, all orders at once; batches what can be batched.

        Assessments of many orders share their look-ups (one customer read, one
        pipeline of counts); the rest run concurrently. A step that fails leaves
        its order unchanged (its step stays pending) without holding up the others.
        """
        assess_these = [o for o in orders if next_step(o) == STEP_ASSESS]
        others = [o for o in orders if next_step(o) not in (None, STEP_ASSESS)]
        done: dict[str, Order] = {}
        if assess_these:
            for order, result in zip(assess_these, await self.assess_many(assess_these, now_ms)):
                if isinstance(result, BaseException):
                    log.warning("order %s: assessment failed (%s); retried later", order.order_id, result)
                else:
                    done[order.order_id] = result
        results = await asyncio.gather(
            *(self.perform(next_step(o) or "", o, now_ms) for o in others), return_exceptions=True
        )
        for order, result in zip(others, results):
            if isinstance(result, BaseException):
                log.warning("order %s: step %s failed (%s); retried later", order.order_id, next_step(order), result)
                continue
            done[order.order_id] = result
        # Release has no effect outside the order: chain it into the same save.
        for oid, order in done.items():
            while next_step(order) == STEP_RELEASE:
                order = order.release(now_ms=now_ms)
            done[oid] = order
        return [done.get(o.order_id, o) for o in orders]

    async def perform(self, step: str, order: Order, now_ms: int) -> Order:
        if step == STEP_INVENTORY:
            await self.sync_inventory(order)
            return order.step_done(step, now_ms=now_ms)
        if step == STEP_ASSESS:
            return await self.assess(order, now_ms)
        if step == STEP_RELEASE:
            return order.release(now_ms=now_ms)
        if step.startswith(STEP_CAPTURE):
            shipment = order.shipment(step.removeprefix(STEP_CAPTURE))
            assert shipment is not None
            captures, records, invoice = await self.payments.capture(order, shipment)
            return order.record_capture(
                shipment.shipment_id, captures=captures, records=records, invoice_number=invoice, now_ms=now_ms
            )
        if step.startswith(STEP_CONSUME):
            shipment = order.shipment(step.removeprefix(STEP_CONSUME))
            assert shipment is not None
            await self.consume(order, shipment.location_id, shipment.lines, ref=shipment.shipment_id)
            return order.step_done(step, now_ms=now_ms)
        if step.startswith(STEP_SHORTAGE):
            shortage = order.shortage(step.removeprefix(STEP_SHORTAGE))
            assert shortage is not None
            await self.consume(order, shortage.location_id, shortage.lines, ref=shortage.shortage_id, kind=EntryKind.SHORTAGE)
            return order.step_done(step, now_ms=now_ms)
        if step == STEP_VOID:
            records = await self.payments.void(order)
            return order.step_done(step, now_ms=now_ms, payment_records=records)
        if step.startswith(STEP_RESTOCK):
            await self.restock(order, step.removeprefix(STEP_RESTOCK))
            return order.step_done(step, now_ms=now_ms)
        if step.startswith(STEP_SECURE):
            return_id = step.removeprefix(STEP_SECURE)
            placed = await self.replacements.place(order, return_id, secured=True)
            return order.record_secured(return_id, replacement_order_id=placed, now_ms=now_ms)
        if step.startswith(STEP_UNSECURE):
            return_id = step.removeprefix(STEP_UNSECURE)
            record = order.return_(return_id)
            assert record is not None
            # Its placement's answer may have been lost: the key finds it (or places it, to withdraw it).
            placed = record.replacement_order_id or await self.replacements.place(order, return_id, secured=True)
            await self.replacements.settle(order, return_id, placed)
            if not record.replacement_order_id:
                order = order.record_secured(return_id, replacement_order_id=placed, now_ms=now_ms)
            return order.step_done(step, now_ms=now_ms)
        if step.startswith(STEP_RESOLVE):
            return await self.resolve(order, step.removeprefix(STEP_RESOLVE), now_ms)
        if step.startswith(STEP_APPEASE):
            return await self.appease(order, step.removeprefix(STEP_APPEASE), now_ms)
        if step.startswith(STEP_UNREPAIRABLE):
            return await self.make_good(order, step.removeprefix(STEP_UNREPAIRABLE), now_ms)
        raise ValueError(f"unknown step {step!r}")

    async def appease(self, order: Order, appeasement_id: str, now_ms: int) -> Order:
        """Goodwill's money: refunded with credit notes, or a store credit voucher (the invoices
        stand: a voucher is a gift, not a correction of what was charged). Each keyed by its id."""
        record = order.appeasement(appeasement_id)
        assert record is not None
        if record.resolution is Resolution.STORE_CREDIT:
            reason = f"goodwill on order {order.order_id}: {record.reason}"
            await self.payments.grant_store_credit(order, appeasement_id, record.amount, kind=GOODWILL, reason=reason)
            return order.record_appeasement(appeasement_id, refunds=(), store_credit=record.amount, credit_notes=(), now_ms=now_ms)
        refunds = await self.payments.refund(order, appeasement_id, order.appeasement_plan(appeasement_id), kind=GOODWILL)
        notes = await self.payments.goodwill_credit_notes(order, appeasement_id, refunds)
        return order.record_appeasement(appeasement_id, refunds=refunds, store_credit=0, credit_notes=notes, now_ms=now_ms)

    # -- returns ------------------------------------------------------------------

    async def restock(self, order: Order, return_id: str) -> None:
        record = order.return_(return_id)
        assert record is not None
        n = len(self.inventory)
        items: dict[int, list[Restock]] = defaultdict(list)
        for rl in record.lines:
            if rl.restocked:
                sku = order.line(rl.line_number).sku
                items[shard_of(sku, n)].append(
                    Restock(
                        location_id=record.location_id,
                        sku=sku,
                        quantity=rl.restocked,
                        ref=f"return:{order.order_id}/{return_id}/{rl.line_number}",
                    )
                )
        await asyncio.gather(*(self.inventory[i].call("restock", items[i]) for i in sorted(items)))

    async def resolve(self, order: Order, return_id: str, now_ms: int) -> Order:
        """Refund, store credit and credit notes, a replacement or exchange order: each keyed by the return."""
        record = order.return_(return_id)
        assert record is not None
        refunds, credit, notes = await self._money_back(order, return_id)
        replacement = record.replacement_order_id
        if replacement:  # reserved when the return was asked for: now it sends what came back
            await self.replacements.settle(order, return_id, replacement)
        elif record.sends_items:  # asked for before replacements were reserved at once
            replacement = await self.replacements.place(order, return_id)
        return order.record_resolution(
            return_id,
            refunds=refunds,
            store_credit=credit,
            credit_notes=notes,
            replacement_order_id=replacement,
            now_ms=now_ms,
        )

    async def make_good(self, order: Order, return_id: str, now_ms: int) -> Order:
        """Units found beyond repair: their price back (refund or store credit, with credit
        notes) or new units (a replacement order), keyed apart from the return's own resolution."""
        record = order.return_(return_id)
        assert record is not None
        refunds, credit, notes = await self._money_back(order, return_id, unrepairable=True)
        replacement = ""
        if record.unrepairable == Resolution.REPLACEMENT.value:
            replacement = await self.replacements.place(order, return_id, unrepairable=True)
        return order.record_unrepairable(
            return_id,
            refunds=refunds,
            store_credit=credit,
            credit_notes=notes,
            replacement_order_id=replacement,
            now_ms=now_ms,
        )

    async def _money_back(
        self, order: Order, return_id: str, *, unrepairable: bool = False
    ) -> tuple[tuple[RefundPart, ...], int, tuple[str, ...]]:
        """A return's refunds, store credit and credit notes, as planned by the order; with
        ``unrepairable``, those of its units found beyond repair, under keys of their own."""
        kind = UNREPAIRABLE if unrepairable else "rma"
        refunds = await self.payments.refund(order, return_id, order.refund_plan(return_id, unrepairable=unrepairable), kind=kind)
        credit = order.store_credit_due(return_id, unrepairable=unrepairable)
        if credit:
            why = f"return {return_id} of order {order.order_id}: beyond repair" if unrepairable else ""
            await self.payments.grant_store_credit(order, return_id, credit, kind=kind, reason=why)
        notes = await self.payments.credit_notes(
            order,
            return_id,
            refunds,
            order.store_credit_by_shipment(return_id, unrepairable=unrepairable),
            kind=kind,
            reason="return: beyond repair" if unrepairable else "return",
        )
        return refunds, credit, notes

    # -- inventory --------------------------------------------------------------

    async def sync_inventory(self, order: Order) -> None:
        """Makes every shard hold exactly this order's holdings (replace semantics)."""
        n = len(self.inventory)
        requests: dict[int, list[ReservationRequest]] = defaultdict(list)
        for line, loc, sku, qty in order.holdings():
            requests[shard_of(sku, n)].append(
                ReservationRequest(order_id=order.order_id, line_number=line, location_id=loc, sku=sku, quantity=qty)
            )
        shards = sorted({shard_of(line.sku, n) for line in order.lines})
        answers = await asyncio.gather(
            *(
                self.inventory[i].call(
                    "reserve",
                    RESERVE_BATCH.encode(ReserveBatch(orders=[order.order_id], requests=requests.get(i, [])))
                )
                for i in shards
            )
        )
        refused = [problems for answer in answers for problems in answer.values()]
        if refused:
            # Holdings only shrink here (cancellations), so a refusal means a bug or a race
            # with a count that took stock; leave the step pending and say so.
            raise RuntimeError(f"order {order.order_id}: inventory refused its holdings: {refused}")
        # Cancelled units give back the capacity of the day they were planned on.
        await self.capacity.shrink(order.order_id, order.units_by_location())

    async def consume(
        self,
        order: Order,
        location_id: str,
        lines: tuple[ShipmentLine, ...],
        *,
        ref: str,
        kind: EntryKind = EntryKind.SHIPMENT,
    ) -> None:
        """Units of the order leave the location's stock with their reservation: shipped, or
        (a shortage) missing or damaged; ``ref`` names the shipment or shortage."""
        n = len(self.inventory)
        items: dict[int, list[Consumption]] = defaultdict(list)
        for s in lines:
            line = order.line(s.line_number)
            items[shard_of(line.sku, n)].append(
                Consumption(
                    order_id=order.order_id,
                    line_number=s.line_number,
                    location_id=location_id,
                    sku=line.sku,
                    quantity=s.quantity,
                    shipment_id=ref,
                    kind=kind,
                )
            )
        await asyncio.gather(*(self.inventory[i].call("consume", items[i]) for i in sorted(items)))

    # -- decision -----------------------------------------------------------------

    async def assess(self, order: Order, now_ms: int) -> Order:
        """Authorise the payments, then let the risk rules approve, hold or reject."""
        [result] = await self.assess_many([order], now_ms)
        if isinstance(result, BaseException):
            raise result
        return result

    async def assess_many(self, orders: list[Order], now_ms: int) -> list[Order | BaseException]:
        return await self.decide_many(orders, await self.authorize_many(orders), now_ms)

    async def customers_of(self, orders: list[Order], known: dict[str, Customer] | None = None) -> dict[str, Customer]:
        """The batch's customer records: ``known`` when the caller read them, else one read."""
        if known is not None:
            return known
        return await self.customers.get_many(sorted({o.customer_id for o in orders}))

    async def authorize_many(
        self, orders: list[Order], *, customers: dict[str, Customer] | None = None
    ) -> list[tuple[PaymentRecord, ...] | BaseException]:
        """Authorises every order's payments; ``customers`` (the batch's records, read once
        for the credit limits and the risk rules) gives pay on invoice its credit limits
        without a read per order."""
        limits: dict[str, Money] = {}
        if customers is not None and any(_on_invoice(o) for o in orders):
            limits = {cid: c.credit_limit for cid, c in customers.items() if c is not None and c.credit_limit}
        return await asyncio.gather(
            *(self.payments.authorize(o, credit_limit=limits.get(o.customer_id)) for o in orders),
            return_exceptions=True,
        )

    async def decide_many(
        self,
        orders: list[Order],
        authorized: list[tuple[PaymentRecord, ...] | BaseException],
        now_ms: int,
        *,
        reads: RiskReads | None = None,
    ) -> list[Order | BaseException]:
        """Records the authorisations and lets the risk rules decide; then releases what is due.

        ``reads``: the Redis facts of ``read_risk``, when the caller fetched them while
        something else ran (the order shard does, during sourcing)."""
        ready = [
            o.record_authorizations(records, now_ms=now_ms)
            for o, records in zip(orders, authorized)
            if not isinstance(records, BaseException)
        ]
        rules = await self.rules()
        facts = dict(zip((o.order_id for o in ready), await self.facts_many(ready, now_ms, reads=reads)))
        out: list[Order | BaseException] = []
        by_id = {o.order_id: o for o in ready}
        for order, records in zip(orders, authorized):
            if isinstance(records, BaseException):
                out.append(records)
                continue
            current = by_id[order.order_id]
            decision = assess(rules, facts[order.order_id])
            if decision.outcome is RiskOutcome.REJECT:
                decided = current.reject(reasons=decision.reasons, by=self.by, now_ms=now_ms)
            elif decision.outcome is RiskOutcome.HOLD:
                decided = current.hold(reasons=decision.reasons, by=self.by, now_ms=now_ms)
            else:
                decided = current.approve(by=self.by, now_ms=now_ms, by_rules=True)
            while next_step(decided) == STEP_RELEASE:  # no outside effect: in the same save
                decided = decided.release(now_ms=now_ms)
            out.append(decided)
        return out

    async def rules(self) -> RiskRules:
        if time.monotonic() - self._rules_read_at > RISK_RULES_TTL_S:
            self._rules = (await self._risk_rules.get()).rules
            self._rules_read_at = time.monotonic()
        return self._rules

    async def read_risk(
        self, orders: list[Order], now_ms: int, *, customers: dict[str, Customer] | None = None
    ) -> RiskReads:
        """What the risk facts need from Redis: one read of the customers, one call for the
        counts, one for what invoice customers owe.

        Depends only on what an order was accepted with (customer, time, payment
        instruments), not on its authorisations, so it can run beside them.
        ``customers``: the batch's records when the caller has read them."""
        if not orders:
            return RiskReads(customers={}, counts={}, open_receivables={})
        reading = asyncio.ensure_future(self.customers_of(orders, customers))
        owing = asyncio.ensure_future(
            self.payments.open_receivables(sorted({o.customer_id for o in orders if _on_invoice(o)}))
        )
        hour_ago = now_ms - 3_600_000
        ranges: list[tuple[str, str | int, str | int]] = []
        cards_of: list[list[str]] = []
        for order in orders:
            customer_index = keys.order_index("customer", order.customer_id)
            ranges.append((customer_index, "-inf", f"({order.created_at_ms}"))
            ranges.append((customer_index, hour_ago, now_ms))
            cards = sorted({p.instrument_id for p in order.payments if p.method is PaymentMethod.CARD and p.token})
            ranges += [(keys.order_index("instrument", card), hour_ago, now_ms) for card in cards]
            cards_of.append(cards)
        try:
            raw = iter(await self.store.bulk.zcount_each(ranges))
        finally:
            # Both retrieved, whatever happened, so no read is left running unread.
            records, owed = await asyncio.gather(reading, owing, return_exceptions=True)
        for outcome in (records, owed):
            if isinstance(outcome, BaseException):
                raise outcome
        counts: dict[str, tuple[int, int, list[int]]] = {}
        for order, cards in zip(orders, cards_of):
            previous, last_hour = int(next(raw)), int(next(raw))
            counts[order.order_id] = (previous, last_hour, [int(next(raw)) for _ in cards])
        return RiskReads(customers=records, counts=counts, open_receivables=owed)

    async def facts_many(self, orders: list[Order], now_ms: int, *, reads: RiskReads | None = None) -> list[RiskFacts]:
        """The facts of many orders; ``reads`` from ``read_risk`` of the same orders, or read now."""
        if not orders:
            return []
        if reads is None or any(o.order_id not in reads.counts for o in orders):
            reads = await self.read_risk(orders, now_ms)
        facts = []
        for order in orders:
            previous, last_hour, by_card = reads.counts[order.order_id]
            owed = reads.open_receivables.get(order.customer_id, _OWES_NOTHING)
            facts.append(
                _facts(order, reads.customers.get(order.customer_id), previous, last_hour, by_card, owed, now_ms)
            )
        return facts


_OWES_NOTHING = AccountPosition(open=0)


def _facts(
    order: Order,
    customer: Customer | None,
    previous: int,
    last_hour: int,
    by_card: list[int],
    owed: AccountPosition,
    now_ms: int,
) -> RiskFacts:
    declined = declined_payments(
        (p.payment_id, p.declined_reason) for p in order.payment_records if p.status is PaymentStatus.DECLINED
    )
    on_invoice = sum(p.amount.amount_minor for p in order.payment_records if p.method is PaymentMethod.INVOICE)
    business = customer is not None and customer.type is CustomerType.BUSINESS
    limit = customer.credit_limit.amount_minor if customer and customer.credit_limit else None
    return RiskFacts(
        order_value=order.payable,
        currency=order.currency,
        customer_is_business=business,
        previous_orders=previous,
        orders_last_hour_by_customer=last_hour,
        orders_last_hour_by_instrument=max((int(c) for c in by_card), default=0),
        ship_country=order.ship_to.country_code if order.ship_to else "",
        customer_country=(customer.default_address.country_code if customer and customer.default_address else ""),
        pays_on_invoice=on_invoice,
        credit_limit=limit,
        open_receivables=owed.open if on_invoice else 0,
        past_due_ms=owed.past_due_ms(now_ms) if on_invoice else 0,
        payment_declined=declined,
    )


def _on_invoice(order: Order) -> bool:
    return any(p.method is PaymentMethod.INVOICE for p in order.payments)
