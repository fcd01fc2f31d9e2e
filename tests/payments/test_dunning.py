"""Dunning's sweep: every receivable past due is noted on its invoice's order, none twice, none missed."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from gateway import dunning
from oms_actors.domain.enums import PaymentMethod
from oms_actors.payments import DocumentLine, PaymentsConfig, build_payments, fixed_credit_limits
from oms_actors.payments.documents import CaptureReference
from tests.payments.support import DAY_MS, eur, fresh_name


class Orders:
    """Stands in for the order shards: what each order was told."""

    def __init__(self) -> None:
        self.told: list[tuple[str, str, int, int]] = []

    async def command(self, order_id: str, method: str, number: str, due_ms: int, open_minor: int, currency: str):
        assert (method, currency) == ("note_overdue", "EUR")
        self.told.append((order_id, number, due_ms, open_minor))


@pytest.fixture
def world(redis_client, clock):
    payments = build_payments(
        redis_client,
        config=PaymentsConfig(namespace=fresh_name("dun"), payment_terms_days=30),
        credit_limits=fixed_credit_limits({c: eur(1_000_000) for c in ("b1", "b2")}),
        clock=clock,
    )
    orders = Orders()
    return SimpleNamespace(payments=payments, orders=orders, watch=dunning.OverdueWatch(SimpleNamespace(payments=payments, command=orders.command)))


async def invoiced(world, n: int, customer: str, amount: int) -> tuple[str, str]:
    """An order paid on account, shipped and invoiced now: (its invoice number, the capture)."""
    invoice = world.payments.invoice
    auth = await invoice.authorize(f"o{n}/auth", customer_id=customer, instrument_token="", amount=eur(amount))
    cap = await invoice.capture(f"o{n}/ship", authorization_id=auth.authorization_id, amount=eur(amount))
    doc = await world.payments.documents.write_invoice(
        f"o{n}/invoice", order_id=f"O{n}", shipment_id="S1", customer_id=customer,
        lines=(DocumentLine.of(sku="SKU-1", quantity=1, unit_price=eur(amount)),),
        captures=(CaptureReference(method=PaymentMethod.INVOICE, provider=invoice.name, capture_id=cap.capture_id, amount=eur(amount)),),
    )  # fmt: skip
    return doc.number, cap.capture_id


async def test_every_invoice_past_due_is_noted_once_across_batches_and_ties(world, clock, monkeypatch):
    monkeypatch.setattr(dunning, "SWEEP_BATCH", 2)  # batches cut between two receivables due at once
    numbers = {}
    for n, (customer, amount, day) in enumerate([("b1", 100, 0), ("b2", 200, 1), ("b1", 300, 1), ("b2", 400, 2), ("b1", 500, 3)]):
        clock.now_ms = 1_800_000_000_000 + day * DAY_MS
        numbers[f"O{n}"], capture = await invoiced(world, n, customer, amount)
        if n == 4:
            paid = capture
    await world.payments.receivables.record_payment("bank/1", capture_id=paid, amount=eur(500))  # O4 paid in time

    clock.now_ms += 40 * DAY_MS  # every one due, O4 settled
    assert await world.watch.sweep(now_ms=clock.now_ms) >= 4
    told = {order_id for order_id, *_ in world.orders.told}
    assert told == {"O0", "O1", "O2", "O3"}
    assert all(number == numbers[order_id] for order_id, number, _, _ in world.orders.told)
    assert sorted({(o, amount) for o, _, _, amount in world.orders.told}) == [("O0", 100), ("O1", 200), ("O2", 300), ("O3", 400)]

    # Nothing new fell due: the next sweep tells nobody. A new invoice falls due: only its order hears.
    world.orders.told.clear()
    assert await world.watch.sweep(now_ms=clock.now_ms) == 0 and world.orders.told == []
    numbers["O5"], _ = await invoiced(world, 5, "b2", 600)
    assert await world.watch.sweep(now_ms=clock.now_ms + 29 * DAY_MS) == 0  # not due yet
    assert await world.watch.sweep(now_ms=clock.now_ms + 31 * DAY_MS) == 1
    assert [(o, n) for o, n, _, _ in world.orders.told] == [("O5", numbers["O5"])]
