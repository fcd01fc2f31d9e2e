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
