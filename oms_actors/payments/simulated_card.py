"""A simulated card payment provider: a product component for demos, tests and load runs.

It plays an external card acquirer: its own durable ledger in Redis under its
own key prefix (so the OMS and it can be reconciled like with a real one),
latency, declines, authorisations that expire, and the case that makes
idempotency matter: it records the effect and the caller still sees a timeout.

Every random choice is a function of the seed and the idempotency key (and,
for timeouts, of the attempt number the ledger counts), so a run is
reproducible, and a retry of a declined authorisation is declined again.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from dataclasses import dataclass

import redis.asyncio as aioredis

from oms_actors.domain.enums import PaymentMethod
from oms_actors.domain.money import Money
from oms_actors.domain.records import token_hint
from oms_actors.payments.base import LedgerProvider
from oms_actors.payments.clock import DAY_MS, Clock, system_clock_ms
from oms_actors.payments.errors import PaymentTimeoutError
from oms_actors.payments.ledger import LedgerMode, Recorded


@dataclass(frozen=True, kw_only=True, slots=True)
class SimulatedCardConfig:
    latency_ms: float = 0.0
    jitter_ms: float = 0.0  # uniform in [0, jitter_ms), added to latency_ms
    # Tokens starting with the marker are declined; what follows it is the reason
    # ("tok_decline_insufficient_funds" -> "insufficient_funds"), else "card_declined".
    decline_marker: str = "tok_decline"
    decline_rate: float = 0.0  # share of other authorisations declined ("do_not_honor")
    decline_above: Money | None = None  # authorisations above this amount (same currency) are declined
    timeout_rate: float = 0.0  # share of calls whose effect is recorded but whose answer is lost
    timeout_after_ms: float = 0.0  # how long a caller waits before it sees the timeout
    authorization_lifetime_ms: int | None = 7 * DAY_MS  # card networks let holds lapse after days
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("decline_rate", "timeout_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be within 0..1")
        if self.latency_ms < 0 or self.jitter_ms < 0 or self.timeout_after_ms < 0:
            raise ValueError("latency, jitter and timeout wait cannot be negative")


def _unit(*parts: object) -> float:
    """A uniform draw in [0, 1) fixed by its parts."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


class SimulatedCardProvider(LedgerProvider):
    MODE = LedgerMode.NONE

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        config: SimulatedCardConfig = SimulatedCardConfig(),
        name: str = "card-sim",
        clock: Clock = system_clock_ms,
    ) -> None:
        super().__init__(
            client,
            name=name,
            method=PaymentMethod.CARD,
            clock=clock,
            authorization_lifetime_ms=config.authorization_lifetime_ms,
        )
        self.config = config
        self._jitter = random.Random(config.seed)

    def _account(self, *, customer_id: str, instrument_token: str, amount: Money) -> str:
        # Only the last digits, as on a receipt: the token itself is never stored.
        return token_hint(instrument_token)

    async def _decline_reason(self, key: str, *, customer_id: str, instrument_token: str, amount: Money) -> str:
        cfg = self.config
        if cfg.decline_marker and instrument_token.startswith(cfg.decline_marker):
            return instrument_token[len(cfg.decline_marker) :].strip("_-") or "card_declined"
        limit = cfg.decline_above
        if limit is not None and limit.currency == amount.currency and amount.amount_minor > limit.amount_minor:
            return "amount_over_limit"
        if cfg.decline_rate and _unit(cfg.seed, "decline", key) < cfg.decline_rate:
            return "do_not_honor"
        return ""

    async def _before(self, operation: str, key: str) -> None:
        cfg = self.config
        delay_ms = cfg.latency_ms + (self._jitter.random() * cfg.jitter_ms if cfg.jitter_ms else 0.0)
        if delay_ms > 0:
            await asyncio.sleep(delay_ms / 1000)

    async def _after(self, operation: str, key: str, recorded: Recorded) -> None:
        cfg = self.config
        if cfg.timeout_rate and _unit(cfg.seed, "timeout", operation, key, recorded.attempt) < cfg.timeout_rate:
            if cfg.timeout_after_ms > 0:
                await asyncio.sleep(cfg.timeout_after_ms / 1000)
            raise PaymentTimeoutError(
                f"{self.name}: no answer to {operation} {key!r} (attempt {recorded.attempt}); retry with the same key",
                provider=self.name,
                operation=operation,
                idempotency_key=key,
            )
