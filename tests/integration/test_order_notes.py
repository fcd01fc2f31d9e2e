"""Service staff's notes on an order: internal ones for staff, the others for the customer and its channel too."""

from __future__ import annotations

import grpc
import pytest

from gateway.auth import Role
from oms_actors.domain.enums import Channel
from protos.oms.v1 import orders_pb2
from tests.integration.support import World
from tests.integration.test_billing import as_role
from tests.integration.test_lifecycle import card
from tests.security.kit import refusal

pytestmark = pytest.mark.integration


async def test_internal_notes_are_for_staff_and_customer_notes_for_the_customer_and_its_channel_too(world: World, oms):
    sku = await world.sku({"T-DC-NORTH": 5})
    customer = await world.customer()
    order = (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)])))).order

    code, _, fields = await refusal(world.orders.AddOrderNote(orders_pb2.AddOrderNoteRequest(order_id=order.order_id, note_id="n1", text=" ")))
    assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, {"text"})
    internal = orders_pb2.AddOrderNoteRequest(
        order_id=order.order_id, note_id=World.unique("n"), text="Called twice about the delivery date.\nCalm now."
    )
    public = orders_pb2.AddOrderNoteRequest(
        order_id=order.order_id, note_id=World.unique("n"), text="We will deliver on Friday.", for_customer=True
    )
    await world.orders.AddOrderNote(internal)
    noted = await world.orders.AddOrderNote(public)
    assert [(n.text, n.for_customer) for n in noted.notes] == [(internal.text, False), (public.text, True)]
    assert noted.notes[0].by.startswith("admin:")
    assert (await world.orders.AddOrderNote(public)).version == noted.version  # a retry changes nothing
    other = orders_pb2.AddOrderNoteRequest(order_id=order.order_id, note_id=public.note_id, text="something else")
    code, reason, _ = await refusal(world.orders.AddOrderNote(other))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "NOTE_ID_REUSED")

    staff = await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id))
    assert len(staff.notes) == 2
    web = await as_role(oms, Role.CHANNEL, channel=Channel.WEB)
    theirs = await as_role(oms, Role.CUSTOMER, customer_id=customer)
    try:
        for reader in (web, theirs):
            seen = await reader.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id))
            assert [n.text for n in seen.notes] == [public.text]
            listed = await reader.orders.ListOrders(orders_pb2.ListOrdersRequest(customer_id=customer))
            assert [n.text for o in listed.orders for n in o.notes] == [public.text]
        # Writing them is staff's: a channel or the customer is refused.
        for writer in (web, theirs):
            code, _, _ = await refusal(writer.orders.AddOrderNote(public))
            assert code == grpc.StatusCode.PERMISSION_DENIED
        # A channel's command answers with what it may read too; staff's with every note.
        cancelled = await web.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=order.order_id, reason="changed mind"))
        assert [n.text for n in cancelled.notes] == [public.text]
        again = await world.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=order.order_id, reason="changed mind"))
        assert len(again.notes) == 2
    finally:
        await web.close()
        await theirs.close()
