"""Goodwill over gRPC: money back without a return, to the card with a credit note, or as store credit."""

from __future__ import annotations

import grpc
import pytest

from gateway.auth import Role
from protos.oms.v1 import billing_pb2, customers_pb2, orders_pb2
from tests.integration.support import World, eur
from tests.integration.test_billing import as_role, billing
from tests.integration.test_lifecycle import card
from tests.integration.test_returns_and_360 import delivered
from tests.integration.waiting import settled
from tests.security.kit import refusal

pytestmark = pytest.mark.integration

REFUND, STORE_CREDIT = orders_pb2.RETURN_RESOLUTION_REFUND, orders_pb2.RETURN_RESOLUTION_STORE_CREDIT


def goodwill(order_id: str, key: str, amount: int, resolution: int = REFUND, reason: str = "parcel arrived late"):
    return orders_pb2.GrantGoodwillRequest(
        order_id=order_id, goodwill_id=key, amount=eur(amount), reason=reason, resolution=resolution
    )


async def test_goodwill_goes_back_to_the_card_with_a_credit_note_and_never_beyond_what_was_paid(world: World):
    standard, reduced = await world.sku({"T-DC-NORTH": 5}), await world.sku({"T-DC-NORTH": 5})
    customer = await world.customer()
    request = card(world.order(customer, [(standard, 2), (reduced, 1)], price=1_000))
    request.lines[0].tax_rate_bps, request.lines[1].tax_rate_bps = 1_900, 700
    placed = (await world.orders.CreateOrder(request)).order

    # Nothing paid yet (nothing shipped): no goodwill to give.
    code, reason, _ = await refusal(world.orders.GrantGoodwill(goodwill(placed.order_id, World.unique("gw"), 100)))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "INVALID_TRANSITION")
    order = await delivered(world, placed)
    [shipment] = order.shipments

    # Checked by field, nothing changed.
    bad = goodwill(order.order_id, World.unique("gw"), 0, resolution=orders_pb2.RETURN_RESOLUTION_REPLACEMENT, reason=" ")
    code, _, fields = await refusal(world.orders.GrantGoodwill(bad))
    assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, {"amount.amount_minor", "resolution", "reason"})
    dollars = goodwill(order.order_id, World.unique("gw"), 100)
    dollars.amount.currency = "USD"
    code, _, fields = await refusal(world.orders.GrantGoodwill(dollars))
    assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, {"amount.currency"})

    key = World.unique("gw")
    given = await world.orders.GrantGoodwill(goodwill(order.order_id, key, 600))
    assert given.version == (await world.orders.GrantGoodwill(goodwill(order.order_id, key, 600))).version  # a retry
    done = await settled(world, order.order_id)
    [gw] = done.goodwill
    assert (gw.goodwill_id, gw.amount, gw.refunded, gw.reason) == (key, eur(600), eur(600), "parcel arrived late")
    assert gw.HasField("paid_at") and gw.granted_by.startswith("admin:") and done.payment_status[0].refunded == eur(600)
    [number] = gw.credit_notes
    note = await billing(world).GetCreditNote(billing_pb2.GetCreditNoteRequest(number=number))
    # 600 off an invoice of 2,000 at 19% and 1,000 at 7%: 400 and 200, and their tax.
    assert (note.invoice_number, note.total, note.reason) == (shipment.invoice_number, eur(600), "goodwill: parcel arrived late")
    assert [(t.rate_bps, t.gross.amount_minor) for t in note.taxes] == [(700, 200), (1_900, 400)]

    # The same key with other terms, or more than is left of the 3,000 paid: refused, nothing changed.
    code, reason, _ = await refusal(world.orders.GrantGoodwill(goodwill(order.order_id, key, 700)))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "GOODWILL_ID_REUSED")
    code, reason, _ = await refusal(world.orders.GrantGoodwill(goodwill(order.order_id, World.unique("gw"), 2_401)))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "MORE_THAN_PAID")
    assert (await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id))).version == done.version

    # As store credit: a voucher on the customer's account, the invoice stands.
    voucher = await world.orders.GrantGoodwill(goodwill(order.order_id, World.unique("gw"), 500, STORE_CREDIT, "sorry"))
    credited = (await settled(world, voucher.order_id)).goodwill[1]
    assert (credited.store_credit, credited.refunded, list(credited.credit_notes)) == (eur(500), eur(0), [])
    view = await world.customers.GetCustomer360(customers_pb2.GetCustomer360Request(customer_id=customer))
    assert view.store_credit == eur(500)
    code, reason, _ = await refusal(world.orders.GrantGoodwill(goodwill(order.order_id, World.unique("gw"), 1_901)))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "MORE_THAN_PAID")  # 3,000 - 600 - 500 left


