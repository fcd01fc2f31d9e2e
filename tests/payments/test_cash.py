"""Cash on delivery and in store: authorising moves nothing, capturing records cash collected."""

from __future__ import annotations

import pytest

from oms_actors.domain.enums import PaymentMethod
from oms_actors.payments import CashProvider, RefundExceedsCaptureError
from tests.payments.support import eur, fresh_name


@pytest.mark.parametrize("method", [PaymentMethod.CASH_ON_DELIVERY, PaymentMethod.CASH_IN_STORE])
async def test_cash_records_collection_and_pay_back(redis_client, clock, method):
    cash = CashProvider(redis_client, method=method, name=fresh_name("cash"), clock=clock)
    assert cash.method is method
    auth = await cash.authorize("o1/auth", customer_id="c1", instrument_token="", amount=eur(4_990))
    assert auth.approved and auth.expires_at_ms is None
    collected = await cash.capture("o1/delivery/1", authorization_id=auth.authorization_id, amount=eur(4_990))
    assert await cash.capture("o1/delivery/1", authorization_id=auth.authorization_id, amount=eur(4_990)) == collected
    await cash.refund("o1/rma/1", capture_id=collected.capture_id, amount=eur(990))
    with pytest.raises(RefundExceedsCaptureError):
        await cash.refund("o1/rma/2", capture_id=collected.capture_id, amount=eur(4_001))
    ledger = await cash.ledger(auth.authorization_id)
    assert (ledger.captured, ledger.refunded, ledger.net_collected) == (eur(4_990), eur(990), eur(4_000))


def test_cash_takes_only_cash_methods(redis_client):
    with pytest.raises(ValueError):
        CashProvider(redis_client, method=PaymentMethod.CARD)
