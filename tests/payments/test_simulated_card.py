"""The simulated card acquirer: idempotency under retries and lost answers, partial captures,
refusals, declines and expiry, against a real Redis."""

from __future__ import annotations

import asyncio

import pytest

from oms_actors.domain.errors import NotFoundError, ValidationError
from oms_actors.domain.money import Money
from oms_actors.payments import (
    AuthorizationExpiredError,
    AuthorizationNotOpenError,
    AuthorizationState,
    CaptureExceedsAuthorizationError,
    PaymentIdempotencyConflictError,
    PaymentStatus,
    PaymentTimeoutError,
    RefundExceedsCaptureError,
    SimulatedCardConfig,
    SimulatedCardProvider,
)
from tests.payments.support import DAY_MS, START_MS, eur, fresh_name

TOKEN = "tok_visa_4242424242424242"


def card(redis_client, clock, **config) -> SimulatedCardProvider:
    return SimulatedCardProvider(
        redis_client, config=SimulatedCardConfig(**config), name=fresh_name("card"), clock=clock
    )


async def authorized(provider: SimulatedCardProvider, amount: int = 10_000, key: str = "o1/auth/1"):
    auth = await provider.authorize(key, customer_id="c1", instrument_token=TOKEN, amount=eur(amount))
    assert auth.status is PaymentStatus.APPROVED
    return auth


async def test_every_operation_replays_its_first_answer_and_has_one_effect(redis_client, clock):
    provider = card(redis_client, clock)
    auth = await authorized(provider)
    assert auth.expires_at_ms == START_MS + 7 * DAY_MS
    assert await provider.authorize("o1/auth/1", customer_id="c1", instrument_token=TOKEN, amount=eur(10_000)) == auth

    cap = await provider.capture("o1/ship/1", authorization_id=auth.authorization_id, amount=eur(4_000))
    clock.advance(1_000)  # a retry later still answers the original capture
    assert await provider.capture("o1/ship/1", authorization_id=auth.authorization_id, amount=eur(4_000)) == cap

    ref = await provider.refund("o1/rma/1", capture_id=cap.capture_id, amount=eur(1_500))
    assert await provider.refund("o1/rma/1", capture_id=cap.capture_id, amount=eur(1_500)) == ref

    void = await provider.void("o1/cancel", authorization_id=auth.authorization_id)
    assert void.amount == eur(6_000)
    assert await provider.void("o1/cancel", authorization_id=auth.authorization_id) == void

    ledger = await provider.ledger(auth.authorization_id)
    assert (ledger.authorized, ledger.captured, ledger.voided, ledger.refunded) == (
        eur(10_000), eur(4_000), eur(6_000), eur(1_500)
    )  # fmt: skip
    assert ledger.state is AuthorizationState.VOIDED and ledger.remaining == eur(0)
    assert [e.kind for e in await provider.events()] == ["authorize", "capture", "refund", "void"]


async def test_concurrent_retries_of_one_key_make_one_effect(redis_client, clock):
    provider = card(redis_client, clock)
    auth = await authorized(provider)
    caps = await asyncio.gather(
        *(provider.capture("o1/ship/1", authorization_id=auth.authorization_id, amount=eur(2_500)) for _ in range(20))
    )
    assert len({c.capture_id for c in caps}) == 1
    assert (await provider.ledger(auth.authorization_id)).captured == eur(2_500)


async def test_same_key_with_other_arguments_is_a_conflict(redis_client, clock):
    provider = card(redis_client, clock)
    auth = await authorized(provider)
    with pytest.raises(PaymentIdempotencyConflictError) as err:
        await provider.authorize("o1/auth/1", customer_id="c1", instrument_token=TOKEN, amount=eur(10_001))
    assert err.value.operation == "authorize" and err.value.code == "IDEMPOTENCY_KEY_REUSED"
    with pytest.raises(PaymentIdempotencyConflictError):
        await provider.authorize(
            "o1/auth/1", customer_id="c1", instrument_token="tok_other_00000000", amount=eur(10_000)
        )
    cap = await provider.capture("k-cap", authorization_id=auth.authorization_id, amount=eur(100))
    with pytest.raises(PaymentIdempotencyConflictError):
        await provider.capture("k-cap", authorization_id=auth.authorization_id, amount=eur(200))
    await provider.refund("k-ref", capture_id=cap.capture_id, amount=eur(50))
    with pytest.raises(PaymentIdempotencyConflictError):
        await provider.refund("k-ref", capture_id=cap.capture_id, amount=eur(40))
    other = await authorized(provider, key="o2/auth/1")
    await provider.void("k-void", authorization_id=auth.authorization_id)
    with pytest.raises(PaymentIdempotencyConflictError):
        await provider.void("k-void", authorization_id=other.authorization_id)
    # Keys are per operation: the same text may key an authorise and a capture.
    await provider.capture("o2/auth/1", authorization_id=other.authorization_id, amount=eur(1))


