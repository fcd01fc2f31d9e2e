"""BillingService: invoices, credit notes, what customers owe on account, and money received.

Shipments issue invoices and returns issue credit notes (``oms_actors.payment_flow``),
in the document register and the payment ledgers of ``oms_actors.payments``; this
service reads them, and records money a customer paying on invoice sends in. A
payment settles the invoice's receivable in the ledger's own atomic script, so the
customer's credit line is free again for the next order's credit check at once.

Documents are seen like the orders they belong to: a customer token its own, a channel
its channel's, agents and finance every one; anything else answers as if it did not exist.
"""

from __future__ import annotations

from typing import Any

import grpc

from gateway import limits
from gateway.auth.access import caller
from gateway.auth.principal import Principal
from gateway.convert import (
    PAYMENT_TO_PROTO,
    Violations,
    money_to_proto,
    tax_rates_from_proto,
    tax_rates_to_proto,
    timestamp_from_proto,
    timestamp_to_proto,
)
from gateway.credit import release_credit_holds
from gateway.errors import rpc
from gateway.paging import page_after, page_token
from gateway.services.backend import Backend
from oms_actors.domain.enums import PaymentMethod
from oms_actors.domain.errors import FailedPreconditionError, FieldViolation, NotFoundError, ValidationError
from oms_actors.domain.money import Money
from oms_actors.domain.tax import TaxAmount
from oms_actors.payments import (
    CreditNote,
    DocumentLine,
    Invoice,
    PaymentExceedsReceivableError,
    Receivable,
)
from oms_actors.payments.clock import system_clock_ms
from oms_actors.payments.documents import NUMBER_PREFIXES, DocumentKind
from oms_actors.payments.invoice import aging_order
from oms_actors.store.tax_rates import TaxRatesStore
from protos.oms.v1 import billing_pb2, billing_pb2_grpc, common_pb2

DEFAULT_AGING_ROWS = 100
CLOCK_SKEW_MS = 5 * 60_000  # a bank's clock a little ahead of ours is not a payment from the future


def _aging_buckets(buckets: tuple[int, ...], currency: str) -> billing_pb2.AgingBuckets:
    def m(minor: int) -> Money:
        return Money(amount_minor=minor, currency=currency)

    not_due, late_30, late_60, late_90, later = buckets
    return billing_pb2.AgingBuckets(
        not_due=money_to_proto(m(not_due)),
        days_1_to_30=money_to_proto(m(late_30)),
        days_31_to_60=money_to_proto(m(late_60)),
        days_61_to_90=money_to_proto(m(late_90)),
        over_90_days=money_to_proto(m(later)),
        past_due=money_to_proto(m(sum(buckets[1:]))),
        total=money_to_proto(m(sum(buckets))),
    )


