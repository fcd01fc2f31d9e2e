"""Store credit: a balance per customer and currency, paid from through the provider interface.

Granted with a reference (a goodwill gesture, a return refunded as store
credit), which is also the grant's idempotency key: the same reference never
grants twice. As a payment method it works like a gift card whose number is
the customer; the instrument token is not used.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from oms_actors.domain.enums import PaymentMethod
from oms_actors.domain.money import Money
from oms_actors.payments.base import LedgerProvider
from oms_actors.payments.clock import Clock, system_clock_ms
from oms_actors.payments.ledger import LedgerMode, check_amount, check_id, check_key, fingerprint
from oms_actors.payments.results import AccountBalance, Credit
from oms_actors.store import keys


def store_credit_account(customer_id: str, currency: str) -> str:
    return f"{customer_id}{keys.SEP}{currency}"


class StoreCreditProvider(LedgerProvider):
    MODE = LedgerMode.HOLD

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        name: str = "store-credit",
        clock: Clock = system_clock_ms,
        hold_lifetime_ms: int | None = None,
    ) -> None:
        super().__init__(
            client,
            name=name,
            method=PaymentMethod.STORE_CREDIT,
            clock=clock,
            authorization_lifetime_ms=hold_lifetime_ms,
        )

    def _account(self, *, customer_id: str, instrument_token: str, amount: Money) -> str:
        return store_credit_account(customer_id, amount.currency)

    async def grant(self, reference: str, *, customer_id: str, amount: Money, reason: str = "") -> Credit:
        """Adds ``amount`` to the customer's store credit, once per ``reference``."""
        check_key(reference)
        check_id(customer_id, "customer_id")
        check_amount(amount)
        recorded = await self._ledger.credit(
            reference,
            fingerprint=fingerprint("grant", customer_id, amount.amount_minor, amount.currency, reason),
            now_ms=self._clock(),
            account=store_credit_account(customer_id, amount.currency),
            amount=amount,
            customer_id=customer_id,
            reason=reason,
        )
        return recorded.result

    async def balance(self, customer_id: str, currency: str) -> AccountBalance:
        found = await self._ledger.balance(store_credit_account(customer_id, currency))
        if found is not None:
            return found
        zero = Money.zero(currency)
        return AccountBalance(account=store_credit_account(customer_id, currency), available=zero, held=zero)