async def test_timed_out_but_recorded_then_retried_has_exactly_one_effect(redis_client, clock):
    name = fresh_name("card")
    lossy = SimulatedCardProvider(redis_client, config=SimulatedCardConfig(timeout_rate=1.0), name=name, clock=clock)
    with pytest.raises(PaymentTimeoutError) as err:
        await lossy.authorize("o1/auth/1", customer_id="c1", instrument_token=TOKEN, amount=eur(10_000))
    assert err.value.code == "UNAVAILABLE" and err.value.operation == "authorize"
    [ledger] = [x async for x in lossy.ledgers()]  # recorded although the caller never heard
    with pytest.raises(PaymentTimeoutError):
        await lossy.capture("o1/ship/1", authorization_id=ledger.authorization_id, amount=eur(3_000))
    assert (await lossy.ledger(ledger.authorization_id)).captured == eur(3_000)

    # The acquirer answers again: retries with the same keys get what was done, nothing more.
    healthy = SimulatedCardProvider(redis_client, config=SimulatedCardConfig(), name=name, clock=clock)
    auth = await healthy.authorize("o1/auth/1", customer_id="c1", instrument_token=TOKEN, amount=eur(10_000))
    assert auth.authorization_id == ledger.authorization_id
    cap = await healthy.capture("o1/ship/1", authorization_id=auth.authorization_id, amount=eur(3_000))
    after = await healthy.ledger(auth.authorization_id)
    assert after.captured == eur(3_000) and [c.capture_id for c in after.captures] == [cap.capture_id]
    assert [e.kind for e in await healthy.events()] == ["authorize", "capture"]


async def test_seeded_timeouts_retried_until_answered_charge_once(redis_client, clock):
    provider = card(redis_client, clock, timeout_rate=0.5, seed=11)
    timeouts = 0

    async def until_answered(call):
        nonlocal timeouts
        for _ in range(64):
            try:
                return await call()
            except PaymentTimeoutError:
                timeouts += 1
        raise AssertionError("never answered")

    auth = await until_answered(
        lambda: provider.authorize("o9/auth/1", customer_id="c1", instrument_token=TOKEN, amount=eur(20_000))
    )
    for i in range(20):
        await until_answered(
            lambda i=i: provider.capture(f"o9/ship/{i}", authorization_id=auth.authorization_id, amount=eur(1_000))
        )
    ledger = await provider.ledger(auth.authorization_id)
    assert ledger.captured == eur(20_000) and len(ledger.captures) == 20
    assert timeouts > 0  # with this seed some answers were lost, and no retry charged twice

    # The same seed loses the same answers: a run can be replayed.
    async def answers(provider: SimulatedCardProvider) -> list[bool]:
        out = []
        for _ in range(8):
            try:
                await provider.authorize("o9/auth/1", customer_id="c1", instrument_token=TOKEN, amount=eur(20_000))
                out.append(True)
            except PaymentTimeoutError:
                out.append(False)
        return out

    first = await answers(card(redis_client, clock, timeout_rate=0.5, seed=11))
    assert first == await answers(card(redis_client, clock, timeout_rate=0.5, seed=11))
    assert True in first and False in first


async def test_partial_captures_sum_to_the_authorised_amount_and_no_further(redis_client, clock):
    provider = card(redis_client, clock)
    auth = await authorized(provider, 10_000)
    for i, part in enumerate((2_500, 4_000, 3_500)):
        await provider.capture(f"o1/ship/{i}", authorization_id=auth.authorization_id, amount=eur(part))
    ledger = await provider.ledger(auth.authorization_id)
    assert ledger.captured == ledger.authorized == eur(10_000) and ledger.remaining == eur(0)
    with pytest.raises(CaptureExceedsAuthorizationError) as err:
        await provider.capture("o1/ship/4", authorization_id=auth.authorization_id, amount=eur(1))
    assert err.value.remaining == eur(0) and err.value.code == "CAPTURE_EXCEEDS_AUTHORIZATION"
    # Voiding a fully captured authorisation releases nothing and stops further captures.
    assert (await provider.void("o1/close", authorization_id=auth.authorization_id)).amount == eur(0)


