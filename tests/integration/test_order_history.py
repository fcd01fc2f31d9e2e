"""An order's history: every event of it, oldest first, a page at a time, for whoever sees the order."""

from __future__ import annotations

import grpc
import pytest

from gateway.auth import Role
from oms_actors.domain.enums import Channel
from protos.oms.v1 import events_pb2, orders_pb2
from tests.integration.support import World
from tests.integration.test_billing import as_role
from tests.integration.test_lifecycle import card
from tests.integration.test_returns_and_360 import delivered
from tests.integration.waiting import settled
from tests.security.kit import refusal

pytestmark = pytest.mark.integration


async def everything(world: World, order_id: str, page_size: int) -> list[events_pb2.Event]:
    request = orders_pb2.GetOrderHistoryRequest(order_id=order_id, page_size=page_size)
    events = []
    while True:
        page = await world.orders.GetOrderHistory(request)
        assert len(page.events) <= page_size
        events += page.events
        if not page.next_page_token:
            return events
        request.page_token = page.next_page_token


async def test_an_orders_history_tells_its_life_in_order_a_page_at_a_time(world: World, oms):
    sku = await world.sku({"T-DC-NORTH": 5})
    customer = await world.customer()
    placed = (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)])))).order
    note = orders_pb2.AddOrderNoteRequest(order_id=placed.order_id, note_id=World.unique("n"), text="gift wrap", for_customer=True)
    await world.orders.AddOrderNote(note)
    order = await delivered(world, await settled(world, placed.order_id))

    whole = await everything(world, order.order_id, page_size=500)
    types = [e.type for e in whole]
    assert types[0] == "order.created"
    for kind in ("payment.authorized", "order.note_added", "shipment.shipped", "invoice.issued", "payment.captured",
                 "shipment.delivered"):  # fmt: skip
        assert kind in types, kind
    assert types.index("shipment.shipped") < types.index("shipment.delivered")
    assert {(e.order_id, e.customer_id) for e in whole} == {(order.order_id, customer)}
    versions = [e.order_version for e in whole]
    assert versions == sorted(versions) and versions[-1] == order.version
    # A page at a time, the same events in the same order.
    assert await everything(world, order.order_id, page_size=2) == whole

    # What the order's customer and channel see; another channel finds no such order.
    shopper = await as_role(oms, Role.CUSTOMER, customer_id=customer)
    store = await as_role(oms, Role.CHANNEL, channel=Channel.STORE)
    try:
        assert await everything(shopper, order.order_id, page_size=50) == whole
        code, _, _ = await refusal(store.orders.GetOrderHistory(orders_pb2.GetOrderHistoryRequest(order_id=order.order_id)))
        assert code == grpc.StatusCode.NOT_FOUND
    finally:
        await shopper.close()
        await store.close()

    for bad, fields in [
        (orders_pb2.GetOrderHistoryRequest(order_id=order.order_id, page_size=501), {"page_size"}),
        (orders_pb2.GetOrderHistoryRequest(order_id=order.order_id, page_token="nonsense"), {"page_token"}),
        (orders_pb2.GetOrderHistoryRequest(), {"order_id"}),
    ]:
        code, _, got = await refusal(world.orders.GetOrderHistory(bad))
        assert (code, got) == (grpc.StatusCode.INVALID_ARGUMENT, fields)
    code, _, _ = await refusal(world.orders.GetOrderHistory(orders_pb2.GetOrderHistoryRequest(order_id="O-NO-SUCH-ORDER")))
    assert code == grpc.StatusCode.NOT_FOUND
