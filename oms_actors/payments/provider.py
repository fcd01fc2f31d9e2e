"""The interface the order shard pays through: one provider per payment method.

Every operation is idempotent by the caller's key, per operation: the same key
with the same arguments answers the same result and never has a second effect;
the same key with other arguments raises ``PaymentIdempotencyConflictError``.
A ``PaymentTimeoutError`` (or ``UnavailableError``) leaves the outcome unknown:
retry with the same key and the provider answers what it did, or does it now.

A decline is a result (``status`` declined, with a reason), remembered like an
approval. Refusals that are the caller's mistake or the state's (capturing more
than is left, after expiry, refunding more than was captured) raise and change
nothing.
"""

from __future__ import annotations

from typing import AsyncIterator, Protocol, runtime_checkable

from oms_actors.domain.enums import PaymentMethod
from oms_actors.domain.money import Money
from oms_actors.payments.results import Authorization, AuthorizationLedger, Capture, Refund, Void


@runtime_checkable
class PaymentProvider(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def method(self) -> PaymentMethod: ...

    async def authorize(self, key: str, *, customer_id: str, instrument_token: str, amount: Money) -> Authorization:
        """Reserves ``amount`` for later captures; declines answer a declined ``Authorization``."""
        ...

    async def capture(self, key: str, *, authorization_id: str, amount: Money) -> Capture:
        """Takes part or all of what is left on an authorisation (one capture per shipment).

        Raises ``CaptureExceedsAuthorizationError`` beyond what is left and
        ``AuthorizationExpiredError`` once it expired (authorise again).
        """
        ...

    async def void(self, key: str, *, authorization_id: str) -> Void:
        """Releases what was not captured; the authorisation accepts no further capture."""
        ...

    async def refund(self, key: str, *, capture_id: str, amount: Money) -> Refund:
        """Gives back part or all of a capture; ``RefundExceedsCaptureError`` beyond what is left of it."""
        ...


@runtime_checkable
class ReconcilableProvider(PaymentProvider, Protocol):
    """A provider whose own ledger can be read, to reconcile the OMS's records against it."""

    async def ledger(self, authorization_id: str) -> AuthorizationLedger: ...

    def ledgers(self) -> AsyncIterator[AuthorizationLedger]: ...
