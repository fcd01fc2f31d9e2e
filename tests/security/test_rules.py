"""Every role against every RPC, generated from the rules table and the services' descriptors.

A new RPC without a rule fails here (and is refused to everyone until it has
one). For each (RPC, role): a role the rule lists gets its call through (an
RPC with a sample request below answers OK), any other role is
PERMISSION_DENIED with the one fixed message.
"""

from __future__ import annotations

import datetime as dt
from typing import Awaitable, Callable

import grpc
import pytest
from google.protobuf import timestamp_pb2
from google.protobuf.message import Message

from gateway.auth import RULES, Role, rule_for
from protos.oms.v1 import common_pb2, customers_pb2, inventory_pb2, orders_pb2, payments_pb2, payments_pb2_grpc
from tests.integration.support import LOCATIONS, World, eur
from tests.security.kit import Kit
from tests.security.methods import Method, api_methods, invoke, service_methods

pytestmark = pytest.mark.integration

METHODS = api_methods()
DENIED_MESSAGE = "the caller may not use this method"


def _tomorrow() -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(dt.datetime.now(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=1))
    return ts


def _feed(kit: Kit) -> list[inventory_pb2.StockFeedMessage]:
    return [
        inventory_pb2.StockFeedMessage(
            feed_id=World.unique("feed"),
            sequence=1,
            location_id="T-DC-NORTH",
            delta=inventory_pb2.StockDelta(changes=[inventory_pb2.StockQuantity(sku=kit.sku, quantity=1)]),
        )
    ]


async def _cancellable(kit: Kit) -> orders_pb2.CancelOrderRequest:
    placed = await kit.admin.orders.CreateOrder(kit.order_request())
    return orders_pb2.CancelOrderRequest(order_id=placed.order.order_id, reason="access test")


async def _gift_card(kit: Kit) -> payments_pb2.GetGiftCardRequest:
    stub = payments_pb2_grpc.GiftCardServiceStub(kit.admin.channel)
    card = await stub.IssueGiftCard(payments_pb2.IssueGiftCardRequest(idempotency_key=World.unique("k"), amount=eur(100)))
    return payments_pb2.GetGiftCardRequest(number=card.number)


async def _top_up(kit: Kit) -> payments_pb2.TopUpGiftCardRequest:
    card = await _gift_card(kit)
    return payments_pb2.TopUpGiftCardRequest(idempotency_key=World.unique("k"), number=card.number, amount=eur(5))


# Requests that succeed for every role the rule allows (scoped roles see their own data);
# an RPC not listed here is called with an empty request and must only not be refused.
Sample = Callable[[Kit], Message | list | Awaitable[Message]]
SAMPLES: dict[str, Sample] = {
    "/oms.v1.OrderService/CreateOrder": lambda k: k.order_request(),
    "/oms.v1.OrderService/CreateOrders": lambda k: orders_pb2.CreateOrdersRequest(orders=[k.order_request()]),
    "/oms.v1.OrderService/GetOrder": lambda k: orders_pb2.GetOrderRequest(order_id=k.order_id),
    "/oms.v1.OrderService/ListOrders": lambda k: orders_pb2.ListOrdersRequest(),
    "/oms.v1.OrderService/CancelOrder": _cancellable,
    "/oms.v1.InventoryService/UpsertLocations": lambda k: inventory_pb2.UpsertLocationsRequest(
        locations=[
            inventory_pb2.Location(
                location_id=LOCATIONS[0][0],
                type=LOCATIONS[0][1],
                name=LOCATIONS[0][0],
                position=common_pb2.GeoPoint(latitude=LOCATIONS[0][2], longitude=LOCATIONS[0][3]),
                shipment_cost_minor=LOCATIONS[0][4],
                active=True,
            )
        ]
    ),
    "/oms.v1.InventoryService/UpsertProducts": lambda k: inventory_pb2.UpsertProductsRequest(
        products=[inventory_pb2.Product(sku=k.sku, name=k.sku, weight_grams=500, returnable=True)]
    ),
    "/oms.v1.InventoryService/SetStock": lambda k: inventory_pb2.SetStockRequest(
        levels=[inventory_pb2.StockLevel(location_id="T-DC-NORTH", sku=k.sku, on_hand=1_000_000)]
    ),
    "/oms.v1.InventoryService/GetAvailability": lambda k: inventory_pb2.GetAvailabilityRequest(skus=[k.sku]),
    "/oms.v1.InventoryService/StreamStockFeed": _feed,
    "/oms.v1.InventoryService/SetInboundSupply": lambda k: inventory_pb2.SetInboundSupplyRequest(
        supplies=[inventory_pb2.InboundSupply(location_id="T-DC-SOUTH", sku=k.sku, expected_at=_tomorrow(), quantity=5)]
    ),
    "/oms.v1.InventoryService/GetRoutingRules": lambda k: inventory_pb2.GetRoutingRulesRequest(),
    "/oms.v1.InventoryService/AuditStock": lambda k: inventory_pb2.AuditStockRequest(),
    "/oms.v1.CustomerService/UpsertCustomer": lambda k: customers_pb2.UpsertCustomerRequest(
        customer=customers_pb2.Customer(
            customer_id=World.unique("CUST"), type=customers_pb2.CUSTOMER_TYPE_CONSUMER, name="Access Test"
        )
    ),
    "/oms.v1.CustomerService/GetCustomer": lambda k: customers_pb2.GetCustomerRequest(customer_id=k.customer_id),
    "/oms.v1.GiftCardService/IssueGiftCard": lambda k: payments_pb2.IssueGiftCardRequest(
        idempotency_key=World.unique("k"), amount=eur(100)
    ),
    "/oms.v1.GiftCardService/GetGiftCard": _gift_card,
    "/oms.v1.GiftCardService/TopUpGiftCard": _top_up,
}


