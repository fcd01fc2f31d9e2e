"""Pay on invoice: the credit check counts open receivables and holds; payments free credit; overdue."""

from __future__ import annotations

import asyncio

import pytest

from oms_actors.domain.commands import Address
from oms_actors.domain.customer import Customer
from oms_actors.domain.enums import CustomerType
from oms_actors.domain.money import Money
from oms_actors.payments import (
    AccountPosition,
    PaymentExceedsReceivableError,
    PaymentIdempotencyConflictError,
    PayOnInvoiceProvider,
    customer_credit_limits,
    fixed_credit_limits,
)
from oms_actors.store.customers import CustomerStore
from tests.payments.support import DAY_MS, eur, fresh_name

LIMITS = {"b1": eur(10_000), "b2": eur(1_000), "b3": eur(5_000)}


@pytest.fixture
def invoice(redis_client, clock) -> PayOnInvoiceProvider:
    return PayOnInvoiceProvider(
        redis_client,
        credit_limits=fixed_credit_limits(LIMITS),
        payment_terms_days=30,
        name=fresh_name("inv"),
        clock=clock,
    )


async def auth(provider: PayOnInvoiceProvider, key: str, customer: str, amount: int):
    return await provider.authorize(key, customer_id=customer, instrument_token="", amount=eur(amount))


async def test_credit_limit_minus_open_receivables_and_holds_must_cover_the_amount(invoice):
    first = await auth(invoice, "o1/auth", "b1", 6_000)
    assert first.approved and first.expires_at_ms is None
    # The first order's hold counts: a second order cannot use the same headroom.
    assert (await auth(invoice, "o2/auth", "b1", 4_001)).decline_reason == "credit_limit_exceeded"
    cap = await invoice.capture("o1/ship/1", authorization_id=first.authorization_id, amount=eur(6_000))
    # Now it is a receivable: still counted.
    assert (await auth(invoice, "o3/auth", "b1", 4_001)).decline_reason == "credit_limit_exceeded"
    assert (await auth(invoice, "o4/auth", "b1", 4_000)).approved

    # Paying the invoice frees credit.
    await invoice.receivables.record_payment("bank/tx-1", capture_id=cap.capture_id, amount=eur(2_500))
    assert (await auth(invoice, "o5/auth", "b1", 2_500)).approved
    assert (await auth(invoice, "o6/auth", "b1", 1)).decline_reason == "credit_limit_exceeded"


async def test_open_totals_agree_with_the_receivables_after_captures_payments_and_credit(invoice):
    a = await auth(invoice, "o1/auth", "b1", 6_000)
    b = await auth(invoice, "o2/auth", "b3", 3_000)
    cap_a = await invoice.capture("o1/ship/1", authorization_id=a.authorization_id, amount=eur(6_000))
    await invoice.capture("o2/ship/1", authorization_id=b.authorization_id, amount=eur(1_200))
    await invoice.receivables.record_payment("bank/tx-1", capture_id=cap_a.capture_id, amount=eur(2_500))
    await invoice.refund("o1/rma/1", capture_id=cap_a.capture_id, amount=eur(500))
    totals = await invoice.receivables.open_totals(["b1", "b3", "b-never"])
    assert totals == {"b1": 3_000, "b3": 1_200, "b-never": 0}
    for customer in ("b1", "b3"):
        assert eur(totals[customer]) == (await invoice.receivables.of(customer)).open_total


async def test_voiding_an_on_account_authorisation_frees_its_hold(invoice):
    held = await auth(invoice, "o1/auth", "b2", 1_000)
    await invoice.capture("o1/ship/1", authorization_id=held.authorization_id, amount=eur(300))
    await invoice.void("o1/cancel", authorization_id=held.authorization_id)
    summary = await invoice.receivables.of("b2")
    assert (summary.held, summary.open_total) == (eur(0), eur(300))
    assert (await auth(invoice, "o2/auth", "b2", 700)).approved


async def test_without_a_credit_line_or_in_another_currency_it_declines(invoice):
    assert (await auth(invoice, "o1/auth", "b-unknown", 1)).decline_reason == "no_credit_line"
    usd = await invoice.authorize(
        "o2/auth", customer_id="b1", instrument_token="", amount=Money(amount_minor=1, currency="USD")
    )
    assert usd.decline_reason == "currency_mismatch"
    # A limit passed by the caller wins over the lookup.
    assert (
        await invoice.authorize(
            "o3/auth", customer_id="b-unknown", instrument_token="", amount=eur(50), credit_limit=eur(50)
        )
    ).approved