async def test_over_capture_is_refused_and_changes_nothing(redis_client, clock):
    provider = card(redis_client, clock)
    auth = await authorized(provider, 5_000)
    await provider.capture("a", authorization_id=auth.authorization_id, amount=eur(3_000))
    with pytest.raises(CaptureExceedsAuthorizationError) as err:
        await provider.capture("b", authorization_id=auth.authorization_id, amount=eur(2_001))
    assert err.value.remaining == eur(2_000) and err.value.requested == eur(2_001)
    # A refused key is not remembered: the caller may use it again for what is allowed.
    await provider.capture("b", authorization_id=auth.authorization_id, amount=eur(2_000))
    assert (await provider.ledger(auth.authorization_id)).captured == eur(5_000)


async def test_concurrent_captures_never_exceed_the_authorisation(redis_client, clock):
    provider = card(redis_client, clock)
    auth = await authorized(provider, 1_000)
    results = await asyncio.gather(
        *(provider.capture(f"k{i}", authorization_id=auth.authorization_id, amount=eur(100)) for i in range(25)),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, Exception) for r in results) == 10
    assert all(isinstance(r, CaptureExceedsAuthorizationError) for r in results if isinstance(r, Exception))
    assert (await provider.ledger(auth.authorization_id)).captured == eur(1_000)


async def test_over_refund_is_refused_per_capture(redis_client, clock):
    provider = card(redis_client, clock)
    auth = await authorized(provider)
    first = await provider.capture("s1", authorization_id=auth.authorization_id, amount=eur(3_000))
    second = await provider.capture("s2", authorization_id=auth.authorization_id, amount=eur(2_000))
    await provider.refund("r1", capture_id=first.capture_id, amount=eur(2_000))
    with pytest.raises(RefundExceedsCaptureError) as err:
        await provider.refund("r2", capture_id=first.capture_id, amount=eur(1_001))
    assert err.value.refundable == eur(1_000) and err.value.code == "REFUND_EXCEEDS_CAPTURE"
    await provider.refund("r2", capture_id=first.capture_id, amount=eur(1_000))
    await provider.refund("r3", capture_id=second.capture_id, amount=eur(2_000))
    with pytest.raises(RefundExceedsCaptureError):
        await provider.refund("r4", capture_id=second.capture_id, amount=eur(1))
    ledger = await provider.ledger(auth.authorization_id)
    assert ledger.refunded == ledger.captured == eur(5_000)
    assert [c.refundable for c in ledger.captures] == [eur(0), eur(0)]


async def test_capture_after_expiry_is_refused_distinctly_and_reauthorisation_continues(redis_client, clock):
    provider = card(redis_client, clock, authorization_lifetime_ms=DAY_MS)
    auth = await authorized(provider, 10_000)
    await provider.capture("o1/ship/1", authorization_id=auth.authorization_id, amount=eur(4_000))
    clock.advance(DAY_MS)
    with pytest.raises(AuthorizationExpiredError) as err:
        await provider.capture("o1/ship/2", authorization_id=auth.authorization_id, amount=eur(3_000))
    assert err.value.code == "AUTHORIZATION_EXPIRED" and err.value.expired_at_ms == START_MS + DAY_MS

    renewed = await provider.reauthorize("o1/auth/2", authorization_id=auth.authorization_id, instrument_token=TOKEN)
    assert renewed.amount == eur(6_000) and renewed.expires_at_ms == clock.now_ms + DAY_MS
    # A retry of the re-authorisation (say after a crash) neither voids nor authorises again.
    again = await provider.reauthorize("o1/auth/2", authorization_id=auth.authorization_id, instrument_token=TOKEN)
    assert again == renewed
    await provider.capture("o1/ship/2", authorization_id=renewed.authorization_id, amount=eur(3_000))
    old = await provider.ledger(auth.authorization_id)
    new = await provider.ledger(renewed.authorization_id)
    assert (old.state, old.captured, old.voided) == (AuthorizationState.VOIDED, eur(4_000), eur(6_000))
    assert (new.captured, new.remaining) == (eur(3_000), eur(3_000))
    # Refunds of captures on the expired authorisation still work.
    await provider.refund("o1/rma/1", capture_id=old.captures[0].capture_id, amount=eur(4_000))