async def _request(kit: Kit, method: Method) -> Message | list:
    sample = SAMPLES.get(method.path)
    if sample is None:
        return [] if method.client_streaming else method.request()
    made = sample(kit)
    return await made if isinstance(made, Awaitable) else made


@pytest.fixture(scope="module", autouse=True)
async def customer_calls_leave_the_bucket_full(sandbox: Kit):
    """Every RPC is called as the customer here, in a burst: the modules after this one call
    as that customer too."""
    yield
    await sandbox.customer_bucket_refilled()


def test_every_rpc_of_the_api_has_a_rule():
    missing = [m.path for m in METHODS if m.path not in RULES]
    assert not missing, f"add these to gateway/auth/rules.py: {missing}"


def test_admin_may_call_every_rpc_and_nothing_but_health_and_reflection_is_public():
    for method, rule in RULES.items():
        if rule.public:
            assert method.startswith(("/grpc.health.", "/grpc.reflection.")), method
        else:
            assert Role.ADMIN in rule.roles, method


async def test_every_service_the_server_lists_has_a_rule_for_every_method(sandbox: Kit):
    names = await sandbox.served_services()
    assert "oms.v1.OrderService" in names
    missing = [m.path for name in names for m in service_methods(name) if m.path not in RULES]
    assert not missing, f"add these to gateway/auth/rules.py: {missing}"


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.short)
async def test_each_role_gets_exactly_what_the_rules_table_grants(sandbox: Kit, method: Method, role: Role):
    if method.service not in await sandbox.served_services():
        pytest.skip(f"{method.service} is not served by the gateway yet (it has rules already)")
    rule = rule_for(method.path)
    request = await _request(sandbox, method)
    try:
        await invoke(sandbox.channel, method, request, metadata=sandbox.md(role))
        code, details = grpc.StatusCode.OK, ""
    except grpc.aio.AioRpcError as err:
        code, details = err.code(), err.details()
    if role not in rule.roles:
        assert (code, details) == (grpc.StatusCode.PERMISSION_DENIED, DENIED_MESSAGE)
    elif method.path in SAMPLES:
        assert code == grpc.StatusCode.OK, details
    else:  # no sample: an empty request, or a method declared and not implemented yet (UNIMPLEMENTED)
        assert code not in (
            grpc.StatusCode.PERMISSION_DENIED,
            grpc.StatusCode.UNAUTHENTICATED,
            grpc.StatusCode.INTERNAL,
            grpc.StatusCode.UNKNOWN,
        ), details


async def test_a_served_method_without_a_rule_is_refused_to_everyone_admin_included(sandbox: Kit):
    """Served beside the real ones and passing the same interceptor, but missing from the table."""
    called = []

    async def drop_everything(request: bytes, context) -> bytes:
        called.append(request)
        return b""

    server = grpc.aio.server(interceptors=[sandbox.service.access.interceptor])
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler("oms.v1.OrderService", {"DropEverything": grpc.unary_unary_rpc_method_handler(drop_everything)}),)
    )
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            call = channel.unary_unary("/oms.v1.OrderService/DropEverything")
            for role in Role:
                with pytest.raises(grpc.aio.AioRpcError) as info:
                    await call(b"", metadata=sandbox.md(role))
                assert (info.value.code(), info.value.details()) == (grpc.StatusCode.PERMISSION_DENIED, DENIED_MESSAGE)
            with pytest.raises(grpc.aio.AioRpcError) as info:
                await call(b"")
            assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
    finally:
        await server.stop(0)
    assert not called
