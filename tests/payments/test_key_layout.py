"""The scripts write exactly the keys ``oms_actors/store/keys.py`` names, all under one hash tag."""

from __future__ import annotations

from oms_actors.payments import DocumentLine, DocumentRegister, PayOnInvoiceProvider, fixed_credit_limits
from oms_actors.store import keys
from tests.payments.support import eur, fresh_name


async def test_payment_keys_are_the_documented_ones(redis_client, clock):
    name = fresh_name("layout")
    provider = PayOnInvoiceProvider(
        redis_client, credit_limits=fixed_credit_limits({"b": eur(100)}), name=name, clock=clock
    )
    auth = await provider.authorize("k1", customer_id="b", instrument_token="", amount=eur(100))
    cap = await provider.capture("k2", authorization_id=auth.authorization_id, amount=eur(60))
    expected = {
        keys.payment_idempotency(name),
        keys.payment_attempts(name),
        keys.payment_sequence(name),
        keys.payment_authorization(name, auth.authorization_id),
        keys.payment_authorization_captures(name, auth.authorization_id),
        keys.payment_authorizations(name),
        keys.payment_capture(name, cap.capture_id),
        keys.payment_account(name, "b"),
        keys.payment_receivable(name, cap.capture_id),
        keys.payment_receivables(name, "b"),
        keys.payment_open_receivables(name, "b"),
        keys.payment_due_receivables(name),
        keys.payment_events(name),
    }
    found = {k.decode() async for k in redis_client.scan_iter(match=f"{keys.payments(name)}:*")}
    assert found == expected
    assert all(k.startswith(f"oms:{{pay-{name}}}:") for k in found)  # one hash tag: one slot


async def test_document_keys_are_the_documented_ones(redis_client, clock):
    ns = fresh_name("layout-docs")
    register = DocumentRegister(redis_client, namespace=ns, clock=clock)
    inv = await register.write_invoice(
        "k",
        order_id="o",
        shipment_id="s",
        customer_id="c",
        lines=(DocumentLine.of(sku="A", quantity=1, unit_price=eur(5)),),
    )
    expected = {
        keys.document(ns, inv.number),
        keys.document_sequence(ns, "invoice", 2026),
        keys.document_list(ns, "invoice"),
        keys.document_idempotency(ns),
        keys.document_invoice_credits(ns),
    }
    assert {k.decode() async for k in redis_client.scan_iter(match=f"{keys.documents(ns)}:*")} == expected
