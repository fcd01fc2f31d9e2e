"""Scoped principals see their own data only, and probing other ids teaches them nothing."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import text_format
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from gateway.auth import Role
from protos.oms.v1 import common_pb2, customers_pb2, customers_pb2_grpc, orders_pb2, orders_pb2_grpc
from tests.security.kit import Kit

pytestmark = pytest.mark.integration

DETAIL_TYPES = (error_details_pb2.ErrorInfo, error_details_pb2.ResourceInfo, error_details_pb2.BadRequest)


async def _answer(call, request, md, ident: str) -> tuple:
    """Code, message and every detail of a refusal, with ``ident`` (the id asked for) blanked out."""
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call(request, metadata=md)
    status = rpc_status.from_call(info.value)
    details = []
    for any_ in status.details if status else []:
        for kind in DETAIL_TYPES:
            if any_.Is(kind.DESCRIPTOR):
                msg = kind()
                any_.Unpack(msg)
                details.append(text_format.MessageToString(msg, as_one_line=True).replace(ident, "<id>"))
    return info.value.code(), info.value.details().replace(ident, "<id>"), details


def _unknown_like(order_id: str) -> str:
    """An id of the same shape that no order has."""
    return order_id[:-4] + ("ZZZZ" if not order_id.endswith("ZZZZ") else "YYYY")


async def test_a_customer_probing_other_customers_order_ids_learns_nothing(sandbox: Kit):
    stub = orders_pb2_grpc.OrderServiceStub(sandbox.channel)
    md = sandbox.md(Role.CUSTOMER)
    own = await stub.GetOrder(orders_pb2.GetOrderRequest(order_id=sandbox.order_id), metadata=md)
    assert own.customer_id == sandbox.customer_id
    theirs = sandbox.other_order_id
    unknown = _unknown_like(theirs)
    a = await _answer(stub.GetOrder, orders_pb2.GetOrderRequest(order_id=theirs), md, theirs)
    b = await _answer(stub.GetOrder, orders_pb2.GetOrderRequest(order_id=unknown), md, unknown)
    assert a == b
    assert a[0] == grpc.StatusCode.NOT_FOUND
    # And exactly what an admin hears for an id that does not exist.
    c = await _answer(stub.GetOrder, orders_pb2.GetOrderRequest(order_id=unknown), sandbox.md(Role.ADMIN), unknown)
    assert a == c


async def test_a_customer_reads_only_its_own_record(sandbox: Kit):
    stub = customers_pb2_grpc.CustomerServiceStub(sandbox.channel)
    md = sandbox.md(Role.CUSTOMER)
    mine = await stub.GetCustomer(customers_pb2.GetCustomerRequest(customer_id=sandbox.customer_id), metadata=md)
    assert mine.customer_id == sandbox.customer_id
    other, unknown = sandbox.other_customer_id, "CUST-nobody-0000"
    a = await _answer(stub.GetCustomer, customers_pb2.GetCustomerRequest(customer_id=other), md, other)
    b = await _answer(stub.GetCustomer, customers_pb2.GetCustomerRequest(customer_id=unknown), md, unknown)
    assert a == b and a[0] == grpc.StatusCode.NOT_FOUND


async def test_a_customers_list_is_its_own_orders_and_another_customers_list_is_empty(sandbox: Kit):
    stub = orders_pb2_grpc.OrderServiceStub(sandbox.channel)
    md = sandbox.md(Role.CUSTOMER)
    listed = await stub.ListOrders(orders_pb2.ListOrdersRequest(), metadata=md)
    assert sandbox.order_id in {o.order_id for o in listed.orders}
    assert {o.customer_id for o in listed.orders} == {sandbox.customer_id}
    other = await stub.ListOrders(orders_pb2.ListOrdersRequest(customer_id=sandbox.other_customer_id), metadata=md)
    unknown = await stub.ListOrders(orders_pb2.ListOrdersRequest(customer_id="CUST-nobody-0000"), metadata=md)
    assert other == unknown == orders_pb2.ListOrdersResponse()
    # The admin does see the other customer's orders: the empty page above is the scope, not the data.
    seen = await stub.ListOrders(
        orders_pb2.ListOrdersRequest(customer_id=sandbox.other_customer_id), metadata=sandbox.md(Role.ADMIN)
    )
    assert sandbox.other_order_id in {o.order_id for o in seen.orders}


async def test_a_channel_key_sees_its_channels_orders_only(sandbox: Kit):
    stub = orders_pb2_grpc.OrderServiceStub(sandbox.channel)
    md = sandbox.md(Role.CHANNEL)
    assert (await stub.GetOrder(orders_pb2.GetOrderRequest(order_id=sandbox.order_id), metadata=md)).order_id
    theirs = sandbox.other_order_id  # a STORE order
    unknown = _unknown_like(theirs)
    a = await _answer(stub.GetOrder, orders_pb2.GetOrderRequest(order_id=theirs), md, theirs)
    b = await _answer(stub.GetOrder, orders_pb2.GetOrderRequest(order_id=unknown), md, unknown)
    assert a == b and a[0] == grpc.StatusCode.NOT_FOUND
    listed = await stub.ListOrders(orders_pb2.ListOrdersRequest(page_size=500), metadata=md)
    assert listed.orders and {o.channel for o in listed.orders} == {common_pb2.CHANNEL_WEB}
    store = await stub.ListOrders(orders_pb2.ListOrdersRequest(channel=common_pb2.CHANNEL_STORE), metadata=md)
    assert store == orders_pb2.ListOrdersResponse()
    by_customer = await stub.ListOrders(
        orders_pb2.ListOrdersRequest(customer_id=sandbox.other_customer_id), metadata=md
    )
    assert not by_customer.orders  # that customer's only order is a STORE order
    # By the other channel's own reference: as for a reference nobody used.
    admin_md = sandbox.md(Role.ADMIN)
    store_ref = (await stub.GetOrder(orders_pb2.GetOrderRequest(order_id=theirs), metadata=admin_md)).external_reference
    for channel in (common_pb2.CHANNEL_STORE, common_pb2.CHANNEL_UNSPECIFIED):
        by_ref = await stub.ListOrders(orders_pb2.ListOrdersRequest(channel=channel, external_reference=store_ref), metadata=md)
        assert by_ref == orders_pb2.ListOrdersResponse()
    web_ref = (await stub.GetOrder(orders_pb2.GetOrderRequest(order_id=sandbox.order_id), metadata=admin_md)).external_reference
    own = await stub.ListOrders(orders_pb2.ListOrdersRequest(external_reference=web_ref), metadata=md)
    assert [o.order_id for o in own.orders] == [sandbox.order_id]  # a channel key needs no channel: its own


async def test_a_channel_key_places_orders_for_its_own_channel_only(sandbox: Kit):
    stub = orders_pb2_grpc.OrderServiceStub(sandbox.channel)
    md = sandbox.md(Role.CHANNEL)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.CreateOrder(sandbox.order_request(channel=common_pb2.CHANNEL_STORE), metadata=md)
    assert info.value.code() == grpc.StatusCode.PERMISSION_DENIED
    batch = await stub.CreateOrders(
        orders_pb2.CreateOrdersRequest(
            orders=[sandbox.order_request(), sandbox.order_request(channel=common_pb2.CHANNEL_MARKETPLACE)]
        ),
        metadata=md,
    )
    first, second = batch.results
    assert first.WhichOneof("outcome") == "order" and first.order.channel == common_pb2.CHANNEL_WEB
    assert second.WhichOneof("outcome") == "error" and second.error.code == grpc.StatusCode.PERMISSION_DENIED.value[0]


async def test_a_location_bound_key_works_at_its_own_location_only(sandbox: Kit):
    from gateway.auth.client import bearer
    from protos.oms.v1 import fulfilment_pb2, fulfilment_pb2_grpc, inventory_pb2, inventory_pb2_grpc
    from protos.oms.v1 import returns_pb2, returns_pb2_grpc
    from tests.integration.support import World, eur, status_of
    from tests.integration.waiting import settled

    access = sandbox.service.access
    _, north = await access.keys.create(role=Role.FULFILMENT, by="tests", location_id="T-DC-NORTH")
    _, feed = await access.keys.create(role=Role.INVENTORY_FEED, by="tests", location_id="T-DC-NORTH")
    w = sandbox.admin
    a, b = await w.sku({"T-DC-NORTH": 5}), await w.sku({"T-DC-SOUTH": 5})
    customer = await w.customer()

    async def place(*skus: str) -> orders_pb2.Order:
        req = w.order(customer, [(sku, 1) for sku in skus])
        req.payments.add(
            method=orders_pb2.PAYMENT_METHOD_CARD, amount=eur(1999 * len(skus)), token=World.unique("tok_visa")
        )
        return await settled(w, (await w.orders.CreateOrder(req)).order.order_id)

    on_north, on_south = await place(a), await place(b)
    assert on_north.status == on_south.status == orders_pb2.ORDER_STATUS_RELEASED
    fulfil = fulfilment_pb2_grpc.FulfilmentServiceStub(sandbox.channel)
    md = bearer(north)

    # Its own work list, not another location's.
    south_list = fulfilment_pb2.ListFulfilmentRequestsRequest(location_id="T-DC-SOUTH")
    assert await status_of(fulfil.ListFulfilmentRequests(south_list, metadata=md)) == grpc.StatusCode.PERMISSION_DENIED
    mine = await fulfil.ListFulfilmentRequests(
        fulfilment_pb2.ListFulfilmentRequestsRequest(location_id="T-DC-NORTH"), metadata=md
    )
    assert on_north.order_id in {r.order_id for r in mine.requests}
    assert on_south.order_id not in {r.order_id for r in mine.requests}

    # Confirms shipments from its own location only; a refusal changes nothing.
    def shipment(order: orders_pb2.Order, loc: str, sid: str) -> fulfilment_pb2.ConfirmShipmentRequest:
        return fulfilment_pb2.ConfirmShipmentRequest(
            order_id=order.order_id, location_id=loc, shipment_id=sid, carrier="DHL", tracking="T1",
            lines=[orders_pb2.ShipmentLine(line_number=1, quantity=1)],
        )  # fmt: skip

    refused = fulfil.ConfirmShipment(shipment(on_south, "T-DC-SOUTH", "S-south"), metadata=md)
    assert await status_of(refused) == grpc.StatusCode.PERMISSION_DENIED
    assert (await settled(w, on_south.order_id)).status == orders_pb2.ORDER_STATUS_RELEASED
    await fulfil.ConfirmShipment(shipment(on_north, "T-DC-NORTH", "S-north"), metadata=md)
    await fulfil.ConfirmShipment(shipment(on_south, "T-DC-SOUTH", "S-south"), metadata=sandbox.md(Role.ADMIN))

    # An order with nothing at its location answers exactly as an order that does not exist.
    def delivery(order_id: str, sid: str) -> fulfilment_pb2.ConfirmDeliveryRequest:
        return fulfilment_pb2.ConfirmDeliveryRequest(order_id=order_id, shipment_id=sid)

    async def refusal(call) -> tuple[grpc.StatusCode, str]:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await call
        return info.value.code(), info.value.details()

    for make in (
        lambda oid: fulfil.ConfirmDelivery(delivery(oid, "S-south"), metadata=md),
        lambda oid: fulfil.ConfirmShipment(
            fulfilment_pb2.ConfirmShipmentRequest(order_id=oid, location_id="T-DC-NORTH", shipment_id="S-x",
                                                  lines=[orders_pb2.ShipmentLine(line_number=1, quantity=1)]),
            metadata=md,
        ),
    ):  # fmt: skip
        status, text = await refusal(make(on_south.order_id))
        unknown_status, unknown_text = await refusal(make("O-NO-SUCH"))
        assert status == unknown_status == grpc.StatusCode.NOT_FOUND
        assert text.replace(on_south.order_id, "?") == unknown_text.replace("O-NO-SUCH", "?")

    # An order split over both: the other location's shipment answers as one that does not exist.
    split = await place(a, b)
    await fulfil.ConfirmShipment(
        fulfilment_pb2.ConfirmShipmentRequest(order_id=split.order_id, location_id="T-DC-SOUTH", shipment_id="S-2",
                                              lines=[orders_pb2.ShipmentLine(line_number=2, quantity=1)]),
        metadata=sandbox.md(Role.ADMIN),
    )  # fmt: skip
    theirs = await refusal(fulfil.ConfirmDelivery(delivery(split.order_id, "S-2"), metadata=md))
    unknown = await refusal(fulfil.ConfirmDelivery(delivery(split.order_id, "S-9"), metadata=md))
    assert theirs[0] == unknown[0] == grpc.StatusCode.FAILED_PRECONDITION
    assert theirs[1].replace("S-2", "?") == unknown[1].replace("S-9", "?")

    # Reports its own parcels back undelivered, not another location's (answered as one that
    # does not exist), and names no other location as where one came back.
    def failure(sid: str, location_id: str = "") -> fulfilment_pb2.ReportDeliveryFailureRequest:
        return fulfilment_pb2.ReportDeliveryFailureRequest(
            order_id=split.order_id, shipment_id=sid, return_id=f"U-{sid}", location_id=location_id,
            reason=orders_pb2.UNDELIVERED_REASON_REFUSED, resolution=orders_pb2.RETURN_RESOLUTION_REFUND,
        )  # fmt: skip

    theirs = await refusal(fulfil.ReportDeliveryFailure(failure("S-2"), metadata=md))
    unknown = await refusal(fulfil.ReportDeliveryFailure(failure("S-9"), metadata=md))
    assert theirs[0] == unknown[0] == grpc.StatusCode.FAILED_PRECONDITION
    assert theirs[1].replace("S-2", "?") == unknown[1].replace("S-9", "?")
    elsewhere = fulfil.ReportDeliveryFailure(failure("S-2", "T-DC-SOUTH"), metadata=md)
    assert await status_of(elsewhere) == grpc.StatusCode.PERMISSION_DENIED
    assert not (await settled(w, split.order_id)).returns
    delivered = await fulfil.ConfirmDelivery(delivery(on_north.order_id, "S-north"), metadata=md)
    assert delivered.status == orders_pb2.ORDER_STATUS_DELIVERED

    # Reads its own location's delivery figures, not another's nor every location's.
    def figures(*locations: str) -> fulfilment_pb2.GetDeliveryReportRequest:
        request = fulfilment_pb2.GetDeliveryReportRequest(location_ids=locations)
        request.counted_from.GetCurrentTime()
        request.counted_to.GetCurrentTime()
        return request

    for others in ((), ("T-DC-SOUTH",), ("T-DC-NORTH", "T-DC-SOUTH")):
        assert await status_of(fulfil.GetDeliveryReport(figures(*others), metadata=md)) == grpc.StatusCode.PERMISSION_DENIED
    own = await fulfil.GetDeliveryReport(figures("T-DC-NORTH"), metadata=md)
    assert [row.location_id for row in own.by_location] == ["T-DC-NORTH"] and own.total.delivered >= 1

    # Receives and inspects returns at its own location (a location's system sees the
    # order for that step only); at another location the order answers as unknown.
    returns = returns_pb2_grpc.ReturnServiceStub(sandbox.channel)
    await returns.RequestReturn(
        returns_pb2.RequestReturnRequest(
            order_id=on_north.order_id, return_id="RMA-1", channel=common_pb2.CHANNEL_WEB,
            lines=[returns_pb2.ReturnLineRequest(line_number=1, quantity=1, resolution=orders_pb2.RETURN_RESOLUTION_REFUND)],
        ),
        metadata=sandbox.md(Role.ADMIN),
    )  # fmt: skip

    def receive(loc: str) -> returns_pb2.ReceiveReturnRequest:
        return returns_pb2.ReceiveReturnRequest(
            order_id=on_north.order_id, return_id="RMA-1", location_id=loc,
            lines=[orders_pb2.ShipmentLine(line_number=1, quantity=1)],
        )  # fmt: skip

    with pytest.raises(grpc.aio.AioRpcError) as info:
        await returns.ReceiveReturn(receive("T-DC-SOUTH"), metadata=md)
    assert info.value.code() == grpc.StatusCode.NOT_FOUND
    await returns.ReceiveReturn(receive("T-DC-NORTH"), metadata=md)
    await returns.InspectReturn(returns_pb2.InspectReturnRequest(order_id=on_north.order_id, return_id="RMA-1"), metadata=md)
    done = await settled(w, on_north.order_id)
    assert done.returns[0].status == orders_pb2.RETURN_STATUS_RESOLVED

    # A bound feed key sets stock at its location only; a refused call writes nothing.
    inventory = inventory_pb2_grpc.InventoryServiceStub(sandbox.channel)
    before = await w.available(b)
    mixed = inventory_pb2.SetStockRequest(
        levels=[inventory_pb2.StockLevel(location_id="T-DC-NORTH", sku=a, on_hand=50),
                inventory_pb2.StockLevel(location_id="T-DC-SOUTH", sku=b, on_hand=50)]
    )  # fmt: skip
    assert await status_of(inventory.SetStock(mixed, metadata=bearer(feed))) == grpc.StatusCode.PERMISSION_DENIED
    assert await w.available(b) == before
    assert (await w.available(a))["T-DC-NORTH"][0] != 50
    own = inventory_pb2.SetStockRequest(levels=[inventory_pb2.StockLevel(location_id="T-DC-NORTH", sku=a, on_hand=50)])
    assert (await inventory.SetStock(own, metadata=bearer(feed))).applied == 1


async def test_an_agents_command_on_an_unknown_order_answers_as_reading_it_would(sandbox: Kit):
    """Commands skip the gateway's read for principals who see every order; the order
    shard answers an unknown id, with exactly what GetOrder answers for it."""
    from protos.oms.v1 import returns_pb2, returns_pb2_grpc

    orders = orders_pb2_grpc.OrderServiceStub(sandbox.channel)
    returns = returns_pb2_grpc.ReturnServiceStub(sandbox.channel)
    unknown = _unknown_like(sandbox.order_id)
    md = sandbox.md(Role.SERVICE_AGENT)
    expected = await _answer(orders.GetOrder, orders_pb2.GetOrderRequest(order_id=unknown), md, unknown)
    assert expected[0] == grpc.StatusCode.NOT_FOUND
    calls = [
        (orders.CancelOrder, orders_pb2.CancelOrderRequest(order_id=unknown, reason="r")),
        (orders.CancelOrderLines, orders_pb2.CancelOrderLinesRequest(order_id=unknown, line_numbers=[1], reason="r")),
        (orders.ReviewOrder, orders_pb2.ReviewOrderRequest(order_id=unknown, decision=orders_pb2.REVIEW_DECISION_APPROVE)),
        (
            returns.RequestReturn,
            returns_pb2.RequestReturnRequest(
                order_id=unknown,
                return_id="R1",
                channel=common_pb2.CHANNEL_WEB,
                lines=[returns_pb2.ReturnLineRequest(line_number=1, quantity=1, resolution=orders_pb2.RETURN_RESOLUTION_REFUND)],
            ),
        ),
        (returns.InspectReturn, returns_pb2.InspectReturnRequest(order_id=unknown, return_id="R1")),
    ]
    for call, request in calls:
        assert await _answer(call, request, md, unknown) == expected, type(request).__name__


async def test_a_channel_and_a_customer_cancel_their_own_orders_and_no_one_elses(sandbox: Kit):
    """A marketplace cancels orders it took, a customer its own ("cancel my order"); another's
    order answers exactly as an unknown one and stays as it was."""
    stub = orders_pb2_grpc.OrderServiceStub(sandbox.channel)
    admin = sandbox.admin
    web = await admin.orders.CreateOrder(sandbox.order_request())  # the customer's, taken on the web
    own = await admin.orders.CreateOrder(sandbox.order_request())
    store = await admin.orders.CreateOrder(
        admin.order(sandbox.other_customer_id, [(sandbox.sku, 1)], channel=common_pb2.CHANNEL_STORE)
    )
    theirs = store.order.order_id
    unknown = _unknown_like(theirs)
    for role in (Role.CHANNEL, Role.CUSTOMER):
        md = sandbox.md(role)
        for call, request_of in (
            (stub.CancelOrder, lambda oid: orders_pb2.CancelOrderRequest(order_id=oid, reason="r")),
            (stub.CancelOrderLines, lambda oid: orders_pb2.CancelOrderLinesRequest(order_id=oid, line_numbers=[1], reason="r")),
        ):
            a = await _answer(call, request_of(theirs), md, theirs)
            b = await _answer(call, request_of(unknown), md, unknown)
            assert a == b and a[0] == grpc.StatusCode.NOT_FOUND, role
    still = await admin.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=theirs))
    assert still.status != orders_pb2.ORDER_STATUS_CANCELLED and not any(line.cancelled_quantity for line in still.lines)
    by_channel = await stub.CancelOrder(
        orders_pb2.CancelOrderRequest(order_id=web.order.order_id, reason="marketplace cancellation"),
        metadata=sandbox.md(Role.CHANNEL),
    )
    by_customer = await stub.CancelOrder(
        orders_pb2.CancelOrderRequest(order_id=own.order.order_id, reason="changed my mind"), metadata=sandbox.md(Role.CUSTOMER)
    )
    assert by_channel.status == by_customer.status == orders_pb2.ORDER_STATUS_CANCELLED
    assert by_customer.cancel_reason == "changed my mind"


async def test_a_customer_changes_the_address_of_its_own_orders_only(sandbox: Kit):
    stub = orders_pb2_grpc.OrderServiceStub(sandbox.channel)
    here = common_pb2.Address(
        name="E M", lines=["Hauptstraße 2"], city="Berlin", postal_code="10115", country_code="DE",
        position=common_pb2.GeoPoint(latitude=52.53, longitude=13.38),
    )  # fmt: skip
    theirs = sandbox.other_order_id
    unknown = _unknown_like(theirs)
    for role in (Role.CHANNEL, Role.CUSTOMER):
        md = sandbox.md(role)
        a = await _answer(stub.UpdateShippingAddress, orders_pb2.UpdateShippingAddressRequest(order_id=theirs, ship_to=here), md, theirs)
        b = await _answer(stub.UpdateShippingAddress, orders_pb2.UpdateShippingAddressRequest(order_id=unknown, ship_to=here), md, unknown)
        assert a == b and a[0] == grpc.StatusCode.NOT_FOUND, role
    mine = await sandbox.admin.orders.CreateOrder(sandbox.order_request())
    changed = await stub.UpdateShippingAddress(
        orders_pb2.UpdateShippingAddressRequest(order_id=mine.order.order_id, ship_to=here), metadata=sandbox.md(Role.CUSTOMER)
    )
    assert changed.ship_to.lines == ["Hauptstraße 2"]


async def test_a_customer_moves_the_delivery_day_of_its_own_orders_only(sandbox: Kit):
    stub = orders_pb2_grpc.OrderServiceStub(sandbox.channel)
    theirs = sandbox.other_order_id
    unknown = _unknown_like(theirs)
    for role in (Role.CHANNEL, Role.CUSTOMER):
        md = sandbox.md(role)
        a = await _answer(stub.RescheduleDelivery, orders_pb2.RescheduleDeliveryRequest(order_id=theirs), md, theirs)
        b = await _answer(stub.RescheduleDelivery, orders_pb2.RescheduleDeliveryRequest(order_id=unknown), md, unknown)
        assert a == b and a[0] == grpc.StatusCode.NOT_FOUND, role
