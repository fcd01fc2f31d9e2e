"""Gift cards over gRPC: issued in any channel, idempotent, spent by orders, bad input refused."""

from __future__ import annotations

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from protos.oms.v1 import common_pb2, orders_pb2, payments_pb2, payments_pb2_grpc
from tests.integration.support import World, eur, status_of
from tests.integration.waiting import settled

pytestmark = pytest.mark.integration


def cards(world: World) -> payments_pb2_grpc.GiftCardServiceStub:
    return payments_pb2_grpc.GiftCardServiceStub(world.channel)


async def test_a_card_issued_over_grpc_pays_for_an_order(world: World):
    customer = await world.customer()
    key = World.unique("sale")
    issue = payments_pb2.IssueGiftCardRequest(idempotency_key=key, amount=eur(5_000), customer_id=customer)
    card = await cards(world).IssueGiftCard(issue)
    assert card.number.startswith("gc_")
    assert (card.available, card.held) == (eur(5_000), eur(0))
    assert await cards(world).IssueGiftCard(issue) == card  # a retry: the same card, no second one

    other = payments_pb2.IssueGiftCardRequest(idempotency_key=key, amount=eur(9_000))
    assert await status_of(cards(world).IssueGiftCard(other)) == grpc.StatusCode.ALREADY_EXISTS

    sku = await world.sku({"T-DC-NORTH": 5})
    request = world.order(customer, [(sku, 1)])
    request.payments.add(method=orders_pb2.PAYMENT_METHOD_GIFT_CARD, amount=eur(1999), token=card.number)
    order = await settled(world, (await world.orders.CreateOrder(request)).order.order_id)
    assert order.status == orders_pb2.ORDER_STATUS_RELEASED
    after = await cards(world).GetGiftCard(payments_pb2.GetGiftCardRequest(number=card.number))
    assert (after.available, after.held) == (eur(5_000 - 1999), eur(1999))


async def test_a_pre_printed_number_is_issued_once(world: World):
    number = World.unique("PRINTED")
    first = payments_pb2.IssueGiftCardRequest(idempotency_key=World.unique("k"), amount=eur(2_500), number=number)
    assert (await cards(world).IssueGiftCard(first)).number == number
    again = payments_pb2.IssueGiftCardRequest(idempotency_key=World.unique("k"), amount=eur(2_500), number=number)
    assert await status_of(cards(world).IssueGiftCard(again)) == grpc.StatusCode.ALREADY_EXISTS
    assert (await cards(world).GetGiftCard(payments_pb2.GetGiftCardRequest(number=number))).available == eur(2_500)


async def test_bad_requests_are_refused_naming_the_fields_and_issue_nothing(world: World):
    number = World.unique("NEVER")
    bad = payments_pb2.IssueGiftCardRequest(
        idempotency_key="",
        amount=common_pb2.Money(amount_minor=-5, currency="XXY"),
        number=number,
        customer_id="no such customer",
    )
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await cards(world).IssueGiftCard(bad)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    [request_errors] = [d for d in rpc_status.from_call(info.value).details if d.Is(error_details_pb2.BadRequest.DESCRIPTOR)]
    found = error_details_pb2.BadRequest()
    request_errors.Unpack(found)
    assert {v.field for v in found.field_violations} == {
        "idempotency_key", "amount.currency", "amount.amount_minor", "customer_id",
    }  # fmt: skip
    unknown_customer = payments_pb2.IssueGiftCardRequest(
        idempotency_key=World.unique("k"), amount=eur(100), number=number, customer_id="C-nobody"
    )
    assert await status_of(cards(world).IssueGiftCard(unknown_customer)) == grpc.StatusCode.INVALID_ARGUMENT
    missing = cards(world).GetGiftCard(payments_pb2.GetGiftCardRequest(number=number))
    assert await status_of(missing) == grpc.StatusCode.NOT_FOUND  # nothing was issued


async def test_a_top_up_adds_once_per_key_and_only_to_a_card_in_circulation(world: World):
    card = await cards(world).IssueGiftCard(payments_pb2.IssueGiftCardRequest(idempotency_key=World.unique("k"), amount=eur(1_000)))
    key = World.unique("topup")
    top_up = payments_pb2.TopUpGiftCardRequest(idempotency_key=key, number=card.number, amount=eur(2_500))
    assert (await cards(world).TopUpGiftCard(top_up)).available == eur(3_500)
    assert (await cards(world).TopUpGiftCard(top_up)).available == eur(3_500)  # a retry adds nothing
    other = payments_pb2.TopUpGiftCardRequest(idempotency_key=key, number=card.number, amount=eur(10))
    assert await status_of(cards(world).TopUpGiftCard(other)) == grpc.StatusCode.ALREADY_EXISTS

    unknown = World.unique("NEVER")
    stray = payments_pb2.TopUpGiftCardRequest(idempotency_key=World.unique("k"), number=unknown, amount=eur(10))
    assert await status_of(cards(world).TopUpGiftCard(stray)) == grpc.StatusCode.NOT_FOUND
    assert await status_of(cards(world).GetGiftCard(payments_pb2.GetGiftCardRequest(number=unknown))) == grpc.StatusCode.NOT_FOUND
    dollars = payments_pb2.TopUpGiftCardRequest(
        idempotency_key=World.unique("k"), number=card.number, amount=common_pb2.Money(amount_minor=10, currency="USD")
    )
    assert await status_of(cards(world).TopUpGiftCard(dollars)) == grpc.StatusCode.INVALID_ARGUMENT
    negative = payments_pb2.TopUpGiftCardRequest(idempotency_key=World.unique("k"), number=card.number, amount=eur(-1))
    assert await status_of(cards(world).TopUpGiftCard(negative)) == grpc.StatusCode.INVALID_ARGUMENT
    assert (await cards(world).GetGiftCard(payments_pb2.GetGiftCardRequest(number=card.number))).available == eur(3_500)
