"""A declined card paid with another: asked for at once, and the order held for it alone goes on."""

from __future__ import annotations

import grpc
import pytest

from gateway.auth import Role
from oms_actors.domain.enums import Channel
from protos.oms.v1 import orders_pb2
from tests.integration.support import World
from tests.integration.test_billing import as_role
from tests.integration.test_lifecycle import card
from tests.integration.waiting import settled
from tests.security.kit import refusal

pytestmark = pytest.mark.integration

DECLINED = "tok_decline_insufficient_funds"


async def test_a_declined_card_replaced_by_another_is_authorised_and_the_order_released(world: World, oms):
    sku = await world.sku({"T-DC-NORTH": 5})
    customer = await world.customer()
    placed = (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)]), token=DECLINED))).order
    held = await settled(world, placed.order_id)
    assert held.status == orders_pb2.ORDER_STATUS_ON_HOLD and held.payment_status[0].status == orders_pb2.PAYMENT_STATUS_DECLINED

    code, _, fields = await refusal(
        world.orders.ReplacePaymentInstrument(orders_pb2.ReplacePaymentInstrumentRequest(order_id=held.order_id, payment_id="P1"))
    )
    assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, {"token"})
    code, _, _ = await refusal(
        world.orders.ReplacePaymentInstrument(
            orders_pb2.ReplacePaymentInstrumentRequest(order_id=held.order_id, payment_id="P7", token="tok_visa_1")
        )
    )
    assert code == grpc.StatusCode.NOT_FOUND

    # Another declined card: asked for, declined again, still held.
    again = orders_pb2.ReplacePaymentInstrumentRequest(order_id=held.order_id, payment_id="P1", token=f"{DECLINED}_2")
    still = await world.orders.ReplacePaymentInstrument(again)
    assert still.status == orders_pb2.ORDER_STATUS_ON_HOLD and still.payment_status[0].status == orders_pb2.PAYMENT_STATUS_DECLINED

    # The customer's own session pays with a good card: authorised, the order goes on.
    shopper = await as_role(oms, Role.CUSTOMER, customer_id=customer)
    try:
        good = orders_pb2.ReplacePaymentInstrumentRequest(order_id=held.order_id, payment_id="P1", token=World.unique("tok_visa"))
        paid = await shopper.orders.ReplacePaymentInstrument(good)
        assert (await shopper.orders.ReplacePaymentInstrument(good)).version >= paid.version  # a retry: nothing new
    finally:
        await shopper.close()
    released = await settled(world, held.order_id)
    assert released.status == orders_pb2.ORDER_STATUS_RELEASED
    assert released.payment_status[0].status == orders_pb2.PAYMENT_STATUS_AUTHORIZED
    assert released.approval.decided_by == "payment-updated" and released.payments[0].token_hint == good.token[-4:]
    # Authorised now: nothing more to replace; another channel's key sees no such order.
    code, reason, _ = await refusal(world.orders.ReplacePaymentInstrument(again))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "PAYMENT_NOT_DECLINED")
    store = await as_role(oms, Role.CHANNEL, channel=Channel.STORE)
    try:
        code, _, _ = await refusal(store.orders.ReplacePaymentInstrument(good))
        assert code == grpc.StatusCode.NOT_FOUND
    finally:
        await store.close()


async def test_a_declined_card_is_paid_with_a_gift_card_instead(world: World):
    from protos.oms.v1 import payments_pb2
    from tests.integration.support import eur
    from tests.integration.test_gift_cards import cards

    sku = await world.sku({"T-DC-NORTH": 5})
    customer = await world.customer()
    placed = (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)]), token=DECLINED))).order
    held = await settled(world, placed.order_id)
    assert held.payment_status[0].status == orders_pb2.PAYMENT_STATUS_DECLINED
    amount = held.payment_status[0].amount.amount_minor

    # Paid on account instead is another conversation (a credit check): refused, nothing changes.
    code, _, fields = await refusal(
        world.orders.ReplacePaymentInstrument(
            orders_pb2.ReplacePaymentInstrumentRequest(
                order_id=held.order_id, payment_id="P1", token="tok_x", method=orders_pb2.PAYMENT_METHOD_INVOICE
            )
        )
    )
    assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, {"method"})
    assert (await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=held.order_id))).version == held.version

    gift = await cards(world).IssueGiftCard(
        payments_pb2.IssueGiftCardRequest(idempotency_key=World.unique("sale"), amount=eur(amount + 500), customer_id=customer)
    )
    swap = orders_pb2.ReplacePaymentInstrumentRequest(
        order_id=held.order_id, payment_id="P1", token=gift.number, method=orders_pb2.PAYMENT_METHOD_GIFT_CARD
    )
    await world.orders.ReplacePaymentInstrument(swap)
    released = await settled(world, held.order_id)
    assert released.status == orders_pb2.ORDER_STATUS_RELEASED
    [paid] = released.payment_status
    assert (paid.method, paid.status) == (orders_pb2.PAYMENT_METHOD_GIFT_CARD, orders_pb2.PAYMENT_STATUS_AUTHORIZED)
    assert released.payments[0].method == orders_pb2.PAYMENT_METHOD_GIFT_CARD
    after = await cards(world).GetGiftCard(payments_pb2.GetGiftCardRequest(number=gift.number))
    assert (after.available, after.held) == (eur(500), eur(amount))
    # The same message again changes nothing.
    assert (await world.orders.ReplacePaymentInstrument(swap)).version == (await settled(world, held.order_id)).version
