"""A product's return terms (its own window, a final sale) travel with each order line sold under them."""

from __future__ import annotations

import grpc
import pytest

from protos.oms.v1 import common_pb2, inventory_pb2, orders_pb2, returns_pb2
from tests.integration.support import World, field_violations, precondition_violations
from tests.integration.test_lifecycle import card
from tests.integration.test_returns_and_360 import delivered, returns

pytestmark = pytest.mark.integration

DAY_MS = 86_400_000


def refund(order_id: str, line_number: int) -> returns_pb2.RequestReturnRequest:
    return returns_pb2.RequestReturnRequest(
        order_id=order_id, return_id=World.unique("RMA"), channel=common_pb2.CHANNEL_WEB,
        lines=[returns_pb2.ReturnLineRequest(line_number=line_number, quantity=1, reason="changed my mind",
                                             resolution=orders_pb2.RETURN_RESOLUTION_REFUND)],
    )  # fmt: skip


async def test_lines_keep_the_terms_they_were_sold_under_when_the_catalogue_changes(world: World):
    stub = returns(world)
    phone = await world.sku({"T-DC-NORTH": 10}, return_window_days=14)
    earrings = await world.sku({"T-DC-NORTH": 10}, returnable=False)
    customer = await world.customer()

    async def place() -> orders_pb2.Order:
        return (await world.orders.CreateOrder(card(world.order(customer, [(phone, 1), (earrings, 1)])))).order

    sold = await place()
    assert [(line.return_window_days, line.final_sale) for line in sold.lines] == [(14, False), (0, True)]

    # A bad catalogue change is refused, naming the field, and changes nothing.
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await world.inventory.UpsertProducts(
            inventory_pb2.UpsertProductsRequest(
                products=[
                    inventory_pb2.Product(sku=earrings, name=earrings, weight_grams=500, returnable=True),
                    inventory_pb2.Product(sku=phone, name=phone, weight_grams=500, returnable=True, return_window_days=-1),
                ]
            )
        )
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(info.value) == {"products[1].return_window_days"}
    assert [(line.return_window_days, line.final_sale) for line in (await place()).lines] == [(14, False), (0, True)]

    # The phone takes the channel's window from the orders placed once this is answered, and
    # the earrings may come back.
    await world.inventory.UpsertProducts(
        inventory_pb2.UpsertProductsRequest(
            products=[
                inventory_pb2.Product(sku=earrings, name=earrings, weight_grams=500, returnable=True),
                inventory_pb2.Product(sku=phone, name=phone, weight_grams=500, returnable=True),
            ]
        )
    )
    sold_after = await delivered(world, await place())
    assert [(line.return_window_days, line.final_sale) for line in sold_after.lines] == [(0, False), (0, False)]

    before = await delivered(world, sold)
    delivered_at = before.shipments[0].delivered_at.ToMilliseconds()
    assert before.lines[0].return_by.ToMilliseconds() == delivered_at + 14 * DAY_MS
    assert before.lines[1].return_by.ToMilliseconds() == delivered_at + before.return_window_days * DAY_MS
    # Sold as a final sale, the earrings stay one; sold after the change, they come back.
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.RequestReturn(refund(before.order_id, 2))
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert precondition_violations(info.value) == {"lines[1]": f"{earrings}: this item cannot be returned"}
    unchanged = await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=before.order_id))
    assert not unchanged.returns and unchanged.version == before.version
    taken = await stub.RequestReturn(refund(sold_after.order_id, 2))
    assert taken.returns[0].status == orders_pb2.RETURN_STATUS_AUTHORIZED
    # The phone, within its 14 days, comes back.
    phone_back = await stub.RequestReturn(refund(before.order_id, 1))
    assert phone_back.returns[0].status == orders_pb2.RETURN_STATUS_AUTHORIZED
