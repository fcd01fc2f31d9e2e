"""The money side of the order lifecycle: payment providers, their Redis ledgers, invoices and credit notes.

The order shard pays through ``PaymentProvider`` (``provider.py``), one per
payment method, found with ``Payments.providers.for_method``. Every operation
is idempotent by the caller's key and atomic in Redis, so a retry, including
one after a timeout whose effect was recorded, never charges twice.
"""

from oms_actors.payments.base import LedgerProvider
from oms_actors.payments.cash import CashProvider
from oms_actors.payments.clock import Clock, system_clock_ms
from oms_actors.payments.documents import (
    CaptureReference,
    CreditNote,
    DocumentLine,
    DocumentRegister,
    Invoice,
    RefundReference,
)
from oms_actors.payments.errors import (
    AccountExistsError,
    AuthorizationExpiredError,
    AuthorizationNotOpenError,
    CaptureExceedsAuthorizationError,
    CreditNoteExceedsInvoiceError,
    PaymentExceedsReceivableError,
    PaymentIdempotencyConflictError,
    PaymentMethodNotConfiguredError,
    PaymentTimeoutError,
    RefundExceedsCaptureError,
)
from oms_actors.payments.gift_cards import GiftCardProvider
from oms_actors.payments.invoice import (
    AccountPosition,
    CreditLimits,
    CustomerReceivables,
    PayOnInvoiceProvider,
    Receivable,
    Receivables,
    customer_credit_limits,
    customer_payment_terms,
    fixed_credit_limits,
)
from oms_actors.payments.ledger import LedgerEvent, ReceivablePayment
from oms_actors.payments.provider import PaymentProvider, ReconcilableProvider
from oms_actors.payments.registry import PaymentProviders, Payments, PaymentsConfig, build_payments
from oms_actors.payments.results import (
    AccountBalance,
    Authorization,
    AuthorizationLedger,
    AuthorizationState,
    Capture,
    CaptureLedger,
    Credit,
    PaymentStatus,
    Refund,
    Void,
)
from oms_actors.payments.simulated_card import SimulatedCardConfig, SimulatedCardProvider
from oms_actors.payments.store_credit import StoreCreditProvider

__all__ = [
    "AccountBalance", "AccountPosition", "AccountExistsError", "Authorization", "AuthorizationExpiredError", "AuthorizationLedger",
    "AuthorizationNotOpenError", "AuthorizationState", "Capture", "CaptureExceedsAuthorizationError",
    "CaptureLedger", "CaptureReference", "CashProvider", "Clock", "Credit", "CreditLimits", "CreditNote",
    "CreditNoteExceedsInvoiceError", "CustomerReceivables", "DocumentLine", "DocumentRegister", "GiftCardProvider",
    "Invoice", "LedgerEvent", "LedgerProvider", "PayOnInvoiceProvider", "PaymentExceedsReceivableError",
    "PaymentIdempotencyConflictError", "PaymentMethodNotConfiguredError", "PaymentProvider", "PaymentProviders",
    "PaymentStatus", "PaymentTimeoutError", "Payments", "PaymentsConfig", "ReceivablePayment", "Receivable",
    "Receivables", "ReconcilableProvider", "Refund", "RefundExceedsCaptureError", "RefundReference",
    "SimulatedCardConfig", "SimulatedCardProvider", "StoreCreditProvider", "Void", "build_payments",
    "customer_credit_limits", "customer_payment_terms", "fixed_credit_limits", "system_clock_ms",
]  # fmt: skip
