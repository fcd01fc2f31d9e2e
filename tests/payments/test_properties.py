"""Property: for any sequence of capture, void, refund, retry and ageing on one authorisation,
every ledger total balances to the minor unit and captured − refunded never exceeds authorised.

A plain Python model says what each step must do (succeed, or which refusal);
the provider in Redis must agree, and its ledger, balances, receivables and
event stream must all add up after every step. Answers are lost at random
(the simulator's timeouts) and retried, which must never add an effect.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oms_actors.domain.errors import OmsError
from oms_actors.payments import (
    AuthorizationExpiredError,
    AuthorizationNotOpenError,
    CaptureExceedsAuthorizationError,
    GiftCardProvider,
    PaymentTimeoutError,
    PayOnInvoiceProvider,
    RefundExceedsCaptureError,
    SimulatedCardConfig,
    SimulatedCardProvider,
    fixed_credit_limits,
)
from oms_actors.payments.base import LedgerProvider
from tests.payments.support import FakeClock, eur, fresh_name

LIFETIME_MS = 10_000

# An amount is absolute, or relative to what is left ("rest", -2..2): refusals are off-by-one prone.
amounts = st.one_of(st.integers(1, 4_000), st.tuples(st.just("rest"), st.sampled_from([-1, 0, 1])))

steps = st.lists(
    st.one_of(
        st.tuples(st.just("capture"), amounts),
        st.tuples(st.just("void")),
        st.tuples(st.just("refund"), st.integers(0, 20), amounts),
        st.tuples(st.just("retry"), st.integers(0, 50)),
        st.tuples(st.just("age"), st.integers(0, 6_000)),
        st.tuples(st.just("age_to_expiry"), st.sampled_from([-1, 0, 1])),
    ),
    max_size=25,
)


@dataclass
class Model:
    authorized: int
    expires_at_ms: int | None
    captures: list[list[int]] = field(default_factory=list)  # [amount, refunded]
    voided: int | None = None

    @property
    def captured(self) -> int:
        return sum(c[0] for c in self.captures)

    @property
    def refunded(self) -> int:
        return sum(c[1] for c in self.captures)

    @property
    def remaining(self) -> int:
        return 0 if self.voided is not None else self.authorized - self.captured


def amount_of(spec: int | tuple[str, int], left: int) -> int:
    return spec if isinstance(spec, int) else max(1, left + spec[1])


async def answered(call):
    """Retries a call whose answer was lost, as a caller does: same key, same arguments."""
    for _ in range(100):
        try:
            return await call()
        except PaymentTimeoutError:
            continue
    raise AssertionError("no answer in 100 tries")


def build(kind: str, client, clock: FakeClock, seed: int) -> LedgerProvider:
    if kind == "card":
        config = SimulatedCardConfig(timeout_rate=0.3, seed=seed, authorization_lifetime_ms=LIFETIME_MS)
        return SimulatedCardProvider(client, config=config, name=fresh_name("prop-card"), clock=clock)
    if kind == "gift_card":
        return GiftCardProvider(client, name=fresh_name("prop-gift"), clock=clock, hold_lifetime_ms=LIFETIME_MS)
    limits = fixed_credit_limits({"b1": eur(10_000)})
    return PayOnInvoiceProvider(client, credit_limits=limits, name=fresh_name("prop-inv"), clock=clock)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(["card", "gift_card", "invoice"]),
    authorized=st.integers(1, 10_000),
    seed=st.integers(0, 2**16),
    plan=steps,
)
async def test_any_sequence_balances(redis_client, kind, authorized, seed, plan):
    clock = FakeClock()
    provider = build(kind, redis_client, clock, seed)
    token = "tok_prop_00004242"
    issued = authorized + 1_000
    if isinstance(provider, GiftCardProvider):
        token = (await provider.issue("issue", amount=eur(issued))).account
    auth = await answered(
        lambda: provider.authorize("auth", customer_id="b1", instrument_token=token, amount=eur(authorized))
    )
    assert auth.approved
    model = Model(authorized=authorized, expires_at_ms=auth.expires_at_ms)
    done: list[tuple] = []  # (call, result) of steps that succeeded, for retries
    capture_ids: list[str] = []

    for n, step in enumerate(plan):
        op, key = step[0], f"step-{n}"
        expected: type[OmsError] | None = None
        if op == "age":
            clock.advance(step[1])
            continue
        if op == "age_to_expiry":
            if model.expires_at_ms is not None and clock() < model.expires_at_ms + step[1]:
                clock.now_ms = model.expires_at_ms + step[1]
            continue
        if op == "retry":
            if done:
                call, result = done[step[1] % len(done)]
                assert await answered(call) == result
            continue
        if op == "capture":
            amount = amount_of(step[1], model.remaining)
            if model.voided is not None:
                expected = AuthorizationNotOpenError
            elif model.expires_at_ms is not None and clock() >= model.expires_at_ms:
                expected = AuthorizationExpiredError
            elif amount > model.remaining:
                expected = CaptureExceedsAuthorizationError

            def call(key=key, amount=amount):
                return provider.capture(key, authorization_id=auth.authorization_id, amount=eur(amount))
        elif op == "void":
            expected = AuthorizationNotOpenError if model.voided is not None else None

            def call(key=key):
                return provider.void(key, authorization_id=auth.authorization_id)
        else:
            if not capture_ids:
                continue
            index = step[1] % len(capture_ids)
            cap = model.captures[index]
            amount = amount_of(step[2], cap[0] - cap[1])
            expected = RefundExceedsCaptureError if amount > cap[0] - cap[1] else None

            def call(key=key, cid=capture_ids[index], amount=amount):
                return provider.refund(key, capture_id=cid, amount=eur(amount))

        try:
            result = await answered(call)
        except OmsError as err:
            assert expected is not None and isinstance(err, expected), (step, err)
            continue
        assert expected is None, (step, result)
        done.append((call, result))
        if op == "capture":
            model.captures.append([result.amount.amount_minor, 0])
            capture_ids.append(result.capture_id)
        elif op == "void":
            assert result.amount == eur(model.remaining)
            model.voided = model.remaining
        else:
            model.captures[step[1] % len(capture_ids)][1] += result.amount.amount_minor

        await check(provider, kind, auth.authorization_id, model, token, issued)
    await check(provider, kind, auth.authorization_id, model, token, issued)


async def check(
    provider: LedgerProvider, kind: str, authorization_id: str, model: Model, token: str, issued: int
) -> None:
    ledger = await provider.ledger(authorization_id)
    assert ledger.authorized == eur(model.authorized)
    assert ledger.captured == eur(model.captured) and ledger.refunded == eur(model.refunded)
    assert ledger.voided == eur(model.voided or 0) and ledger.remaining == eur(model.remaining)
    assert ledger.authorized == ledger.captured + ledger.voided + ledger.remaining
    assert (ledger.captured - ledger.refunded).amount_minor <= ledger.authorized.amount_minor
    assert [[c.amount.amount_minor, c.refunded.amount_minor] for c in ledger.captures] == model.captures
    assert all(0 <= c.refunded.amount_minor <= c.amount.amount_minor for c in ledger.captures)

    # The event stream, summed by kind, is the same ledger (exactly one event per effect).
    totals: dict[str, int] = {}
    for event in await provider.events():
        if event.authorization_id == authorization_id:
            totals[event.kind] = totals.get(event.kind, 0) + event.amount.amount_minor
    assert totals.get("authorize", 0) == model.authorized
    assert totals.get("capture", 0) == model.captured
    assert totals.get("refund", 0) == model.refunded
    assert totals.get("void", 0) == (model.voided or 0)

    if isinstance(provider, GiftCardProvider):
        balance = await provider.balance(token)
        assert balance.available.amount_minor >= 0 and balance.held == ledger.remaining
        # Nothing created or lost: what is on the card, held, and spent net of refunds is what was issued.
        assert balance.available + balance.held + ledger.captured - ledger.refunded == eur(issued)
    if isinstance(provider, PayOnInvoiceProvider):
        summary = await provider.receivables.of("b1")
        assert summary.held == ledger.remaining
        if model.captures:
            assert summary.open_total == ledger.captured - ledger.refunded
