"""Ledger calls made together share one Redis round trip (across providers), and each keeps its own outcome."""

from __future__ import annotations

import asyncio

import pytest

from oms_actors.payments import (
    GiftCardProvider,
    PaymentIdempotencyConflictError,
    PayOnInvoiceProvider,
    fixed_credit_limits,
)
from tests.payments.support import eur, fresh_name, round_trips


@pytest.fixture
def gift_cards(redis_client, clock) -> GiftCardProvider:
    return GiftCardProvider(redis_client, name=fresh_name("gift"), clock=clock)


async def test_one_failing_call_in_a_pipelined_batch_fails_alone(gift_cards):
    card = await gift_cards.issue("i", amount=eur(1_000))
    await gift_cards.authorize("taken", customer_id="c1", instrument_token=card.account, amount=eur(10))

    results = await asyncio.gather(
        gift_cards.authorize("a", customer_id="c1", instrument_token=card.account, amount=eur(100)),
        gift_cards.authorize("taken", customer_id="c1", instrument_token=card.account, amount=eur(999)),
        gift_cards.authorize("b", customer_id="c1", instrument_token=card.account, amount=eur(200)),
        return_exceptions=True,
    )
    assert [type(r).__name__ for r in results] == ["Authorization", "PaymentIdempotencyConflictError", "Authorization"]
    assert isinstance(results[1], PaymentIdempotencyConflictError)
    assert results[0].approved and results[2].approved
    balance = await gift_cards.balance(card.account)
    assert (balance.available, balance.held) == (eur(690), eur(310))


async def test_a_lost_script_cache_is_reloaded_for_a_pipelined_batch(gift_cards, redis_client):
    card = await gift_cards.issue("i", amount=eur(1_000))
    await redis_client.script_flush()  # what a Redis restart without the cache looks like to EVALSHA

    auths = await asyncio.gather(
        *(gift_cards.authorize(f"k{i}", customer_id="c1", instrument_token=card.account, amount=eur(100))
          for i in range(5))
    )  # fmt: skip
    assert all(a.approved for a in auths)
    assert len({a.authorization_id for a in auths}) == 5
    balance = await gift_cards.balance(card.account)
    assert (balance.available, balance.held) == (eur(500), eur(500))


async def test_calls_of_different_providers_in_one_turn_share_one_round_trip(gift_cards, redis_client, clock, monkeypatch):
    invoice = PayOnInvoiceProvider(
        redis_client, credit_limits=fixed_credit_limits({"b1": eur(500)}), name=fresh_name("inv"), clock=clock
    )
    card = await gift_cards.issue("i", amount=eur(1_000))
    batches = round_trips(redis_client, monkeypatch)
    gift, on_account, over = await asyncio.gather(
        gift_cards.authorize("g", customer_id="c1", instrument_token=card.account, amount=eur(300)),
        invoice.authorize("v", customer_id="b1", instrument_token="", amount=eur(400)),
        invoice.authorize("w", customer_id="b1", instrument_token="", amount=eur(101)),
    )
    assert batches == [3]
    assert gift.approved and on_account.approved
    assert over.decline_reason == "credit_limit_exceeded"  # each script still sees the ones before it
    assert (await gift_cards.balance(card.account)).held == eur(300)
