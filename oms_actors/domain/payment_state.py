"""What an order knows of each of its payments: authorised, captured, refunded. Pure.

The provider's ledger is the other side of every number here; every change is
made with an idempotency key derived from the order, so the two can always be
reconciled and a retried step never moves money twice.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec

from oms_actors.domain.enums import PaymentMethod
from oms_actors.domain.money import Money
from oms_actors.domain.records import evolve, repr_hiding, token_hint


class PaymentStatus(StrEnum):
    PENDING = "pending"  # not yet authorised
    AUTHORIZED = "authorized"
    DECLINED = "declined"
    PARTLY_CAPTURED = "partly_captured"
    CAPTURED = "captured"
    VOIDED = "voided"  # given back whole, nothing captured


class Receipt(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Money a customer paying on account sent against one of the order's invoices
    (BillingService.RecordInvoicePayment), as the order shows it to service staff."""

    receipt_id: str  # the ledger's payment id: an order records it once
    invoice_number: str
    amount: Money
    received_at_ms: int


class OverdueNotice(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One of the order's invoices went past its due date unpaid (credit control's dunning)."""

    invoice_number: str
    due_at_ms: int
    open: Money  # still owed when it was noticed
    noticed_at_ms: int


class PaymentRecord(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    payment_id: str  # "P1", "P2" ... in instruction order
    method: PaymentMethod
    amount: Money  # what this instruction is to pay
    token: str = ""  # secret, never returned, published or printed (nor in the repr below)
    authorization_id: str = ""
    authorized: int = 0  # minor units
    expires_at_ms: int = 0
    captured: int = 0
    refunded: int = 0
    voided: bool = False
    declined_reason: str = ""
    attempts: int = 0  # authorisations tried; a retry uses a new key after a decline

    __repr__ = repr_hiding("token")

    @property
    def token_hint(self) -> str:
        return token_hint(self.token)

    @property
    def currency(self) -> str:
        return self.amount.currency

    @property
    def status(self) -> PaymentStatus:
        if self.declined_reason and not self.authorization_id:
            return PaymentStatus.DECLINED
        if not self.authorization_id:
            return PaymentStatus.PENDING
        if self.voided:
            # Settled: what was needed is captured and the rest given back; nothing captured is a void.
            return PaymentStatus.CAPTURED if self.captured else PaymentStatus.VOIDED
        if self.captured == 0:
            return PaymentStatus.AUTHORIZED
        return PaymentStatus.CAPTURED if self.captured >= self.authorized else PaymentStatus.PARTLY_CAPTURED

    @property
    def capturable(self) -> int:
        return 0 if self.voided or not self.authorization_id else self.authorized - self.captured

    @property
    def refundable(self) -> int:
        return self.captured - self.refunded

    def authorization_key(self, order_id: str) -> str:
        return f"{order_id}:{self.payment_id}:auth:{self.attempts}"

    def with_(self, **changes: object) -> PaymentRecord:
        return evolve(self, **changes)


def plan_captures(records: tuple[PaymentRecord, ...], amount: int) -> list[tuple[str, int]]:
    """How a shipment worth ``amount`` is paid: from each payment's authorised rest, in order.

    Instruction order is the customer's: a gift card listed first is spent first.
    Raises ValueError when the authorisations cannot cover it (a bug upstream:
    shipping is allowed only once payments are authorised for the whole order).
    """
    plan: list[tuple[str, int]] = []
    left = amount
    for record in records:
        if left <= 0:
            break
        take = min(record.capturable, left)
        if take > 0:
            plan.append((record.payment_id, take))
            left -= take
    if left > 0:
        raise ValueError(f"authorised payments cover {amount - left} of {amount}")
    return plan


def plan_refunds(records: tuple[PaymentRecord, ...], amount: int) -> list[tuple[str, int]]:
    """A refund goes back to the original methods, newest capture last spent first (reverse order)."""
    plan: list[tuple[str, int]] = []
    left = amount
    for record in reversed(records):
        if left <= 0:
            break
        take = min(record.refundable, left)
        if take > 0:
            plan.append((record.payment_id, take))
            left -= take
    if left > 0:
        raise ValueError(f"captured payments cover {amount - left} of a {amount} refund")
    return plan