async def test_service_agents_give_goodwill_up_to_the_rules_share_of_the_order_and_admins_beyond(world: World, oms):
    original = await world.orders.GetRiskRules(orders_pb2.GetRiskRulesRequest())
    if original.version == 0:
        assert original.agent_goodwill_limit_percent == 20  # the default
    rules = orders_pb2.RiskRules()
    rules.CopyFrom(original)
    rules.agent_goodwill_limit_percent = 20  # read at each grant: in effect at once
    await world.orders.SetRiskRules(orders_pb2.SetRiskRulesRequest(rules=rules))
    sku = await world.sku({"T-DC-NORTH": 5})
    customer = await world.customer()
    order = await delivered(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)], price=2_000)))).order)
    agent = await as_role(oms, Role.SERVICE_AGENT)
    try:
        first = goodwill(order.order_id, World.unique("gw"), 300)
        await agent.orders.GrantGoodwill(first)
        await agent.orders.GrantGoodwill(first)  # a retry counts once
        code, reason, _ = await refusal(agent.orders.GrantGoodwill(goodwill(order.order_id, World.unique("gw"), 101)))
        assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "GOODWILL_LIMIT")  # 401 > 20% of 2,000
        assert len((await settled(world, order.order_id)).goodwill) == 1
        await agent.orders.GrantGoodwill(goodwill(order.order_id, World.unique("gw"), 100))  # 400: the limit itself
        await world.orders.GrantGoodwill(goodwill(order.order_id, World.unique("gw"), 500))  # an admin may give more
        assert sum(g.amount.amount_minor for g in (await settled(world, order.order_id)).goodwill) == 900
    finally:
        await agent.close()
        await world.orders.SetRiskRules(orders_pb2.SetRiskRulesRequest(rules=original))


async def test_an_agent_s_own_goodwill_limit_stands_in_for_the_rules(world: World, oms):
    """A supervisor's key may give more than the rules' share; a trainee's less."""
    original = await world.orders.GetRiskRules(orders_pb2.GetRiskRulesRequest())
    rules = orders_pb2.RiskRules()
    rules.CopyFrom(original)
    rules.agent_goodwill_limit_percent = 20
    await world.orders.SetRiskRules(orders_pb2.SetRiskRulesRequest(rules=rules))
    sku = await world.sku({"T-DC-NORTH": 5})
    order = await delivered(
        world, (await world.orders.CreateOrder(card(world.order(await world.customer(), [(sku, 1)], price=2_000)))).order
    )
    supervisor = await as_role(oms, Role.SERVICE_AGENT, goodwill_limit_percent=50)
    trainee = await as_role(oms, Role.SERVICE_AGENT, goodwill_limit_percent=5)
    try:
        code, reason, _ = await refusal(trainee.orders.GrantGoodwill(goodwill(order.order_id, World.unique("gw"), 101)))
        assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "GOODWILL_LIMIT")  # 101 > 5% of 2,000
        await supervisor.orders.GrantGoodwill(goodwill(order.order_id, World.unique("gw"), 900))  # 45%: past the rules' 20%
        code, reason, _ = await refusal(supervisor.orders.GrantGoodwill(goodwill(order.order_id, World.unique("gw"), 101)))
        assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "GOODWILL_LIMIT")  # 1,001 > 50%
        assert [g.amount.amount_minor for g in (await settled(world, order.order_id)).goodwill] == [900]
    finally:
        await supervisor.close()
        await trainee.close()
        await world.orders.SetRiskRules(orders_pb2.SetRiskRulesRequest(rules=original))


async def test_a_closed_order_is_given_goodwill_and_stays_closed(world: World, oms):
    sku = await world.sku({"T-DC-NORTH": 5})
    customer = await world.customer()
    order = await delivered(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)], price=2_000)))).order)
    shard = oms.actors.orders[oms.backend.orders.shard(order.order_id)]
    assert await shard.close_settled.remote(window_ms=0) >= 1  # the return window is over
    assert (await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id))).status == orders_pb2.ORDER_STATUS_CLOSED

    key = World.unique("gw")
    await world.orders.GrantGoodwill(goodwill(order.order_id, key, 500, reason="stopped working after six weeks"))
    done = await settled(world, order.order_id)
    assert done.status == orders_pb2.ORDER_STATUS_CLOSED and not done.pending_steps
    [gw] = done.goodwill
    assert gw.refunded == eur(500) and len(gw.credit_notes) == 1 and done.payment_status[0].refunded == eur(500)
