"""Invoices and credit notes: gap-free numbers consumed only by documents written, idempotent writes."""

from __future__ import annotations

import asyncio

import pytest

from oms_actors.domain.enums import PaymentMethod
from oms_actors.domain.errors import NotFoundError, ValidationError
from oms_actors.payments import (
    CaptureReference,
    CreditNoteExceedsInvoiceError,
    DocumentLine,
    DocumentRegister,
    PaymentIdempotencyConflictError,
    RefundReference,
)
from oms_actors.store import keys
from tests.payments.support import START_MS, eur, fresh_name, round_trips

LINES = (
    DocumentLine.of(sku="SKU-1", quantity=2, unit_price=eur(1_250)),
    DocumentLine.of(sku="SKU-2", quantity=1, unit_price=eur(500)),
)


@pytest.fixture
def register(redis_client, clock) -> DocumentRegister:
    return DocumentRegister(redis_client, namespace=fresh_name("docs"), clock=clock)


async def invoice(register: DocumentRegister, n: int, **extra):
    return await register.write_invoice(
        f"o{n}/ship/1", order_id=f"o{n}", shipment_id="ship-1", customer_id="c1", lines=LINES, **extra
    )


async def test_an_invoice_holds_what_was_shipped_and_how_it_was_paid(register):
    paid = (CaptureReference(method=PaymentMethod.CARD, provider="card-sim", capture_id="cap-1", amount=eur(3_000)),)
    doc = await invoice(register, 1, captures=paid)
    assert doc.number == "INV-2026-000001"
    assert (doc.total, doc.currency, doc.issued_at_ms) == (eur(3_000), "EUR", START_MS)
    assert [line.line_total for line in doc.lines] == [eur(2_500), eur(500)]
    assert doc.captures == paid and doc.amount_due == eur(0)
    assert await register.invoice(doc.number) == doc


async def test_100_concurrent_invoices_are_numbered_1_to_100_without_gap_or_duplicate(register):
    docs = await asyncio.gather(*(invoice(register, n) for n in range(100)))
    assert sorted(d.number for d in docs) == [f"INV-2026-{i:06d}" for i in range(1, 101)]
    assert [d.number for d in await register.invoices()] == [f"INV-2026-{i:06d}" for i in range(1, 101)]
    by_order = {d.order_id: d.number for d in await register.invoices(year=2026)}
    assert all(by_order[d.order_id] == d.number for d in docs)


async def test_retries_return_the_same_document_and_consume_no_number(register, clock):
    first = await invoice(register, 1)
    clock.advance(5_000)  # a retry that stamps a later time is still the same document
    retries = await asyncio.gather(*(invoice(register, 1) for _ in range(10)))
    assert all(r == first for r in retries)
    assert (await invoice(register, 2)).number == "INV-2026-000002"
    with pytest.raises(PaymentIdempotencyConflictError):
        await register.write_invoice(
            "o1/ship/1", order_id="o1", shipment_id="ship-1", customer_id="c1", lines=LINES[:1]
        )


async def test_refused_writes_consume_no_number(register):
    inv = await invoice(register, 1)
    bad_line = DocumentLine(sku="X", quantity=2, unit_price=eur(100), line_total=eur(201))
    with pytest.raises(ValidationError):
        await register.write_invoice("bad", order_id="o2", shipment_id="s", customer_id="c1", lines=(bad_line,))
    with pytest.raises(ValidationError):
        await register.write_invoice(
            "overpaid", order_id="o2", shipment_id="s", customer_id="c1", lines=LINES,
            captures=(CaptureReference(method=PaymentMethod.CARD, provider="p", capture_id="c", amount=eur(3_001)),),
        )  # fmt: skip
    with pytest.raises(NotFoundError):
        await register.write_credit_note("cn0", order_id="o1", customer_id="c1", invoice_number="INV-2026-999999",
                                         total=eur(1))  # fmt: skip
    with pytest.raises(CreditNoteExceedsInvoiceError):
        await register.write_credit_note("cn1", order_id="o1", customer_id="c1", invoice_number=inv.number,
                                         total=eur(3_001))  # fmt: skip
    assert (await invoice(register, 2)).number == "INV-2026-000002"
    note = await register.write_credit_note("cn2", order_id="o1", customer_id="c1", invoice_number=inv.number,
                                            total=eur(10))  # fmt: skip
    assert note.number == "CN-2026-000001"


