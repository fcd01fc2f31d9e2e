"""Which provider takes which payment method, configured in one place.

The order shard asks ``payments.providers.for_method(method)`` and sees only
the ``PaymentProvider`` interface; what is not a provider operation (issuing
gift cards, granting store credit, recording invoice payments, writing
invoices and credit notes) hangs off ``Payments`` by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import redis.asyncio as aioredis

from oms_actors.domain.enums import PaymentMethod
from oms_actors.payments.cash import CashProvider
from oms_actors.payments.clock import Clock, system_clock_ms
from oms_actors.payments.documents import DocumentRegister
from oms_actors.payments.errors import PaymentMethodNotConfiguredError
from oms_actors.payments.gift_cards import GiftCardProvider
from oms_actors.payments.invoice import (
    CreditLimits,
    PayOnInvoiceProvider,
    Receivables,
    customer_credit_limits,
    customer_payment_terms,
)
from oms_actors.payments.provider import PaymentProvider
from oms_actors.payments.simulated_card import SimulatedCardConfig, SimulatedCardProvider
from oms_actors.payments.store_credit import StoreCreditProvider


class PaymentProviders:
    def __init__(self, providers: Mapping[PaymentMethod, PaymentProvider]) -> None:
        for method, provider in providers.items():
            if provider.method is not method:
                raise ValueError(f"{provider.name} takes {provider.method}, not {method}")
        self._providers = dict(providers)

    def for_method(self, method: PaymentMethod) -> PaymentProvider:
        try:
            return self._providers[method]
        except KeyError:
            raise PaymentMethodNotConfiguredError(f"no provider takes {method.value} payments", method=method) from None

    @property
    def methods(self) -> frozenset[PaymentMethod]:
        return frozenset(self._providers)

    def __contains__(self, method: object) -> bool:
        return method in self._providers


@dataclass(frozen=True, kw_only=True, slots=True)
class PaymentsConfig:
    card: SimulatedCardConfig = field(default_factory=SimulatedCardConfig)
    payment_terms_days: int = 30
    hold_lifetime_ms: int | None = None  # gift card and store credit holds; None: until captured or voided
    # Prefixed to every provider name and the document register: separate ledgers
    # for separate simulations (or test runs) on one Redis.
    namespace: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class Payments:
    providers: PaymentProviders
    card: SimulatedCardProvider
    gift_cards: GiftCardProvider
    store_credit: StoreCreditProvider
    invoice: PayOnInvoiceProvider
    cash_on_delivery: CashProvider
    cash_in_store: CashProvider
    documents: DocumentRegister

    @property
    def receivables(self) -> Receivables:
        return self.invoice.receivables


def build_payments(
    client: aioredis.Redis,
    *,
    config: PaymentsConfig = PaymentsConfig(),
    credit_limits: CreditLimits | None = None,
    clock: Clock = system_clock_ms,
) -> Payments:
    """The standard set: the simulated card acquirer, gift cards, store credit, pay on invoice, cash.

    Credit limits default to the customer's record (``CustomerService``).
    """
    ns = f"{config.namespace}-" if config.namespace else ""
    card = SimulatedCardProvider(client, config=config.card, name=f"{ns}card-sim", clock=clock)
    gift_cards = GiftCardProvider(client, name=f"{ns}gift-card", clock=clock, hold_lifetime_ms=config.hold_lifetime_ms)
    store_credit = StoreCreditProvider(
        client, name=f"{ns}store-credit", clock=clock, hold_lifetime_ms=config.hold_lifetime_ms
    )
    invoice = PayOnInvoiceProvider(
        client,
        credit_limits=credit_limits or customer_credit_limits(client),
        payment_terms_days=customer_payment_terms(client, config.payment_terms_days),
        name=f"{ns}invoice",
        clock=clock,
    )
    cod = CashProvider(client, method=PaymentMethod.CASH_ON_DELIVERY, name=f"{ns}cash-on-delivery", clock=clock)
    cash_in_store = CashProvider(client, method=PaymentMethod.CASH_IN_STORE, name=f"{ns}cash-in-store", clock=clock)
    providers = PaymentProviders(
        {
            PaymentMethod.CARD: card,
            PaymentMethod.GIFT_CARD: gift_cards,
            PaymentMethod.STORE_CREDIT: store_credit,
            PaymentMethod.INVOICE: invoice,
            PaymentMethod.CASH_ON_DELIVERY: cod,
            PaymentMethod.CASH_IN_STORE: cash_in_store,
        }
    )
    return Payments(
        providers=providers,
        card=card,
        gift_cards=gift_cards,
        store_credit=store_credit,
        invoice=invoice,
        cash_on_delivery=cod,
        cash_in_store=cash_in_store,
        documents=DocumentRegister(client, namespace=f"{ns}docs", clock=clock),
    )
