"""Customers: one record per customer, whatever channel they buy in."""

from __future__ import annotations

from dataclasses import dataclass

from oms_actors.domain.commands import Address
from oms_actors.domain.enums import CustomerType
from oms_actors.domain.money import Money


@dataclass(frozen=True, kw_only=True, slots=True)
class Customer:
    customer_id: str
    type: CustomerType
    name: str = ""
    email: str = ""
    phone: str = ""
    default_address: Address | None = None
    credit_limit: Money | None = None
    payment_terms_days: int | None = None  # days an invoice on account is due after; None: the service's default
    created_at_ms: int = 0
    updated_at_ms: int = 0
    erased_at_ms: int = 0  # its personal data erased on request (CustomerService.EraseCustomer)
    # Erasure asked for while orders were open (EraseCustomer ``when_orders_close``): its data
    # goes once the last is over (``gateway.erasure``); 0: not asked, or erased at once.
    erasure_requested_at_ms: int = 0