class BillingService(billing_pb2_grpc.BillingServiceServicer):
    def __init__(self, backend: Backend) -> None:
        self.b = backend
        self.tax_rates = TaxRatesStore(backend.orders.client)

    @rpc
    async def GetTaxRates(self, request: billing_pb2.GetTaxRatesRequest, context: grpc.aio.ServicerContext) -> billing_pb2.TaxRates:
        current = await self.tax_rates.get()
        return tax_rates_to_proto(current.table, current.version)

    @rpc
    async def SetTaxRates(self, request: billing_pb2.SetTaxRatesRequest, context: grpc.aio.ServicerContext) -> billing_pb2.TaxRates:
        v = Violations()
        expected = v.rules_update(request, "rates", "GetTaxRates")
        table = tax_rates_from_proto(request.rates, v)
        v.raise_if_any()
        written = await self.tax_rates.set(table, expected_version=expected)
        return tax_rates_to_proto(written.table, written.version)

    @rpc
    async def GetInvoice(
        self, request: billing_pb2.GetInvoiceRequest, context: grpc.aio.ServicerContext
    ) -> billing_pb2.Invoice:
        v = Violations()
        v.identifier("number", request.number)
        v.raise_if_any()
        return await self._invoice_to_proto(await self._invoice(request.number, await caller(context)))

    @rpc
    async def GetCreditNote(
        self, request: billing_pb2.GetCreditNoteRequest, context: grpc.aio.ServicerContext
    ) -> billing_pb2.CreditNote:
        v = Violations()
        v.identifier("number", request.number)
        v.raise_if_any()
        note = None
        if request.number.startswith(NUMBER_PREFIXES[DocumentKind.CREDIT_NOTE] + "-"):
            try:
                note = await self.b.payments.documents.credit_note(request.number)
            except NotFoundError:
                pass
        if note is None or not await self._sees(await caller(context), note.customer_id, note.order_id):
            raise NotFoundError(f"no credit note {request.number}", resource="credit_note", resource_id=request.number)
        return _credit_note_to_proto(note)

    @rpc
    async def ListReceivables(
        self, request: billing_pb2.ListReceivablesRequest, context: grpc.aio.ServicerContext
    ) -> billing_pb2.ListReceivablesResponse:
        v = Violations()
        v.identifier("customer_id", request.customer_id)
        v.raise_if_any()
        principal = await caller(context)
        customer = await self.b.customers.get(request.customer_id) if principal.sees_billing_of(request.customer_id) else None
        if customer is None:
            raise NotFoundError("customer not found", resource="customer", resource_id=request.customer_id)
        now = system_clock_ms()
        owed = await self.b.payments.receivables.of(customer.customer_id, now_ms=now)
        shown = sorted(
            (*owed.open, *(owed.paid if request.include_settled else ())), key=lambda r: (r.due_at_ms, r.issued_at_ms)
        )
        numbers = await self.b.payments.documents.invoice_numbers_of([r.capture_id for r in shown])
        invoices = await self.b.payments.documents.invoices_by_number(sorted(set(numbers.values())))
        reply = billing_pb2.ListReceivablesResponse(customer_id=customer.customer_id)
        for r in shown:
            number = numbers.get(r.capture_id, "")
            order_id = invoices[number].order_id if number in invoices else ""
            reply.receivables.append(_receivable_to_proto(r, number, order_id, now))
        for name, amount in (("open_total", owed.open_total), ("overdue_total", owed.overdue_total), ("held", owed.held)):
            if amount is not None:
                getattr(reply, name).CopyFrom(money_to_proto(amount))
        limit = customer.credit_limit
        if limit is not None:
            reply.credit_limit.CopyFrom(money_to_proto(limit))
            used = [m for m in (owed.open_total, owed.held) if m is not None]
            if all(m.currency == limit.currency for m in used):
                left = limit.amount_minor - sum(m.amount_minor for m in used)
                reply.credit_available.CopyFrom(money_to_proto(Money(amount_minor=max(0, left), currency=limit.currency)))
        return reply

    @rpc
    async def RecordInvoicePayment(
        self, request: billing_pb2.RecordInvoicePaymentRequest, context: grpc.aio.ServicerContext
    ) -> billing_pb2.RecordInvoicePaymentResponse:
        v = Violations()
        v.identifier("idempotency_key", request.idempotency_key)
        v.identifier("invoice_number", request.invoice_number)
        amount = v.money("amount", request.amount, positive=True)
        received_at = timestamp_from_proto(request.received_at) if request.HasField("received_at") else None
        if received_at is not None and received_at > system_clock_ms() + CLOCK_SKEW_MS:
            v.add("received_at", "not in the future")
        v.raise_if_any()
        assert amount is not None
        invoice = await self._invoice(request.invoice_number, await caller(context))
        on_account = [c.capture_id for c in invoice.captures if c.method is PaymentMethod.INVOICE]
        if not on_account:
            raise FailedPreconditionError(
                f"invoice {invoice.number} was not paid on account: nothing is owed on it", code="NOT_ON_ACCOUNT"
            )
        if amount.currency != invoice.currency:
            raise ValidationError.of(
                [FieldViolation(field="amount.currency", description=f"invoice {invoice.number} is in {invoice.currency}")]
            )
        try:
            # One key space for money received, whoever records it: the same bank
            # transaction entered twice, by finance or an admin, is one payment.
            recorded = await self.b.payments.receivables.pay(
                f"rpc/billing/{request.idempotency_key}", capture_ids=on_account, amount=amount
            )
        except PaymentExceedsReceivableError as err:
            raise PaymentExceedsReceivableError(
                f"a payment of {amount} exceeds the {err.open_amount} still owed on {invoice.number}",
                capture_id=err.capture_id, requested=amount, open_amount=err.open_amount,
            ) from err  # fmt: skip
        payment = recorded.result
        # On the order too, for service staff and the event stream; once per payment, so a
        # retry of a recording whose answer was lost (replayed) puts it there if it was not.
        await self.b.command(
            invoice.order_id, "record_receipt", payment.payment_id, invoice.number,
            payment.amount.amount_minor, payment.amount.currency,
            received_at if received_at is not None else payment.created_at_ms,
        )  # fmt: skip
        released = await release_credit_holds(self.b, invoice.customer_id, f"credit freed by {payment.payment_id}")
        return billing_pb2.RecordInvoicePaymentResponse(
            payment_id=recorded.result.payment_id,
            replayed=recorded.replayed,
            invoice=await self._invoice_to_proto(invoice),
            released_orders=released,
        )

    @rpc
    async def GetReceivablesAging(
        self, request: billing_pb2.GetReceivablesAgingRequest, context: grpc.aio.ServicerContext
    ) -> billing_pb2.GetReceivablesAgingResponse:
        v = Violations()
        if not 0 <= request.limit <= limits.MAX_AGING_ROWS:
            v.add("limit", f"0 (100) to {limits.MAX_AGING_ROWS}")
        # The token names the report its first page made (kept a while) and its last row.
        token = page_after(request.page_token, v, (str, int, int, str, str), "this report") if request.page_token else None
        v.raise_if_any()
        report_id, now, rows = await self.b.payments.receivables.aging_report(token[0] if token else "")
        after = token[1:] if token else None
        totals: dict[str, list[int]] = {}
        for row in rows:
            into = totals.setdefault(row.currency, [0] * len(row.buckets))
            for i, amount in enumerate(row.buckets):
                into[i] += amount
        listed = [row for row in rows if after is None or aging_order(row) > after]
        page = listed[: request.limit or DEFAULT_AGING_ROWS]
        more = len(listed) > len(page)
        return billing_pb2.GetReceivablesAgingResponse(
            as_of=timestamp_to_proto(now),
            customers=[
                billing_pb2.CustomerAging(
                    customer_id=row.customer_id,
                    amounts=_aging_buckets(row.buckets, row.currency),
                    open_receivables=row.receivables,
                    oldest_due=timestamp_to_proto(row.oldest_due_ms),
                )
                for row in page
            ],
            customer_count=len(rows),
            totals=[_aging_buckets(tuple(b), currency) for currency, b in sorted(totals.items())],
            next_page_token=page_token([report_id, *aging_order(page[-1])]) if more else "",
        )

    async def _invoice(self, number: str, principal: Principal) -> Invoice:
        invoice = None
        if number.startswith(NUMBER_PREFIXES[DocumentKind.INVOICE] + "-"):
            try:
                invoice = await self.b.payments.documents.invoice(number)
            except NotFoundError:
                pass
        if invoice is None or not await self._sees(principal, invoice.customer_id, invoice.order_id):
            raise NotFoundError(f"no invoice {number}", resource="invoice", resource_id=number)
        return invoice

    async def _sees(self, principal: Principal, customer_id: str, order_id: str) -> bool:
        if principal.sees_billing_of(customer_id):
            return True
        if principal.channel is None:
            return False
        order = await self.b.orders.get(order_id)  # a channel sees the documents of its orders
        return order is not None and principal.sees_order(channel=order.channel, customer_id=order.customer_id)

    async def _invoice_to_proto(self, invoice: Invoice) -> billing_pb2.Invoice:
        documents, receivables = self.b.payments.documents, self.b.payments.receivables
        on_account = [c.capture_id for c in invoice.captures if c.method is PaymentMethod.INVOICE]
        credited = await documents.credited(invoice.number)
        now = system_clock_ms()
        return billing_pb2.Invoice(
            number=invoice.number,
            order_id=invoice.order_id,
            shipment_id=invoice.shipment_id,
            customer_id=invoice.customer_id,
            lines=[_line_to_proto(line) for line in invoice.lines],
            total=money_to_proto(invoice.total),
            issued_at=timestamp_to_proto(invoice.issued_at_ms),
            payments=[
                billing_pb2.InvoicePayment(
                    method=PAYMENT_TO_PROTO[c.method], capture_id=c.capture_id, amount=money_to_proto(c.amount)
                )
                for c in invoice.captures
            ],
            credited=money_to_proto(credited or Money.zero(invoice.currency)),
            receivables=[
                _receivable_to_proto(r, invoice.number, invoice.order_id, now)
                for r in (await receivables.of_captures(on_account) if on_account else [])
            ],
            **_taxes_to_proto(invoice.taxes, invoice.currency),
        )


