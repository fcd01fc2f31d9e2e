"""What the built-in providers share: the four operations on a ``PaymentLedger``, and re-authorisation.

A subclass says how an authorisation picks its account, whether it is declined
before the ledger looks, how long it lives, and may add latency and timeouts.
"""

from __future__ import annotations

from typing import AsyncIterator

import redis.asyncio as aioredis

from oms_actors.domain.enums import PaymentMethod
from oms_actors.domain.errors import FailedPreconditionError
from oms_actors.domain.money import Money
from oms_actors.payments.clock import Clock, system_clock_ms
from oms_actors.payments.ledger import (
    LedgerEvent,
    LedgerMode,
    PaymentLedger,
    Recorded,
    check_amount,
    check_id,
    check_key,
    fingerprint,
    secret_digest,
)
from oms_actors.payments.results import (
    Authorization,
    AuthorizationLedger,
    AuthorizationState,
    Capture,
    Refund,
    Void,
)


class LedgerProvider:
    """A ``PaymentProvider`` (and ``ReconcilableProvider``) whose state is a ``PaymentLedger`` in Redis."""

    MODE = LedgerMode.NONE

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        name: str,
        method: PaymentMethod,
        clock: Clock = system_clock_ms,
        authorization_lifetime_ms: int | None = None,
    ) -> None:
        self._ledger = PaymentLedger(client, provider=name, method=method, mode=self.MODE)
        self._clock = clock
        self.authorization_lifetime_ms = authorization_lifetime_ms

    @property
    def name(self) -> str:
        return self._ledger.provider

    @property
    def method(self) -> PaymentMethod:
        return self._ledger.method

    # -- what subclasses decide --------------------------------------------------------------

    def _account(self, *, customer_id: str, instrument_token: str, amount: Money) -> str:
        return ""

    async def _decline_reason(self, key: str, *, customer_id: str, instrument_token: str, amount: Money) -> str:
        return ""

    async def _before(self, operation: str, key: str) -> None:
        """Runs before the ledger is touched (the simulator's latency)."""

    async def _after(self, operation: str, key: str, recorded: Recorded) -> None:
        """Runs after the ledger recorded the operation (the simulator's lost answers)."""

    # -- the four operations -----------------------------------------------------------------

    async def authorize(self, key: str, *, customer_id: str, instrument_token: str, amount: Money) -> Authorization:
        return (
            await self._authorize(key, customer_id=customer_id, instrument_token=instrument_token, amount=amount)
        ).result

    async def _authorize(
        self, key: str, *, customer_id: str, instrument_token: str, amount: Money, credit_limit: Money | None = None
    ) -> Recorded[Authorization]:
        check_key(key)
        check_id(customer_id, "customer_id")
        check_amount(amount)
        await self._before("authorize", key)
        now = self._clock()
        fp = fingerprint(
            "authorize", customer_id, secret_digest(instrument_token), amount.amount_minor, amount.currency
        )
        recorded = await self._ledger.authorize(
            key,
            fingerprint=fp,
            now_ms=now,
            customer_id=customer_id,
            account=self._account(customer_id=customer_id, instrument_token=instrument_token, amount=amount),
            amount=amount,
            expires_at_ms=None if self.authorization_lifetime_ms is None else now + self.authorization_lifetime_ms,
            decline_reason=await self._decline_reason(
                key, customer_id=customer_id, instrument_token=instrument_token, amount=amount
            ),
            credit_limit=credit_limit,
        )
        await self._after("authorize", key, recorded)
        return recorded

    async def capture(self, key: str, *, authorization_id: str, amount: Money) -> Capture:
        check_key(key)
        check_id(authorization_id, "authorization_id")
        check_amount(amount)
        await self._before("capture", key)
        recorded = await self._ledger.capture(
            key,
            fingerprint=fingerprint("capture", authorization_id, amount.amount_minor, amount.currency),
            now_ms=self._clock(),
            authorization_id=authorization_id,
            amount=amount,
            terms_ms=await self._payment_terms_ms(authorization_id),
        )
        await self._after("capture", key, recorded)
        return recorded.result

    async def _payment_terms_ms(self, authorization_id: str) -> int:
        return 0

    async def void(self, key: str, *, authorization_id: str) -> Void:
        check_key(key)
        check_id(authorization_id, "authorization_id")
        await self._before("void", key)
        recorded = await self._ledger.void(
            key,
            fingerprint=fingerprint("void", authorization_id),
            now_ms=self._clock(),
            authorization_id=authorization_id,
        )
        await self._after("void", key, recorded)
        return recorded.result

    async def refund(self, key: str, *, capture_id: str, amount: Money) -> Refund:
        check_key(key)
        check_id(capture_id, "capture_id")
        check_amount(amount)
        await self._before("refund", key)
        recorded = await self._ledger.refund(
            key,
            fingerprint=fingerprint("refund", capture_id, amount.amount_minor, amount.currency),
            now_ms=self._clock(),
            capture_id=capture_id,
            amount=amount,
        )
        await self._after("refund", key, recorded)
        return recorded.result

    async def reauthorize(self, key: str, *, authorization_id: str, instrument_token: str) -> Authorization:
        """Replaces an (expired) authorisation by a new one for what it had left.

        Voids the old one first, so a balance or credit line holds the amount
        once, never twice; both steps are keyed from ``key``, so a retry after
        a crash between them finishes the job instead of repeating it. The new
        authorisation may be declined (the card lapsed, the balance was spent);
        the old one is void then, and the order needs another payment.
        """
        old = await self.ledger(authorization_id)
        remaining = old.authorized - old.captured - old.voided
        if old.state is AuthorizationState.VOIDED:
            # Voided by an earlier try of this same call: its void remembers what was left.
            remaining = (await self.void(f"{key}/void", authorization_id=authorization_id)).amount
        elif remaining.amount_minor > 0:
            await self.void(f"{key}/void", authorization_id=authorization_id)
        if remaining.amount_minor <= 0:
            raise FailedPreconditionError(
                f"{self.name}: authorization {authorization_id} has nothing left to authorize again",
                code="NOTHING_TO_REAUTHORIZE",
            )
        return await self.authorize(
            key, customer_id=old.customer_id, instrument_token=instrument_token, amount=remaining
        )

    # -- reading the ledger ------------------------------------------------------------------

    async def ledger(self, authorization_id: str) -> AuthorizationLedger:
        return await self._ledger.authorization(authorization_id)

    async def ledgers(self) -> AsyncIterator[AuthorizationLedger]:
        async for ledger in self._ledger.ledgers():
            yield ledger

    async def events(self) -> list[LedgerEvent]:
        return await self._ledger.events()