async def test_concurrent_authorisations_never_exceed_the_limit(invoice):
    results = await asyncio.gather(*(auth(invoice, f"o{i}/auth", "b3", 400) for i in range(30)))
    assert sum(r.approved for r in results) == 12  # 12 × 400 = 4800 ≤ 5000
    assert (await invoice.receivables.of("b3")).held == eur(4_800)


async def test_receivables_open_paid_and_overdue(invoice, clock):
    a = await auth(invoice, "o1/auth", "b1", 9_000)
    first = await invoice.capture("o1/ship/1", authorization_id=a.authorization_id, amount=eur(3_000))
    clock.advance(10 * DAY_MS)
    second = await invoice.capture("o1/ship/2", authorization_id=a.authorization_id, amount=eur(4_000))
    r1 = await invoice.receivables.get(first.capture_id)
    assert r1.due_at_ms == r1.issued_at_ms + 30 * DAY_MS and r1.open == eur(3_000)

    clock.advance(21 * DAY_MS)  # day 31: the first is overdue, the second (issued day 10) is not
    summary = await invoice.receivables.of("b1")
    assert [r.capture_id for r in summary.overdue] == [first.capture_id]
    assert summary.open_total == eur(7_000) and summary.overdue_total == eur(3_000)

    await invoice.receivables.record_payment("bank/tx-1", capture_id=first.capture_id, amount=eur(1_000))
    await invoice.receivables.record_payment("bank/tx-1", capture_id=first.capture_id, amount=eur(1_000))  # retry
    with pytest.raises(PaymentIdempotencyConflictError):
        await invoice.receivables.record_payment("bank/tx-1", capture_id=first.capture_id, amount=eur(900))
    with pytest.raises(PaymentExceedsReceivableError) as err:
        await invoice.receivables.record_payment("bank/tx-2", capture_id=first.capture_id, amount=eur(2_001))
    assert err.value.open_amount == eur(2_000)
    await invoice.receivables.record_payment("bank/tx-2", capture_id=first.capture_id, amount=eur(2_000))

    summary = await invoice.receivables.of("b1")
    assert [r.capture_id for r in summary.paid] == [first.capture_id]
    assert [r.capture_id for r in summary.open] == [second.capture_id]
    assert summary.overdue == () and summary.overdue_total == eur(0)
    clock.advance(10 * DAY_MS)
    assert [r.capture_id for r in (await invoice.receivables.of("b1")).overdue] == [second.capture_id]


async def test_a_refund_credits_the_receivable_first_then_is_owed_back(invoice):
    a = await auth(invoice, "o1/auth", "b2", 1_000)
    cap = await invoice.capture("o1/ship/1", authorization_id=a.authorization_id, amount=eur(1_000))
    await invoice.refund("o1/rma/1", capture_id=cap.capture_id, amount=eur(300))  # before payment: owes less
    r = await invoice.receivables.get(cap.capture_id)
    assert (r.open, r.credited, r.owed_back) == (eur(700), eur(300), eur(0))
    await invoice.receivables.record_payment("tx", capture_id=cap.capture_id, amount=eur(700))
    await invoice.refund("o1/rma/2", capture_id=cap.capture_id, amount=eur(200))  # after payment: owed back
    r = await invoice.receivables.get(cap.capture_id)
    assert (r.open, r.paid, r.credited, r.owed_back) == (eur(0), eur(700), eur(500), eur(200))
    assert (await invoice.receivables.of("b2")).open_total == eur(0)


async def test_payment_terms_and_limits_looked_up_per_customer(redis_client, clock):
    store = CustomerStore(redis_client)
    customer_id = fresh_name("biz")
    await store.put(
        Customer(customer_id=customer_id, type=CustomerType.BUSINESS, name="ACME", credit_limit=eur(2_000),
                 default_address=Address(city="Lyon"))
    )  # fmt: skip

    async def terms(customer: str) -> int:
        return 60 if customer == customer_id else 30

    provider = PayOnInvoiceProvider(
        redis_client,
        credit_limits=customer_credit_limits(redis_client),
        payment_terms_days=terms,
        name=fresh_name("inv"),
        clock=clock,
    )
    a = await provider.authorize("o1/auth", customer_id=customer_id, instrument_token="", amount=eur(2_000))
    assert a.approved
    assert not (
        await provider.authorize("o2/auth", customer_id=customer_id, instrument_token="", amount=eur(1))
    ).approved
    cap = await provider.capture("o1/ship/1", authorization_id=a.authorization_id, amount=eur(2_000))
    r = await provider.receivables.get(cap.capture_id)
    assert r.due_at_ms - r.issued_at_ms == 60 * DAY_MS


