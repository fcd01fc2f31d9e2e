"""Gift cards: a balance per card in Redis, paid from through the provider interface.

Authorise holds part of the balance, capture spends the hold, void gives it
back, refund credits the card. The check and the hold are one script, so
concurrent authorisations can never take a card below zero.
"""

from __future__ import annotations

import secrets

import redis.asyncio as aioredis

from oms_actors.domain.enums import PaymentMethod
from oms_actors.domain.errors import FieldViolation, ValidationError
from oms_actors.domain.money import Money
from oms_actors.payments.base import LedgerProvider
from oms_actors.payments.clock import Clock, system_clock_ms
from oms_actors.payments.ledger import LedgerMode, check_amount, check_id, check_key, fingerprint
from oms_actors.payments.results import AccountBalance, Credit


class GiftCardProvider(LedgerProvider):
    MODE = LedgerMode.HOLD

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        name: str = "gift-card",
        clock: Clock = system_clock_ms,
        hold_lifetime_ms: int | None = None,
    ) -> None:
        super().__init__(
            client, name=name, method=PaymentMethod.GIFT_CARD, clock=clock, authorization_lifetime_ms=hold_lifetime_ms
        )

    def _account(self, *, customer_id: str, instrument_token: str, amount: Money) -> str:
        if not instrument_token:
            raise ValidationError.of([FieldViolation(field="instrument_token", description="the gift card number")])
        return instrument_token

    async def issue(self, key: str, *, amount: Money, card_number: str | None = None, customer_id: str = "") -> Credit:
        """Issues a card with ``amount`` on it; without a number, one is drawn. ``Credit.account`` is the number."""
        check_key(key)
        check_amount(amount)
        if card_number is not None:
            check_id(card_number, "card_number")
        # A drawn number is not part of the fingerprint: a retry draws another, and gets the first.
        number = card_number or f"gc_{secrets.token_hex(8)}"
        recorded = await self._ledger.credit(
            key,
            fingerprint=fingerprint("issue", card_number or "", amount.amount_minor, amount.currency, customer_id),
            now_ms=self._clock(),
            account=number,
            amount=amount,
            customer_id=customer_id,
            reason="issue",
            must_be_new=True,
        )
        return recorded.result

    async def load(self, key: str, *, card_number: str, amount: Money, reason: str = "load") -> Credit:
        """Adds money to an existing or new card (a top-up, or a refund paid out as a gift card)."""
        check_key(key)
        check_id(card_number, "card_number")
        check_amount(amount)
        recorded = await self._ledger.credit(
            key,
            fingerprint=fingerprint("load", card_number, amount.amount_minor, amount.currency, reason),
            now_ms=self._clock(),
            account=card_number,
            amount=amount,
            reason=reason,
        )
        return recorded.result

    async def balance(self, card_number: str) -> AccountBalance | None:
        return await self._ledger.balance(card_number)
