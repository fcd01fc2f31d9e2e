"""Everything lives in Redis: after a restart of Redis and of the caller, retries still replay."""

from __future__ import annotations

from oms_actors.payments import PaymentsConfig, build_payments, fixed_credit_limits
from oms_actors.store.connection import EmbeddedRedis, connect_async
from tests.payments.support import FakeClock, eur


async def test_ledgers_balances_and_numbering_survive_a_restart(tmp_path):
    server = EmbeddedRedis(tmp_path / "redis", appendfsync="always")
    server.start()
    try:
        clock = FakeClock()
        client = connect_async(server.url)
        payments = build_payments(client, config=PaymentsConfig(namespace="restart"),
                                  credit_limits=fixed_credit_limits({}), clock=clock)  # fmt: skip
        auth = await payments.card.authorize(
            "o1/auth", customer_id="c1", instrument_token="tok_visa_4242", amount=eur(900)
        )
        cap = await payments.card.capture("o1/ship/1", authorization_id=auth.authorization_id, amount=eur(400))
        card = await payments.gift_cards.issue("gc", amount=eur(500))
        hold = await payments.gift_cards.authorize(
            "o2/auth", customer_id="c1", instrument_token=card.account, amount=eur(200)
        )
        from oms_actors.payments import DocumentLine

        lines = (DocumentLine.of(sku="A", quantity=1, unit_price=eur(400)),)
        inv = await payments.documents.write_invoice("o1/ship/1", order_id="o1", shipment_id="1", customer_id="c1",
                                                     lines=lines)  # fmt: skip
        await client.aclose()

        server.stop(hard=True)  # as a crash: only what fsync'd AOF holds comes back
        server.start()

        client = connect_async(server.url)
        again = build_payments(client, config=PaymentsConfig(namespace="restart"),
                               credit_limits=fixed_credit_limits({}), clock=clock)  # fmt: skip
        assert await again.card.capture("o1/ship/1", authorization_id=auth.authorization_id, amount=eur(400)) == cap
        ledger = await again.card.ledger(auth.authorization_id)
        assert (ledger.authorized, ledger.captured) == (eur(900), eur(400))
        balance = await again.gift_cards.balance(card.account)
        assert (balance.available, balance.held) == (eur(300), eur(200))
        assert (await again.gift_cards.void("o2/void", authorization_id=hold.authorization_id)).amount == eur(200)
        assert await again.documents.write_invoice("o1/ship/1", order_id="o1", shipment_id="1", customer_id="c1",
                                                   lines=lines) == inv  # fmt: skip
        nxt = await again.documents.write_invoice("o2/ship/1", order_id="o2", shipment_id="1", customer_id="c1",
                                                  lines=lines)  # fmt: skip
        assert nxt.number == "INV-2026-000002"
        await client.aclose()
    finally:
        server.stop(hard=True)