async def _ledger_state(invoice: PayOnInvoiceProvider, customer: str, capture_ids: list[str]):
    summary = await invoice.receivables.of(customer)
    return (
        [(r.capture_id, r.paid, r.open) for r in await invoice.receivables.of_captures(capture_ids)],
        summary.open_total,
        [r.capture_id for r in summary.open],
        len(await invoice._ledger.events()),
    )


async def test_one_payment_settles_several_receivables_in_order_or_nothing(invoice):
    a = await auth(invoice, "o1/auth", "b3", 5_000)
    first = await invoice.capture("o1/ship/1", authorization_id=a.authorization_id, amount=eur(1_000))
    second = await invoice.capture("o1/ship/2", authorization_id=a.authorization_id, amount=eur(3_000))
    ids = [first.capture_id, second.capture_id]
    before = await _ledger_state(invoice, "b3", ids)

    # More than both have open: refused whole, with what is open, and nothing written.
    with pytest.raises(PaymentExceedsReceivableError) as err:
        await invoice.receivables.pay("bank/tx-9", capture_ids=ids, amount=eur(4_001))
    assert err.value.open_amount == eur(4_000)
    assert await _ledger_state(invoice, "b3", ids) == before

    paid = await invoice.receivables.pay("bank/tx-9", capture_ids=ids, amount=eur(1_500))
    assert not paid.replayed
    assert [(p.capture_id, p.amount) for p in paid.result.parts] == [(first.capture_id, eur(1_000)), (second.capture_id, eur(500))]
    state = await _ledger_state(invoice, "b3", ids)
    assert state[0] == [(first.capture_id, eur(1_000), eur(0)), (second.capture_id, eur(500), eur(2_500))]
    assert state[1] == eur(2_500) and state[2] == [second.capture_id]

    # The same key again is the same payment, not a second one; with other content, a conflict.
    again = await invoice.receivables.pay("bank/tx-9", capture_ids=ids, amount=eur(1_500))
    assert again.replayed and again.result == paid.result
    with pytest.raises(PaymentIdempotencyConflictError):
        await invoice.receivables.pay("bank/tx-9", capture_ids=ids, amount=eur(1_400))
    assert await _ledger_state(invoice, "b3", ids) == state


async def test_a_payment_names_receivables_of_one_customer_only(invoice):
    from oms_actors.domain.errors import ValidationError

    a = await auth(invoice, "o1/auth", "b1", 1_000)
    b = await auth(invoice, "o2/auth", "b3", 1_000)
    cap_a = await invoice.capture("o1/ship/1", authorization_id=a.authorization_id, amount=eur(1_000))
    cap_b = await invoice.capture("o2/ship/1", authorization_id=b.authorization_id, amount=eur(1_000))
    before = await _ledger_state(invoice, "b1", [cap_a.capture_id])
    with pytest.raises(ValidationError):
        await invoice.receivables.pay("bank/tx-3", capture_ids=[cap_a.capture_id, cap_b.capture_id], amount=eur(100))
    assert await _ledger_state(invoice, "b1", [cap_a.capture_id]) == before
    assert (await invoice.receivables.get(cap_b.capture_id)).open == eur(1_000)