def _line_to_proto(line: DocumentLine) -> billing_pb2.DocumentLine:
    return billing_pb2.DocumentLine(
        sku=line.sku,
        quantity=line.quantity,
        unit_price=money_to_proto(line.unit_price),
        line_total=money_to_proto(line.line_total),
        tax_rate_bps=line.tax_rate_bps,
        charge=line.charge,
    )


def _taxes_to_proto(taxes: tuple[TaxAmount, ...], currency: str) -> dict[str, Any]:
    """A document's tax fields; none for a credit note written before documents kept taxes."""
    if not taxes:
        return {}

    def money(amount: int) -> common_pb2.Money:
        return common_pb2.Money(amount_minor=amount, currency=currency)

    return {
        "taxes": [
            billing_pb2.TaxAmount(rate_bps=t.rate_bps, net=money(t.net), tax=money(t.tax), gross=money(t.gross)) for t in taxes
        ],
        "net_total": money(sum(t.net for t in taxes)),
        "tax_total": money(sum(t.tax for t in taxes)),
    }


def _receivable_to_proto(r: Receivable, invoice_number: str, order_id: str, now_ms: int) -> billing_pb2.Receivable:
    if r.open.amount_minor == 0:
        status = billing_pb2.RECEIVABLE_STATUS_SETTLED
    elif r.overdue(now_ms):
        status = billing_pb2.RECEIVABLE_STATUS_OVERDUE
    else:
        status = billing_pb2.RECEIVABLE_STATUS_OPEN
    return billing_pb2.Receivable(
        invoice_number=invoice_number,
        order_id=order_id,
        capture_id=r.capture_id,
        amount=money_to_proto(r.amount),
        paid=money_to_proto(r.paid),
        credited=money_to_proto(r.credited),
        open=money_to_proto(r.open),
        issued_at=timestamp_to_proto(r.issued_at_ms),
        due_at=timestamp_to_proto(r.due_at_ms),
        status=status,
    )


def _credit_note_to_proto(note: CreditNote) -> billing_pb2.CreditNote:
    return billing_pb2.CreditNote(
        number=note.number,
        invoice_number=note.invoice_number,
        order_id=note.order_id,
        customer_id=note.customer_id,
        return_id=note.return_id,
        lines=[_line_to_proto(line) for line in note.lines],
        total=money_to_proto(note.total),
        issued_at=timestamp_to_proto(note.issued_at_ms),
        reason=note.reason,
        **_taxes_to_proto(note.taxes, note.currency),
    )