async def test_credit_notes_reference_their_invoice_and_never_exceed_it(register):
    inv = await invoice(register, 1)
    refund = RefundReference(
        method=PaymentMethod.CARD, provider="card-sim", refund_id="r-1", capture_id="cap-1", amount=eur(2_500)
    )
    note = await register.write_credit_note(
        "o1/rma/1", order_id="o1", customer_id="c1", invoice_number=inv.number, lines=LINES[:1],
        refunds=(refund,), return_id="rma-1", reason="damaged",
    )  # fmt: skip
    assert (note.number, note.invoice_number, note.total, note.refunds) == (
        "CN-2026-000001", inv.number, eur(2_500), (refund,)
    )  # fmt: skip
    assert await register.credit_note(note.number) == note
    with pytest.raises(CreditNoteExceedsInvoiceError) as err:
        await register.write_credit_note("o1/rma/2", order_id="o1", customer_id="c1", invoice_number=inv.number,
                                         total=eur(501))  # fmt: skip
    assert err.value.creditable == eur(500)
    # Concurrent credit notes for the rest: exactly the creditable amount is taken.
    results = await asyncio.gather(
        *(
            register.write_credit_note(
                f"o1/rma/x{i}", order_id="o1", customer_id="c1", invoice_number=inv.number, total=eur(100)
            )  # fmt: skip
            for i in range(8)
        ),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, Exception) for r in results) == 5
    assert [n.number for n in await register.credit_notes()] == [f"CN-2026-{i:06d}" for i in range(1, 7)]


async def test_numbering_restarts_each_year(register, clock):
    first = await invoice(register, 1)
    await register.write_invoice("late", order_id="o9", shipment_id="s", customer_id="c1", lines=LINES,
                                 issued_at_ms=START_MS + 366 * 86_400_000)  # fmt: skip
    numbers = [d.number for d in await register.invoices()]
    assert numbers == [first.number, "INV-2027-000001"]
    assert [d.number for d in await register.invoices(year=2027)] == ["INV-2027-000001"]


async def test_documents_are_readable_json_in_redis(register, redis_client):
    doc = await invoice(register, 1)
    raw = await redis_client.get(keys.document(register.namespace, doc.number))
    assert raw.startswith(b'{"number":"INV-2026-000001","order_id":"o1"')


async def test_invoices_written_together_share_one_round_trip_and_each_keeps_its_outcome(register, redis_client, monkeypatch):
    first = await invoice(register, 1)
    batches = round_trips(redis_client, monkeypatch)
    results = await asyncio.gather(
        invoice(register, 2),
        register.write_invoice(  # key of invoice 1, other content: refused alone, no number taken
            "o1/ship/1", order_id="o1", shipment_id="ship-2", customer_id="c1", lines=LINES
        ),
        invoice(register, 3),
        return_exceptions=True,
    )
    assert batches == [3]
    assert isinstance(results[1], PaymentIdempotencyConflictError)
    assert (results[0].number, results[2].number) == ("INV-2026-000002", "INV-2026-000003")
    assert [d.number for d in await register.invoices()] == [first.number, "INV-2026-000002", "INV-2026-000003"]


async def test_documents_keep_the_tax_of_what_they_bill_or_credit_by_rate(register):
    lines = (
        DocumentLine.of(sku="SKU-1", quantity=3, unit_price=eur(999), tax_rate_bps=1_900),
        DocumentLine.of(sku="SKU-2", quantity=1, unit_price=eur(1_070), tax_rate_bps=700),
        DocumentLine.of(sku="SKU-3", quantity=1, unit_price=eur(1), tax_rate_bps=1_900),
    )
    inv = await register.write_invoice("o1/ship/1", order_id="o1", shipment_id="s1", customer_id="c1", lines=lines)
    # Rounded once per rate over the document: 2,998 gross at 19% is 2,519 net (2,519.33).
    assert [(t.rate_bps, t.net, t.tax, t.gross) for t in inv.taxes] == [(700, 1_000, 70, 1_070), (1_900, 2_519, 479, 2_998)]
    assert sum(t.gross for t in inv.taxes) == inv.total.amount_minor
    assert (await register.invoice(inv.number)).taxes == inv.taxes

    note = await register.write_credit_note(
        "o1/rma/1", order_id="o1", customer_id="c1", invoice_number=inv.number, total=eur(2_069),
        gross_by_rate={1_900: 999, 700: 1_070},
    )  # fmt: skip
    assert [(t.rate_bps, t.net, t.tax) for t in note.taxes] == [(700, 1_000, 70), (1_900, 839, 160)]
    assert (await register.credit_note(note.number)).taxes == note.taxes
    # Rates that do not add up to the total, or beyond 100%: refused, no number taken.
    for split in ({1_900: 100}, {20_000: 500}):
        with pytest.raises(ValidationError) as err:
            await register.write_credit_note(
                "o1/rma/2", order_id="o1", customer_id="c1", invoice_number=inv.number, total=eur(500), gross_by_rate=split
            )
        assert [v.field for v in err.value.violations] == ["gross_by_rate"]
    with pytest.raises(ValidationError) as err:
        await register.write_invoice(
            "o2/ship/1", order_id="o2", shipment_id="s1", customer_id="c1",
            lines=(DocumentLine.of(sku="SKU-1", quantity=1, unit_price=eur(1), tax_rate_bps=-1),),
        )  # fmt: skip
    assert [v.field for v in err.value.violations] == ["lines[0].tax_rate_bps"]
    assert [n.number for n in await register.credit_notes()] == [note.number]
