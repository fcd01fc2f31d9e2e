"""What payment operations answer, and what a provider's ledger says: frozen values."""

from __future__ import annotations

from enum import StrEnum

import msgspec

from oms_actors.domain.enums import PaymentMethod
from oms_actors.domain.money import Money


class PaymentStatus(StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"


class AuthorizationState(StrEnum):
    """Where an authorisation stands in its provider's ledger."""

    APPROVED = "approved"  # open: what is not captured may still be captured (until it expires)
    DECLINED = "declined"
    VOIDED = "voided"  # what was not captured was released; nothing more can be captured


class Authorization(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    authorization_id: str  # the provider's reference
    provider: str
    method: PaymentMethod
    customer_id: str
    amount: Money  # as requested; held only when approved
    status: PaymentStatus
    decline_reason: str = ""
    expires_at_ms: int | None = None  # None: never expires
    created_at_ms: int = 0

    @property
    def approved(self) -> bool:
        return self.status is PaymentStatus.APPROVED


class Capture(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    capture_id: str
    authorization_id: str
    provider: str
    amount: Money
    status: PaymentStatus = PaymentStatus.APPROVED
    decline_reason: str = ""
    created_at_ms: int = 0


class Void(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    void_id: str
    authorization_id: str
    provider: str
    amount: Money  # released: what was authorised and not captured
    status: PaymentStatus = PaymentStatus.APPROVED
    created_at_ms: int = 0


class Refund(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    refund_id: str
    capture_id: str
    authorization_id: str
    provider: str
    amount: Money
    status: PaymentStatus = PaymentStatus.APPROVED
    decline_reason: str = ""
    created_at_ms: int = 0


class CaptureLedger(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    capture_id: str
    amount: Money
    refunded: Money
    created_at_ms: int

    @property
    def refundable(self) -> Money:
        return self.amount - self.refunded


class AuthorizationLedger(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One authorisation as its provider's ledger holds it, for reconciliation with the OMS.

    Always ``authorized == captured + voided + remaining``.
    """

    authorization_id: str
    provider: str
    customer_id: str
    state: AuthorizationState
    decline_reason: str
    requested: Money
    authorized: Money  # zero when declined
    captured: Money
    voided: Money
    refunded: Money
    expires_at_ms: int | None
    created_at_ms: int
    captures: tuple[CaptureLedger, ...] = ()

    @property
    def remaining(self) -> Money:
        """What may still be captured (before expiry)."""
        return self.authorized - self.captured - self.voided

    @property
    def net_collected(self) -> Money:
        return self.captured - self.refunded

    def expired(self, now_ms: int) -> bool:
        return self.expires_at_ms is not None and now_ms >= self.expires_at_ms


class AccountBalance(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A gift card's or a customer's store credit balance. ``available`` never goes negative."""

    account: str
    available: Money
    held: Money  # authorised, not yet captured or voided


class Credit(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Money put on an account: a gift card issued, store credit granted."""

    credit_id: str
    account: str
    customer_id: str
    amount: Money
    reason: str = ""
    created_at_ms: int = 0
