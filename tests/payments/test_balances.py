"""Gift cards and store credit: balances in Redis that never go negative, under concurrency too."""

from __future__ import annotations

import asyncio

import pytest

from oms_actors.domain.errors import ValidationError
from oms_actors.domain.money import Money
from oms_actors.payments import (
    AccountExistsError,
    AuthorizationState,
    GiftCardProvider,
    PaymentIdempotencyConflictError,
    PaymentStatus,
    StoreCreditProvider,
)
from tests.payments.support import eur, fresh_name


@pytest.fixture
def gift_cards(redis_client, clock) -> GiftCardProvider:
    return GiftCardProvider(redis_client, name=fresh_name("gift"), clock=clock)


@pytest.fixture
def store_credit(redis_client, clock) -> StoreCreditProvider:
    return StoreCreditProvider(redis_client, name=fresh_name("credit"), clock=clock)


async def test_gift_card_hold_capture_void_refund_move_the_balance(gift_cards):
    card = await gift_cards.issue("issue-1", amount=eur(5_000))
    number = card.account
    assert number.startswith("gc_")
    assert await gift_cards.issue("issue-1", amount=eur(5_000)) == card  # a retry draws no second card

    auth = await gift_cards.authorize("o1/auth", customer_id="c1", instrument_token=number, amount=eur(3_000))
    assert auth.approved and auth.expires_at_ms is None
    balance = await gift_cards.balance(number)
    assert (balance.available, balance.held) == (eur(2_000), eur(3_000))

    cap = await gift_cards.capture("o1/ship/1", authorization_id=auth.authorization_id, amount=eur(1_000))
    assert (await gift_cards.balance(number)).held == eur(2_000)
    await gift_cards.void("o1/cancel", authorization_id=auth.authorization_id)
    balance = await gift_cards.balance(number)
    assert (balance.available, balance.held) == (eur(4_000), eur(0))
    await gift_cards.refund("o1/rma/1", capture_id=cap.capture_id, amount=eur(400))
    assert (await gift_cards.balance(number)).available == eur(4_400)


async def test_gift_card_declines_beyond_its_balance_and_for_unknown_cards(gift_cards):
    card = await gift_cards.issue("i", amount=eur(1_000), card_number="gc_known_1")
    declined = await gift_cards.authorize("a1", customer_id="c1", instrument_token=card.account, amount=eur(1_001))
    assert (declined.status, declined.decline_reason) == (PaymentStatus.DECLINED, "insufficient_funds")
    unknown = await gift_cards.authorize("a2", customer_id="c1", instrument_token="gc_nobody", amount=eur(1))
    assert unknown.decline_reason == "unknown_account"
    usd = await gift_cards.authorize(
        "a3", customer_id="c1", instrument_token=card.account, amount=Money(amount_minor=1, currency="USD")
    )
    assert usd.decline_reason == "currency_mismatch"
    assert (await gift_cards.balance(card.account)).available == eur(1_000)
    with pytest.raises(AccountExistsError):
        await gift_cards.issue("i2", amount=eur(5), card_number="gc_known_1")
    with pytest.raises(ValidationError):
        await gift_cards.authorize("a4", customer_id="c1", instrument_token="", amount=eur(1))


async def test_gift_card_never_negative_under_concurrent_authorisations(gift_cards):
    card = await gift_cards.issue("i", amount=eur(1_000))
    auths = await asyncio.gather(
        *(
            gift_cards.authorize(f"o{i}/auth", customer_id="c1", instrument_token=card.account, amount=eur(30))
            for i in range(60)
        )
    )
    approved = [a for a in auths if a.approved]
    assert len(approved) == 33  # 33 × 30 = 990 ≤ 1000 < 34 × 30
    assert {a.decline_reason for a in auths if not a.approved} == {"insufficient_funds"}
    balance = await gift_cards.balance(card.account)
    assert (balance.available, balance.held) == (eur(10), eur(990))

    # Capturing and voiding concurrently keeps every cent accounted for.
    await asyncio.gather(
        *(
            gift_cards.capture(f"{a.authorization_id}/cap", authorization_id=a.authorization_id, amount=eur(30))
            if i % 2
            else gift_cards.void(f"{a.authorization_id}/void", authorization_id=a.authorization_id)
            for i, a in enumerate(approved)
        )
    )
    balance = await gift_cards.balance(card.account)
    captured = 30 * (len(approved) // 2)
    assert (balance.available, balance.held) == (eur(1_000 - captured), eur(0))


async def test_gift_card_load_tops_up(gift_cards):
    card = await gift_cards.issue("i", amount=eur(100))
    await gift_cards.load("refund-as-gift-card", card_number=card.account, amount=eur(250), reason="return")
    await gift_cards.load("refund-as-gift-card", card_number=card.account, amount=eur(250), reason="return")
    assert (await gift_cards.balance(card.account)).available == eur(350)


async def test_store_credit_granted_once_per_reference_and_spent_like_a_balance(store_credit):
    grant = await store_credit.grant("rma-17/store-credit", customer_id="c7", amount=eur(2_000), reason="return")
    assert (
        await store_credit.grant("rma-17/store-credit", customer_id="c7", amount=eur(2_000), reason="return") == grant
    )
    with pytest.raises(PaymentIdempotencyConflictError):
        await store_credit.grant("rma-17/store-credit", customer_id="c7", amount=eur(2_500), reason="return")
    await store_credit.grant("goodwill-3", customer_id="c7", amount=eur(500))
    assert (await store_credit.balance("c7", "EUR")).available == eur(2_500)
    assert (await store_credit.balance("c7", "USD")).available == Money(amount_minor=0, currency="USD")

    auth = await store_credit.authorize("o1/auth", customer_id="c7", instrument_token="", amount=eur(2_000))
    assert auth.approved
    other = await store_credit.authorize("o2/auth", customer_id="c7", instrument_token="", amount=eur(501))
    assert other.decline_reason == "insufficient_funds"
    cap = await store_credit.capture("o1/ship/1", authorization_id=auth.authorization_id, amount=eur(2_000))
    await store_credit.refund("o1/rma/1", capture_id=cap.capture_id, amount=eur(700))
    balance = await store_credit.balance("c7", "EUR")
    assert (balance.available, balance.held) == (eur(1_200), eur(0))
    nobody = await store_credit.authorize("o3/auth", customer_id="c-none", instrument_token="", amount=eur(1))
    assert nobody.decline_reason == "unknown_account"


async def test_ids_as_the_gateway_allows_them_work(store_credit):
    customer = "acme:42/east@eu#1"
    await store_credit.grant("g", customer_id=customer, amount=eur(10))
    auth = await store_credit.authorize("o:1:P1:auth:0", customer_id=customer, instrument_token="", amount=eur(10))
    assert auth.approved and (await store_credit.ledger(auth.authorization_id)).customer_id == customer
    with pytest.raises(ValidationError):
        await store_credit.grant("g2", customer_id="has space", amount=eur(1))


async def test_store_credit_concurrent_spending_never_negative(store_credit):
    await store_credit.grant("g", customer_id="c8", amount=eur(100))
    auths = await asyncio.gather(
        *(store_credit.authorize(f"k{i}", customer_id="c8", instrument_token="", amount=eur(7)) for i in range(30))
    )
    assert sum(a.approved for a in auths) == 14
    assert (await store_credit.balance("c8", "EUR")).available == eur(2)
    ledgers = [x async for x in store_credit.ledgers()]
    assert sum(x.state is AuthorizationState.APPROVED for x in ledgers) == 14