async def test_positions_name_what_is_owed_and_the_oldest_due_date_still_open(invoice, clock):
    a = await auth(invoice, "o1/auth", "b1", 3_000)
    b = await auth(invoice, "o2/auth", "b1", 2_000)
    first = await invoice.capture("o1/ship/1", authorization_id=a.authorization_id, amount=eur(3_000))
    clock.advance(5 * DAY_MS)
    second = await invoice.capture("o2/ship/1", authorization_id=b.authorization_id, amount=eur(2_000))
    due_first = (await invoice.receivables.get(first.capture_id)).due_at_ms
    due_second = (await invoice.receivables.get(second.capture_id)).due_at_ms
    assert due_second - due_first == 5 * DAY_MS

    positions = await invoice.receivables.positions(["b1", "b-never"])
    assert positions["b1"] == AccountPosition(open=5_000, oldest_due_ms=due_first)
    assert positions["b-never"] == AccountPosition(open=0, oldest_due_ms=None)
    assert positions["b1"].past_due_ms(due_first) == 0  # due that day, not yet past it
    clock.advance(30 * DAY_MS)
    assert positions["b1"].past_due_ms(clock()) == clock() - due_first

    # Part of the oldest paid: still the oldest open. All of it paid: the next one is.
    await invoice.receivables.record_payment("bank/tx-1", capture_id=first.capture_id, amount=eur(1_000))
    assert (await invoice.receivables.positions(["b1"]))["b1"] == AccountPosition(open=4_000, oldest_due_ms=due_first)
    await invoice.receivables.record_payment("bank/tx-2", capture_id=first.capture_id, amount=eur(2_000))
    assert (await invoice.receivables.positions(["b1"]))["b1"] == AccountPosition(open=2_000, oldest_due_ms=due_second)
    # Taken off by a credit note, the last one leaves nothing past due.
    await invoice.refund("o2/rma/1", capture_id=second.capture_id, amount=eur(2_000))
    assert (await invoice.receivables.positions(["b1"]))["b1"] == AccountPosition(open=0, oldest_due_ms=None)


async def test_aging_sorts_every_customers_open_receivables_by_days_past_due(invoice, clock, redis_client):
    from oms_actors.payments.invoice import AGING_BUCKETS, aging_bucket
    from oms_actors.store import keys

    start = clock()
    captures = {}
    for n, (customer, amount, age_days) in enumerate(
        [("b1", 1_000, 0), ("b1", 2_000, 45), ("b3", 500, 95), ("b3", 700, 10), ("b2", 300, 31)]
    ):
        clock.now_ms = start - (age_days + 30) * DAY_MS  # issued then, due 30 days later
        a = await auth(invoice, f"o{n}/auth", customer, amount)
        captures[n] = await invoice.capture(f"o{n}/ship", authorization_id=a.authorization_id, amount=eur(amount))
    clock.now_ms = start + 1  # a millisecond after the youngest's due date: 1 day late
    rows = await invoice.receivables.aging()
    assert [(r.customer_id, r.currency, r.buckets, r.receivables) for r in rows] == [
        ("b1", "EUR", (0, 1_000, 2_000, 0, 0), 2),  # 3,000 past due
        ("b3", "EUR", (0, 700, 0, 0, 500), 2),
        ("b2", "EUR", (0, 0, 300, 0, 0), 1),  # 31 days and a millisecond: 32nd day late
    ]
    assert rows[0].oldest_due_ms == start - 45 * DAY_MS and rows[0].past_due == rows[0].total == 3_000
    assert len(AGING_BUCKETS) == 5 and aging_bucket(start, start) == 0 and aging_bucket(start + 1, start) == 1
    assert aging_bucket(start + 30 * DAY_MS, start) == 1 and aging_bucket(start + 30 * DAY_MS + 1, start) == 2

    # Settled in full, by a payment or a credit note, a receivable leaves the report.
    await invoice.receivables.record_payment("bank/tx-1", capture_id=captures[2].capture_id, amount=eur(500))
    await invoice.refund("o4/rma", capture_id=captures[4].capture_id, amount=eur(300))
    rows = await invoice.receivables.aging()
    assert [(r.customer_id, r.buckets) for r in rows] == [("b1", (0, 1_000, 2_000, 0, 0)), ("b3", (0, 700, 0, 0, 0))]

    # Receivables written before the index existed are found in the customers' open sets, once.
    name = invoice.receivables._ledger.provider
    await redis_client.delete(keys.payment_due_receivables(name), keys.payment_due_index_built(name))
    rebuilt = PayOnInvoiceProvider(redis_client, credit_limits=fixed_credit_limits(LIMITS), name=name, clock=clock)
    assert [(r.customer_id, r.buckets) for r in await rebuilt.receivables.aging()] == [
        ("b1", (0, 1_000, 2_000, 0, 0)),
        ("b3", (0, 700, 0, 0, 0)),
    ]
    assert await redis_client.exists(keys.payment_due_index_built(name))