async def test_declines_are_results_remembered_under_their_key(redis_client, clock):
    provider = card(redis_client, clock, decline_above=eur(100_000))
    declined = await provider.authorize(
        "d1", customer_id="c1", instrument_token="tok_decline_insufficient_funds", amount=eur(500)
    )
    assert (declined.status, declined.decline_reason) == (PaymentStatus.DECLINED, "insufficient_funds")
    assert declined.expires_at_ms is None and not declined.approved
    plain = await provider.authorize("d2", customer_id="c1", instrument_token="tok_decline", amount=eur(500))
    assert plain.decline_reason == "card_declined"
    big = await provider.authorize("d3", customer_id="c1", instrument_token=TOKEN, amount=eur(100_001))
    assert big.decline_reason == "amount_over_limit"
    assert (await provider.authorize("d4", customer_id="c1", instrument_token=TOKEN, amount=eur(100_000))).approved
    assert await provider.authorize("d3", customer_id="c1", instrument_token=TOKEN, amount=eur(100_001)) == big
    with pytest.raises(AuthorizationNotOpenError) as err:
        await provider.capture("c", authorization_id=big.authorization_id, amount=eur(1))
    assert err.value.state == "declined"
    with pytest.raises(AuthorizationNotOpenError):
        await provider.void("v", authorization_id=big.authorization_id)
    ledger = await provider.ledger(big.authorization_id)
    assert ledger.authorized == eur(0) and ledger.requested == eur(100_001)


async def test_decline_rate_is_deterministic_by_seed_and_key(redis_client, clock):
    async def decisions(seed: int) -> list[bool]:
        provider = card(redis_client, clock, decline_rate=0.3, seed=seed)
        return [
            (await provider.authorize(f"k{i}", customer_id="c1", instrument_token=TOKEN, amount=eur(100))).approved
            for i in range(200)
        ]

    first, second, other_seed = await decisions(5), await decisions(5), await decisions(6)
    assert first == second and first != other_seed
    assert 100 < sum(first) < 180  # about 70 % approved


async def test_voided_authorisation_takes_no_capture(redis_client, clock):
    provider = card(redis_client, clock)
    auth = await authorized(provider)
    await provider.void("v", authorization_id=auth.authorization_id)
    with pytest.raises(AuthorizationNotOpenError) as err:
        await provider.capture("c", authorization_id=auth.authorization_id, amount=eur(1))
    assert err.value.state == "voided"


async def test_bad_input_and_unknown_references(redis_client, clock):
    provider = card(redis_client, clock)
    auth = await authorized(provider)
    with pytest.raises(ValidationError):
        await provider.authorize("x", customer_id="c1", instrument_token=TOKEN, amount=eur(0))
    with pytest.raises(ValidationError):
        await provider.capture("x", authorization_id=auth.authorization_id, amount=eur(-5))
    with pytest.raises(ValidationError) as err:
        await provider.capture(
            "x", authorization_id=auth.authorization_id, amount=Money(amount_minor=5, currency="USD")
        )
    assert err.value.violations[0].field == "amount.currency"
    with pytest.raises(ValidationError):
        await provider.capture("", authorization_id=auth.authorization_id, amount=eur(5))
    with pytest.raises(NotFoundError):
        await provider.capture("x", authorization_id="nope", amount=eur(5))
    with pytest.raises(NotFoundError):
        await provider.refund("x", capture_id="nope", amount=eur(5))
    with pytest.raises(NotFoundError):
        await provider.ledger("nope")


async def test_the_token_is_never_stored(redis_client, clock, payments_redis):
    provider = card(redis_client, clock)
    await authorized(provider)
    from oms_actors.store import keys

    dump = []
    async for key in redis_client.scan_iter(match=f"{keys.payments(provider.name)}*"):
        kind = await redis_client.type(key)
        if kind == b"hash":
            dump.append(repr(await redis_client.hgetall(key)))
        elif kind == b"stream":
            dump.append(repr(await redis_client.xrange(key)))
    assert dump and not any(TOKEN in d for d in dump)
    assert any("4242" in d for d in dump)  # the last digits, as on a receipt


async def test_latency_is_applied(redis_client, clock):
    import time

    provider = card(redis_client, clock, latency_ms=30, jitter_ms=10)
    started = time.perf_counter()
    await authorized(provider)
    assert time.perf_counter() - started >= 0.03
