"""Errors of the payment side. Each derives from the domain class whose gRPC status fits.

A decline is not an error: it is a result (``status = declined``) the provider
remembers under its idempotency key. Errors here mean nothing was written,
except ``PaymentTimeoutError``, which means "unknown: retry with the same key".
"""

from __future__ import annotations

from oms_actors.domain.enums import PaymentMethod
from oms_actors.domain.errors import FailedPreconditionError, OmsError, UnavailableError
from oms_actors.domain.money import Money


class PaymentIdempotencyConflictError(OmsError):
    """The key was used before for this operation with different arguments."""

    code = "IDEMPOTENCY_KEY_REUSED"

    def __init__(self, message: str, *, provider: str, operation: str, idempotency_key: str) -> None:
        super().__init__(message)
        self.provider = provider
        self.operation = operation
        self.idempotency_key = idempotency_key


class PaymentTimeoutError(UnavailableError):
    """The provider did not answer in time. It may have recorded the effect: retry with the same key."""

    def __init__(self, message: str, *, provider: str, operation: str, idempotency_key: str) -> None:
        super().__init__(message, dependency=f"payment provider {provider}")
        self.provider = provider
        self.operation = operation
        self.idempotency_key = idempotency_key


class AuthorizationExpiredError(FailedPreconditionError):
    """Distinct from the other refusals so the caller knows to re-authorise."""

    def __init__(self, message: str, *, authorization_id: str, expired_at_ms: int) -> None:
        super().__init__(message, code="AUTHORIZATION_EXPIRED")
        self.authorization_id = authorization_id
        self.expired_at_ms = expired_at_ms


class AuthorizationNotOpenError(FailedPreconditionError):
    """The authorisation was declined or voided; nothing can be captured or voided on it."""

    def __init__(self, message: str, *, authorization_id: str, state: str) -> None:
        super().__init__(message, code="AUTHORIZATION_NOT_OPEN")
        self.authorization_id = authorization_id
        self.state = state


class CaptureExceedsAuthorizationError(FailedPreconditionError):
    def __init__(self, message: str, *, authorization_id: str, requested: Money, remaining: Money) -> None:
        super().__init__(message, code="CAPTURE_EXCEEDS_AUTHORIZATION")
        self.authorization_id = authorization_id
        self.requested = requested
        self.remaining = remaining


class RefundExceedsCaptureError(FailedPreconditionError):
    def __init__(self, message: str, *, capture_id: str, requested: Money, refundable: Money) -> None:
        super().__init__(message, code="REFUND_EXCEEDS_CAPTURE")
        self.capture_id = capture_id
        self.requested = requested
        self.refundable = refundable


class PaymentExceedsReceivableError(FailedPreconditionError):
    def __init__(self, message: str, *, capture_id: str, requested: Money, open_amount: Money) -> None:
        super().__init__(message, code="PAYMENT_EXCEEDS_RECEIVABLE")
        self.capture_id = capture_id
        self.requested = requested
        self.open_amount = open_amount


class AccountExistsError(FailedPreconditionError):
    """A gift card number was issued before (under another key)."""

    def __init__(self, message: str, *, account: str) -> None:
        super().__init__(message, code="ACCOUNT_EXISTS")
        self.account = account


class CreditNoteExceedsInvoiceError(FailedPreconditionError):
    def __init__(self, message: str, *, invoice_number: str, requested: Money, creditable: Money) -> None:
        super().__init__(message, code="CREDIT_NOTE_EXCEEDS_INVOICE")
        self.invoice_number = invoice_number
        self.requested = requested
        self.creditable = creditable


class PaymentMethodNotConfiguredError(FailedPreconditionError):
    def __init__(self, message: str, *, method: PaymentMethod) -> None:
        super().__init__(message, code="PAYMENT_METHOD_NOT_CONFIGURED")
        self.method = method
