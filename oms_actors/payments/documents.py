"""Invoices and credit notes with gap-free numbers (``INV-2026-000123``, ``CN-2026-000007``).

Many jurisdictions require invoice numbers without gaps. A number is taken
from its counter and the document written in one Lua script that checks
everything first, so a number is consumed exactly when its document exists:
no failed write leaves a hole, no two writes share a number. Numbering runs
per kind and per calendar year (UTC) of the issue time.

Writing is idempotent by the caller's key (say ``<order>/<shipment>`` for an
invoice): a retry gets the same document and number back. A credit note names
its invoice, and the credit notes of one invoice never add up to more than it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

import redis.asyncio as aioredis

from oms_actors.domain.enums import PaymentMethod
from oms_actors.domain.errors import FieldViolation, NotFoundError, UnavailableError, ValidationError
from oms_actors.domain.money import MAX_AMOUNT_MINOR, Money, is_currency
from oms_actors.domain.tax import MAX_TAX_RATE_BPS, TaxAmount, breakdown
from oms_actors.payments import scripts
from oms_actors.payments.clock import Clock, system_clock_ms
from oms_actors.payments.errors import CreditNoteExceedsInvoiceError, PaymentIdempotencyConflictError
from oms_actors.payments.ledger import REDIS_DOWN, as_text, check_id, check_key
from oms_actors.store import keys
from oms_actors.store.codec import Codec
from oms_actors.store.script_calls import script_calls


class DocumentKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


NUMBER_PREFIXES = {DocumentKind.INVOICE: "INV", DocumentKind.CREDIT_NOTE: "CN"}


@dataclass(frozen=True, kw_only=True, slots=True)
class DocumentLine:
    sku: str
    quantity: int
    unit_price: Money  # gross, as charged
    line_total: Money
    tax_rate_bps: int = 0  # of the tax included in the price
    charge: str = ""  # a charge, not goods ("shipping"): then it has no SKU

    @classmethod
    def of(cls, *, sku: str, quantity: int, unit_price: Money, tax_rate_bps: int = 0, charge: str = "") -> DocumentLine:
        return cls(
            sku=sku, quantity=quantity, unit_price=unit_price, line_total=unit_price.times(quantity),
            tax_rate_bps=tax_rate_bps, charge=charge,
        )  # fmt: skip


@dataclass(frozen=True, kw_only=True, slots=True)
class CaptureReference:
    """A capture an invoice was paid with (for pay on invoice: the receivable)."""

    method: PaymentMethod
    provider: str
    capture_id: str
    amount: Money


@dataclass(frozen=True, kw_only=True, slots=True)
class RefundReference:
    method: PaymentMethod
    provider: str
    refund_id: str
    capture_id: str
    amount: Money


# Field order matters: "number" first, so the script can write the number into the JSON.
@dataclass(frozen=True, kw_only=True, slots=True)
class Invoice:
    number: str
    order_id: str
    shipment_id: str
    customer_id: str
    lines: tuple[DocumentLine, ...]
    total: Money
    currency: str
    issued_at_ms: int
    captures: tuple[CaptureReference, ...] = ()
    due_at_ms: int | None = None  # pay on invoice: issue date + payment terms

    @property
    def paid(self) -> Money:
        paid = Money.zero(self.currency)
        for c in self.captures:
            paid = paid + c.amount
        return paid

    @property
    def amount_due(self) -> Money:
        return self.total - self.paid

    @property
    def taxes(self) -> tuple[TaxAmount, ...]:
        return breakdown((line.tax_rate_bps, line.line_total.amount_minor) for line in self.lines)


@dataclass(frozen=True, kw_only=True, slots=True)
class CreditNote:
    number: str
    order_id: str
    customer_id: str
    invoice_number: str
    lines: tuple[DocumentLine, ...]
    total: Money
    currency: str
    issued_at_ms: int
    refunds: tuple[RefundReference, ...] = ()
    return_id: str = ""
    reason: str = ""
    taxes: tuple[TaxAmount, ...] = ()  # by the rates of what it credits; written before taxes: none


_INVOICE = Codec(Invoice)
_CREDIT_NOTE = Codec(CreditNote)
_TEMPLATE_HEAD = b'{"number":""'


def _year(ms: int) -> int:
    return datetime.fromtimestamp(ms / 1000, UTC).year


def _check_lines(lines: tuple[DocumentLine, ...], currency: str, problems: list[FieldViolation]) -> None:
    for i, line in enumerate(lines):
        f = f"lines[{i}]"
        if not line.sku and not line.charge:
            problems.append(FieldViolation(field=f"{f}.sku", description="required"))
        elif line.sku and line.charge:
            problems.append(FieldViolation(field=f"{f}.charge", description="a charge has no SKU"))
        if line.quantity <= 0:
            problems.append(FieldViolation(field=f"{f}.quantity", description="must be positive"))
        if line.unit_price.currency != currency or line.line_total.currency != currency:
            problems.append(FieldViolation(field=f"{f}.unit_price.currency", description=f"must be {currency}"))
        elif not 0 <= line.unit_price.amount_minor <= MAX_AMOUNT_MINOR:
            problems.append(FieldViolation(field=f"{f}.unit_price.amount_minor", description="out of range"))
        elif line.line_total != line.unit_price.times(line.quantity):
            problems.append(FieldViolation(field=f"{f}.line_total", description="must be unit price × quantity"))
        if not 0 <= line.tax_rate_bps <= MAX_TAX_RATE_BPS:
            problems.append(FieldViolation(field=f"{f}.tax_rate_bps", description=f"0 to {MAX_TAX_RATE_BPS}"))


def _check_payments(refs: tuple[CaptureReference, ...] | tuple[RefundReference, ...], field: str, total: Money,
                    problems: list[FieldViolation]) -> None:  # fmt: skip
    paid = 0
    for i, ref in enumerate(refs):
        if ref.amount.currency != total.currency or ref.amount.amount_minor <= 0:
            problems.append(
                FieldViolation(field=f"{field}[{i}].amount", description=f"a positive {total.currency} amount")
            )
        else:
            paid += ref.amount.amount_minor
    if paid > total.amount_minor:
        problems.append(FieldViolation(field=field, description=f"add up to {paid}, more than the total {total}"))


class DocumentRegister:
    def __init__(self, client: aioredis.Redis, *, namespace: str = "docs", clock: Clock = system_clock_ms) -> None:
        check_id(namespace, "namespace")
        self.client = client
        self.namespace = namespace
        self._clock = clock
        self._write = client.register_script(scripts.WRITE_DOCUMENT)
        # Shipments confirmed together write their invoices in one round trip, as the ledger's
        # captures do: each document is still its own atomic, idempotent script.
        self._calls = script_calls(client)

    async def write_invoice(
        self,
        key: str,
        *,
        order_id: str,
        shipment_id: str,
        customer_id: str,
        lines: tuple[DocumentLine, ...],
        captures: tuple[CaptureReference, ...] = (),
        issued_at_ms: int | None = None,
        due_at_ms: int | None = None,
    ) -> Invoice:
        check_key(key)
        problems: list[FieldViolation] = []
        if not lines:
            raise ValidationError.of([FieldViolation(field="lines", description="an invoice needs a line")])
        currency = lines[0].unit_price.currency
        if not is_currency(currency):
            problems.append(FieldViolation(field="lines[0].unit_price.currency", description="unknown ISO 4217 code"))
        for name, value in (("order_id", order_id), ("shipment_id", shipment_id), ("customer_id", customer_id)):
            if not value:
                problems.append(FieldViolation(field=name, description="required"))
        _check_lines(lines, currency, problems)
        total = Money(amount_minor=sum(line.line_total.amount_minor for line in lines), currency=currency)
        _check_payments(captures, "captures", total, problems)
        if problems:
            raise ValidationError.of(problems)
        invoice = Invoice(
            number="",
            order_id=order_id,
            shipment_id=shipment_id,
            customer_id=customer_id,
            lines=tuple(lines),
            total=total,
            currency=currency,
            issued_at_ms=self._clock() if issued_at_ms is None else issued_at_ms,
            captures=tuple(captures),
            due_at_ms=due_at_ms,
        )
        _, raw = await self._store(DocumentKind.INVOICE, key, invoice, _INVOICE, invoice_number="")
        return _INVOICE.decode(raw)

    async def write_credit_note(
        self,
        key: str,
        *,
        order_id: str,
        customer_id: str,
        invoice_number: str,
        refunds: tuple[RefundReference, ...] = (),
        lines: tuple[DocumentLine, ...] = (),
        total: Money | None = None,
        gross_by_rate: Mapping[int, int] | None = None,
        return_id: str = "",
        reason: str = "",
        issued_at_ms: int | None = None,
    ) -> CreditNote:
        """Credits part or all of an invoice: the returned ``lines``, or a ``total`` without lines,
        split by tax rate as ``gross_by_rate`` says (none: untaxed)."""
        check_key(key)
        problems: list[FieldViolation] = []
        if lines:
            currency = lines[0].unit_price.currency
            _check_lines(lines, currency, problems)
            credited = Money(amount_minor=sum(line.line_total.amount_minor for line in lines), currency=currency)
            if total is not None and total != credited:
                problems.append(FieldViolation(field="total", description=f"the lines add up to {credited}"))
        elif total is not None:
            credited = total
        else:
            raise ValidationError.of([FieldViolation(field="lines", description="credit lines or a total")])
        if lines:
            rated = [(line.tax_rate_bps, line.line_total.amount_minor) for line in lines]
        else:
            rated = list(gross_by_rate.items()) if gross_by_rate else [(0, credited.amount_minor)]
        taxes: tuple[TaxAmount, ...] = ()
        if not lines and (
            sum(gross for _, gross in rated) != credited.amount_minor
            or any(not 0 <= rate <= MAX_TAX_RATE_BPS for rate, _ in rated)
        ):
            problems.append(
                FieldViolation(field="gross_by_rate", description=f"rates 0 to {MAX_TAX_RATE_BPS} adding up to {credited}")
            )
        elif not problems:
            taxes = breakdown(rated)
        for name, value in (("order_id", order_id), ("customer_id", customer_id), ("invoice_number", invoice_number)):
            if not value:
                problems.append(FieldViolation(field=name, description="required"))
        _check_payments(refunds, "refunds", credited, problems)
        if problems:
            raise ValidationError.of(problems)
        note = CreditNote(
            number="",
            order_id=order_id,
            customer_id=customer_id,
            invoice_number=invoice_number,
            lines=tuple(lines),
            total=credited,
            currency=credited.currency,
            issued_at_ms=self._clock() if issued_at_ms is None else issued_at_ms,
            refunds=tuple(refunds),
            return_id=return_id,
            reason=reason,
            taxes=taxes,
        )
        _, raw = await self._store(DocumentKind.CREDIT_NOTE, key, note, _CREDIT_NOTE, invoice_number=invoice_number)
        return _CREDIT_NOTE.decode(raw)

    async def invoice(self, number: str) -> Invoice:
        return _INVOICE.decode(await self._get(number))

    async def credit_note(self, number: str) -> CreditNote:
        return _CREDIT_NOTE.decode(await self._get(number))

    async def invoice_numbers_of(self, capture_ids: list[str]) -> dict[str, str]:
        """The invoice each capture is listed on (of those indexed: invoices written since the index)."""
        if not capture_ids:
            return {}
        found = await self.client.hmget(keys.document_captures(self.namespace), capture_ids)
        return {c: as_text(n) for c, n in zip(capture_ids, found) if n is not None}

    async def invoices_by_number(self, numbers: list[str]) -> dict[str, Invoice]:
        """The invoices of these numbers that exist, in one round trip."""
        if not numbers:
            return {}
        raws = await self.client.mget([keys.document(self.namespace, n) for n in numbers])
        return {n: _INVOICE.decode(raw) for n, raw in zip(numbers, raws) if raw is not None}

    async def credited(self, invoice_number: str) -> Money | None:
        """What credit notes have credited on an invoice so far; None for an unknown invoice."""
        raw = await self.client.hget(keys.document_invoice_credits(self.namespace), invoice_number)
        if raw is None:
            return None
        _total, credited, currency = as_text(raw).split("|")
        return Money(amount_minor=int(credited), currency=currency)

    async def invoices(self, *, year: int | None = None) -> list[Invoice]:
        """Invoices in number order, of one year or all."""
        return [_INVOICE.decode(raw) for raw in await self._list(DocumentKind.INVOICE, year)]

    async def credit_notes(self, *, year: int | None = None) -> list[CreditNote]:
        return [_CREDIT_NOTE.decode(raw) for raw in await self._list(DocumentKind.CREDIT_NOTE, year)]

    async def _store(self, kind: DocumentKind, key: str, doc: Invoice | CreditNote, codec: Codec,
                     *, invoice_number: str) -> tuple[str, bytes]:  # fmt: skip
        template = codec.encode(doc)
        if not template.startswith(_TEMPLATE_HEAD):
            raise RuntimeError(f"{type(doc).__name__}: the number must be the first field")
        # The issue time is left out: a retry that stamps its own time is still the same document.
        fp = hashlib.blake2b(kind.encode() + codec.encode(replace(doc, issued_at_ms=0)), digest_size=16).hexdigest()
        year = _year(doc.issued_at_ms)
        captures = doc.captures if isinstance(doc, Invoice) else ()
        args = [
            kind.value, key, fp, year, f"{NUMBER_PREFIXES[kind]}-{year}-", template,
            doc.total.amount_minor, doc.currency, invoice_number,
            *(c.capture_id for c in captures),
        ]  # fmt: skip
        try:
            status, first, second = await self._calls.call(self._write, [keys.documents(self.namespace)], args)
        except REDIS_DOWN as exc:
            raise UnavailableError(
                "document register: redis unavailable; retry with the same key", dependency="redis"
            ) from exc
        status, first, detail = as_text(status), as_text(first), second
        if status == "ok":
            return first, detail if isinstance(detail, bytes) else detail.encode()
        detail = as_text(detail)
        if first == "IDEMPOTENCY_CONFLICT":
            raise PaymentIdempotencyConflictError(
                f"key {key!r} was used for another {kind.value}",
                provider=f"documents:{self.namespace}", operation=kind.value, idempotency_key=key,
            )  # fmt: skip
        if first == "UNKNOWN_INVOICE":
            raise NotFoundError(f"no invoice {invoice_number}", resource="invoice", resource_id=invoice_number)
        if first == "CURRENCY_MISMATCH":
            raise ValidationError.of(
                [FieldViolation(field="total.currency", description=f"the invoice is in {detail}")]
            )
        if first == "EXCEEDS_INVOICE":
            raise CreditNoteExceedsInvoiceError(
                f"credit note of {doc.total} exceeds the {detail} minor units left to credit on {invoice_number}",
                invoice_number=invoice_number, requested=doc.total,
                creditable=Money(amount_minor=int(detail), currency=doc.currency),
            )  # fmt: skip
        raise RuntimeError(f"document register: unexpected answer {status} {first} {detail}")

    async def _get(self, number: str) -> bytes:
        raw = await self.client.get(keys.document(self.namespace, number))
        if raw is None:
            raise NotFoundError(f"no document {number}", resource="document", resource_id=number)
        return raw

    async def _list(self, kind: DocumentKind, year: int | None) -> list[bytes]:
        lo, hi = ("-inf", "+inf") if year is None else (year * 10**9, (year + 1) * 10**9 - 1)
        numbers = await self.client.zrangebyscore(keys.document_list(self.namespace, kind.value), lo, hi)
        if not numbers:
            return []
        return [raw for raw in await self.client.mget([keys.document(self.namespace, as_text(n)) for n in numbers])]
