"""Cash on delivery and cash in store: authorising moves no money, capturing records cash collected.

The ledger still matters: it is what the till or the carrier's remittance is
reconciled against, and a void says the cash will not be collected.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from oms_actors.domain.enums import PaymentMethod
from oms_actors.payments.base import LedgerProvider
from oms_actors.payments.clock import Clock, system_clock_ms
from oms_actors.payments.ledger import LedgerMode

CASH_METHODS = frozenset({PaymentMethod.CASH_ON_DELIVERY, PaymentMethod.CASH_IN_STORE})


class CashProvider(LedgerProvider):
    MODE = LedgerMode.NONE

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        method: PaymentMethod = PaymentMethod.CASH_ON_DELIVERY,
        name: str | None = None,
        clock: Clock = system_clock_ms,
    ) -> None:
        if method not in CASH_METHODS:
            raise ValueError(f"{method} is not a cash method")
        super().__init__(client, name=name or method.value.replace("_", "-"), method=method, clock=clock)
