"""Order capture end to end: real gRPC server on a free port, real local Ray, real Redis."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from gateway.auth import Role
from oms_actors.domain.enums import Channel
from protos.oms.v1 import common_pb2, customers_pb2, inventory_pb2, orders_pb2
from tests.integration.support import CHANNELS, World, eur, field_violations
from tests.integration.test_billing import as_role
from tests.integration.waiting import settled

pytestmark = pytest.mark.integration


async def test_an_order_from_every_channel_is_accepted_reserved_and_readable(world: World):
    sku = await world.sku({"T-DC-NORTH": 100})
    customer = await world.customer()
    placed = []
    for channel in CHANNELS:
        resp = await world.orders.CreateOrder(world.order(customer, [(sku, 2)], channel=channel))
        assert not resp.replayed
        order = resp.order
        # Nothing to authorise and no risk rule applies: approved and released before the answer.
        assert order.status == orders_pb2.ORDER_STATUS_RELEASED
        assert order.channel == channel
        assert order.total == eur(2 * 1999)
        assert [(a.location_id, a.quantity) for a in order.lines[0].allocations] == [("T-DC-NORTH", 2)]
        assert order.sourcing.status == "OPTIMAL"
        assert order.sourcing.cost_minor <= order.sourcing.greedy_cost_minor
        placed.append(order)
    for order in placed:
        read = await settled(world, order.order_id)
        # No payment to authorise and no risk rule applies: approved and released to the location.
        assert read.status == orders_pb2.ORDER_STATUS_RELEASED
        assert read.approval.status == orders_pb2.APPROVAL_STATUS_APPROVED
        assert [(a.location_id, a.quantity) for a in read.lines[0].released] == [("T-DC-NORTH", 2)]
        assert (read.order_id, read.lines[0].allocations, read.total) == (order.order_id, order.lines[0].allocations, order.total)
    assert await world.reserved(sku) == 2 * len(CHANNELS)


async def test_list_by_customer_spans_channels_newest_first_with_stable_pages(world: World):
    sku = await world.sku({"T-DC-SOUTH": 100})
    customer = await world.customer()
    ids = []
    for channel in CHANNELS:
        resp = await world.orders.CreateOrder(world.order(customer, [(sku, 1)], channel=channel))
        ids.append(resp.order.order_id)
    first = await world.orders.ListOrders(orders_pb2.ListOrdersRequest(customer_id=customer, page_size=4))
    assert len(first.orders) == 4 and first.next_page_token
    # Orders placed between two pages neither shift nor repeat what comes next.
    late = await world.orders.CreateOrder(world.order(customer, [(sku, 1)], channel=common_pb2.CHANNEL_WEB))
    second = await world.orders.ListOrders(
        orders_pb2.ListOrdersRequest(customer_id=customer, page_size=4, page_token=first.next_page_token)
    )
    assert not second.next_page_token
    listed = [o.order_id for o in first.orders] + [o.order_id for o in second.orders]
    assert sorted(listed) == sorted(ids) and len(set(listed)) == len(ids)
    assert {o.channel for o in first.orders} | {o.channel for o in second.orders} == set(CHANNELS)
    created = [o.created_at.ToMilliseconds() for o in [*first.orders, *second.orders]]
    assert created == sorted(created, reverse=True)
    fresh = await world.orders.ListOrders(orders_pb2.ListOrdersRequest(customer_id=customer, page_size=1))
    assert fresh.orders[0].order_id == late.order.order_id
    only_store = await world.orders.ListOrders(
        orders_pb2.ListOrdersRequest(customer_id=customer, channel=common_pb2.CHANNEL_STORE)
    )
    assert [o.channel for o in only_store.orders] == [common_pb2.CHANNEL_STORE]


async def test_list_in_the_basic_view_names_the_same_orders_with_their_standing_only(world: World):
    sku = await world.sku({"T-DC-SOUTH": 100})
    customer = await world.customer()
    placed = [(await world.orders.CreateOrder(world.order(customer, [(sku, 1)]))).order for _ in range(3)]
    asked = orders_pb2.ListOrdersRequest(customer_id=customer, page_size=2, view=orders_pb2.ORDER_VIEW_BASIC)
    first = await world.orders.ListOrders(asked)
    asked.page_token = first.next_page_token
    second = await world.orders.ListOrders(asked)
    listed = [*first.orders, *second.orders]
    assert [o.order_id for o in listed] == [o.order_id for o in reversed(placed)]
    assert all(o.customer_id == customer and o.status and o.total == eur(1999) and not o.lines for o in listed)
    one = await world.orders.ListOrders(
        orders_pb2.ListOrdersRequest(
            channel=common_pb2.CHANNEL_WEB, external_reference=placed[0].external_reference, view=orders_pb2.ORDER_VIEW_BASIC
        )
    )
    assert [(o.order_id, len(o.lines)) for o in one.orders] == [(placed[0].order_id, 0)]
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await world.orders.ListOrders(orders_pb2.ListOrdersRequest(customer_id=customer, view=9))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "view" in field_violations(info.value)


async def test_list_by_time_range_and_by_the_channels_own_reference(world: World):
    from google.protobuf import timestamp_pb2

    def ts(ms: int) -> timestamp_pb2.Timestamp:
        out = timestamp_pb2.Timestamp()
        out.FromMilliseconds(ms)
        return out

    sku = await world.sku({"T-DC-SOUTH": 100})
    customer = await world.customer()
    placed = []
    for _ in range(4):
        placed.append((await world.orders.CreateOrder(world.order(customer, [(sku, 1)]))).order)
        await asyncio.sleep(0.01)  # distinct creation times
    times = [o.created_at.ToMilliseconds() for o in placed]
    middle = await world.orders.ListOrders(
        orders_pb2.ListOrdersRequest(customer_id=customer, created_from=ts(times[1]), created_before=ts(times[3]))
    )
    assert [o.order_id for o in middle.orders] == [placed[2].order_id, placed[1].order_id]
    # Paged through the range, page by page, nothing outside it and nothing twice.
    seen, token = [], ""
    while True:
        page = await world.orders.ListOrders(
            orders_pb2.ListOrdersRequest(customer_id=customer, created_from=ts(times[0]), page_size=1, page_token=token)
        )
        seen += [o.order_id for o in page.orders]
        token = page.next_page_token
        if not token:
            break
    assert seen == [o.order_id for o in reversed(placed)]
    # A token of one range is not a token of another.
    first = await world.orders.ListOrders(orders_pb2.ListOrdersRequest(customer_id=customer, page_size=1))
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await world.orders.ListOrders(
            orders_pb2.ListOrdersRequest(customer_id=customer, created_from=ts(times[1]), page_token=first.next_page_token)
        )
    assert "page_token" in field_violations(info.value)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await world.orders.ListOrders(orders_pb2.ListOrdersRequest(created_from=ts(times[2]), created_before=ts(times[1])))
    assert "created_before" in field_violations(info.value)

    # The marketplace's own order number finds its order; another channel's reference space does not.
    ref = placed[0].external_reference
    found = await world.orders.ListOrders(orders_pb2.ListOrdersRequest(channel=placed[0].channel, external_reference=ref))
    assert [o.order_id for o in found.orders] == [placed[0].order_id]
    other = await world.orders.ListOrders(orders_pb2.ListOrdersRequest(channel=common_pb2.CHANNEL_STORE, external_reference=ref))
    assert list(other.orders) == []
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await world.orders.ListOrders(orders_pb2.ListOrdersRequest(external_reference=ref))
    assert "channel" in field_violations(info.value)


async def test_list_by_sku_finds_every_order_with_a_line_of_it_for_a_recall(world: World, oms):
    recalled, other = await world.sku({"T-DC-SOUTH": 100}), await world.sku({"T-DC-SOUTH": 100})
    first, second = await world.customer(), await world.customer()
    with_it = [
        (await world.orders.CreateOrder(world.order(first, [(other, 1), (recalled, 2)]))).order,
        (await world.orders.CreateOrder(world.order(second, [(recalled, 1)], channel=common_pb2.CHANNEL_STORE))).order,
        (await world.orders.CreateOrder(world.order(second, [(recalled, 1)]))).order,
    ]
    await world.orders.CreateOrder(world.order(first, [(other, 1)]))  # nothing of it
    recall = orders_pb2.ListOrdersRequest(sku=recalled, page_size=2, view=orders_pb2.ORDER_VIEW_BASIC)
    found = []
    while True:
        page = await world.orders.ListOrders(recall)
        found += page.orders
        if not page.next_page_token:
            break
        recall.page_token = page.next_page_token
    assert [o.order_id for o in found] == [o.order_id for o in reversed(with_it)]
    assert {o.customer_id for o in found} == {first, second}  # whom to tell
    # With the other filters: one customer's, one channel's; a channel key sees its own only.
    mine = await world.orders.ListOrders(orders_pb2.ListOrdersRequest(sku=recalled, customer_id=first))
    assert [o.order_id for o in mine.orders] == [with_it[0].order_id]
    store = await as_role(oms, Role.CHANNEL, channel=Channel.STORE)
    try:
        seen = await store.orders.ListOrders(orders_pb2.ListOrdersRequest(sku=recalled))
        assert [o.order_id for o in seen.orders] == [with_it[1].order_id]
    finally:
        await store.close()
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await world.orders.ListOrders(orders_pb2.ListOrdersRequest(sku="no sku"))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and field_violations(info.value) == {"sku"}


async def test_a_page_token_is_bound_to_its_filters(world: World):
    customer = await world.customer()
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await world.orders.ListOrders(orders_pb2.ListOrdersRequest(customer_id=customer, page_token="garbage"))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "page_token" in field_violations(info.value)


async def test_retry_with_same_key_returns_same_order_and_reserves_nothing_more(world: World):
    sku = await world.sku({"T-DC-WEST": 10})
    customer = await world.customer()
    request = world.order(customer, [(sku, 3)])
    first = await world.orders.CreateOrder(request)
    again = await asyncio.gather(*(world.orders.CreateOrder(request) for _ in range(5)))
    assert all(r.order.order_id == first.order.order_id and r.replayed for r in again)
    assert await world.reserved(sku) == 3
    listed = await world.orders.ListOrders(orders_pb2.ListOrdersRequest(customer_id=customer))
    assert [o.order_id for o in listed.orders] == [first.order.order_id]


async def test_concurrent_first_attempts_with_one_key_create_one_order(world: World):
    sku = await world.sku({"T-DC-WEST": 10})
    customer = await world.customer()
    request = world.order(customer, [(sku, 1)])
    answers = await asyncio.gather(*(world.orders.CreateOrder(request) for _ in range(8)))
    assert len({a.order.order_id for a in answers}) == 1
    assert sum(not a.replayed for a in answers) == 1
    assert await world.reserved(sku) == 1


async def test_same_key_with_different_content_is_already_exists_and_changes_nothing(world: World):
    sku = await world.sku({"T-DC-WEST": 10})
    customer = await world.customer()
    request = world.order(customer, [(sku, 1)])
    await world.orders.CreateOrder(request)
    changed = orders_pb2.CreateOrderRequest()
    changed.CopyFrom(request)
    changed.lines[0].quantity = 4
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await world.orders.CreateOrder(changed)
    assert info.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert await world.reserved(sku) == 1
    # The key is scoped to its channel: another channel may use it.
    other = orders_pb2.CreateOrderRequest()
    other.CopyFrom(changed)
    other.channel = common_pb2.CHANNEL_MOBILE_APP
    assert (await world.orders.CreateOrder(other)).order.lines[0].quantity == 4


def _bad_cases(sku: str, other_sku: str):
    def line(**kw):
        base = dict(sku=sku, quantity=1, unit_price=eur(100))
        base.update(kw)
        return orders_pb2.OrderLineInput(**base)

    return [
        ("missing lines", lambda r: r.ClearField("lines"), "lines"),
        ("zero quantity", lambda r: r.lines[0].__setattr__("quantity", 0), "lines[0].quantity"),
        ("negative quantity", lambda r: r.lines[0].__setattr__("quantity", -3), "lines[0].quantity"),
        ("unknown sku", lambda r: r.lines[0].__setattr__("sku", "NO-SUCH-SKU"), "lines[0].sku"),
        ("unspecified channel", lambda r: r.__setattr__("channel", 0), "channel"),
        ("unspecified delivery", lambda r: r.__setattr__("delivery_mode", 0), "delivery_mode"),
        ("oversized key", lambda r: r.__setattr__("idempotency_key", "k" * 500), "idempotency_key"),
        ("too many lines", lambda r: r.lines.extend([line()] * 200), "lines"),
        ("duplicate sku", lambda r: r.lines.append(line()), "lines[1].sku"),
        ("negative price", lambda r: r.lines[0].unit_price.__setattr__("amount_minor", -1), "lines[0].unit_price.amount_minor"),
        ("bad currency", lambda r: r.lines[0].unit_price.__setattr__("currency", "XXX1"), "lines[0].unit_price.currency"),
        ("mixed currency", lambda r: r.lines.append(line(sku=other_sku, unit_price=common_pb2.Money(amount_minor=1, currency="USD"))), "lines[1].unit_price.currency"),
        ("unknown pickup store", lambda r: (r.__setattr__("delivery_mode", common_pb2.DELIVERY_MODE_PICKUP_IN_STORE), r.__setattr__("pickup_location_id", "T-DC-NORTH")), "pickup_location_id"),
        ("ship without address", lambda r: r.ClearField("ship_to"), "ship_to"),
        ("latitude out of range", lambda r: r.ship_to.position.__setattr__("latitude", 123.0), "ship_to.position.latitude"),
        ("unknown customer", lambda r: r.__setattr__("customer_id", "NO-SUCH-CUSTOMER"), "customer_id"),
        ("payments not adding up", lambda r: r.payments.add(method=orders_pb2.PAYMENT_METHOD_CARD, amount=eur(1), token="tok_1234567890"), "payments"),
    ]


@pytest.mark.parametrize("case", range(17))
async def test_bad_input_is_invalid_argument_naming_the_field_and_writes_nothing(world: World, case: int):
    sku = await world.sku({"T-DC-NORTH": 5})
    other = await world.sku({"T-DC-NORTH": 5})
    name, mutate, field = _bad_cases(sku, other)[case]
    customer = await world.customer()
    request = world.order(customer, [(sku, 1)])
    mutate(request)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await world.orders.CreateOrder(request)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT, name
    assert field in field_violations(info.value), (name, field_violations(info.value))
    assert await world.reserved(sku) == 0 and await world.reserved(other) == 0
    listed = await world.orders.ListOrders(orders_pb2.ListOrdersRequest(customer_id=customer))
    assert list(listed.orders) == []
    # The key was not consumed: the corrected request succeeds as a new order.
    key = request.idempotency_key if field != "idempotency_key" else None
    fixed = world.order(customer, [(sku, 1)], key=key)
    assert not (await world.orders.CreateOrder(fixed)).replayed


async def test_more_demand_than_stock_is_backordered_never_oversold(world: World):
    sku = await world.sku({"T-DC-NORTH": 3, "T-ST-LEIPZIG": 2})
    customer = await world.customer()
    answers = await asyncio.gather(*(world.orders.CreateOrder(world.order(customer, [(sku, 2)])) for _ in range(6)))
    allocated = sum(a.order.lines[0].quantity - a.order.lines[0].backordered_quantity for a in answers)
    assert allocated == 5
    assert await world.reserved(sku) == 5
    assert {a.order.status for a in answers} <= {
        orders_pb2.ORDER_STATUS_RELEASED,
        orders_pb2.ORDER_STATUS_PARTLY_BACKORDERED,
        orders_pb2.ORDER_STATUS_BACKORDERED,
    }
    assert sum(a.order.lines[0].backordered_quantity for a in answers) == 12 - 5


async def test_split_order_takes_lines_from_several_locations(world: World):
    a = await world.sku({"T-DC-NORTH": 5})
    b = await world.sku({"T-DC-SOUTH": 5})
    customer = await world.customer()
    order = (await world.orders.CreateOrder(world.order(customer, [(a, 1), (b, 2)]))).order
    assert order.status == orders_pb2.ORDER_STATUS_RELEASED
    assert {x.location_id for line in order.lines for x in line.allocations} == {"T-DC-NORTH", "T-DC-SOUTH"}
    assert order.sourcing.shipments == 2


async def test_pickup_in_store_reserves_at_that_store(world: World):
    sku = await world.sku({"T-ST-MITTE": 2, "T-DC-NORTH": 50})
    customer = await world.customer()
    order = (await world.orders.CreateOrder(world.order(customer, [(sku, 2)], pickup="T-ST-MITTE"))).order
    assert [(x.location_id, x.quantity) for x in order.lines[0].allocations] == [("T-ST-MITTE", 2)]


async def test_cancel_releases_reserved_stock_and_is_idempotent(world: World):
    sku = await world.sku({"T-DC-SOUTH": 4})
    customer = await world.customer()
    order = (await world.orders.CreateOrder(world.order(customer, [(sku, 3)]))).order
    assert await world.reserved(sku) == 3
    cancelled = await world.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=order.order_id, reason="changed mind"))
    assert cancelled.status == orders_pb2.ORDER_STATUS_CANCELLED
    assert cancelled.cancel_reason == "changed mind"
    assert await world.reserved(sku) == 0
    again = await world.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=order.order_id))
    assert again.status == orders_pb2.ORDER_STATUS_CANCELLED
    assert await world.reserved(sku) == 0
    read = await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id))
    assert read.status == orders_pb2.ORDER_STATUS_CANCELLED


async def test_unknown_order_is_not_found(world: World):
    for call in (
        world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id="O0000000000000000000")),
        world.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id="O0000000000000000000")),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await call
        assert info.value.code() == grpc.StatusCode.NOT_FOUND


async def test_batch_rpc_answers_each_order_on_its_own(world: World):
    sku = await world.sku({"T-DC-NORTH": 10})
    customer = await world.customer()
    good = [world.order(customer, [(sku, 1)]) for _ in range(3)]
    bad = world.order(customer, [(sku, 0)])
    resp = await world.orders.CreateOrders(orders_pb2.CreateOrdersRequest(orders=[good[0], bad, good[1], good[2], good[0]]))
    kinds = [r.WhichOneof("outcome") for r in resp.results]
    assert kinds == ["order", "error", "order", "order", "order"]
    assert resp.results[1].error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert resp.results[4].order.order_id == resp.results[0].order.order_id and resp.results[4].replayed
    assert await world.reserved(sku) == 3


async def test_batch_rpc_answers_with_the_basic_view_when_asked(world: World):
    sku = await world.sku({"T-DC-NORTH": 10})
    customer = await world.customer()
    requests = [world.order(customer, [(sku, 2)]) for _ in range(2)]
    basic = await world.orders.CreateOrders(orders_pb2.CreateOrdersRequest(orders=requests, view=orders_pb2.ORDER_VIEW_BASIC))
    full = await world.orders.CreateOrders(orders_pb2.CreateOrdersRequest(orders=requests))
    assert [r.WhichOneof("outcome") for r in basic.results] == ["order", "order"]
    assert [r.replayed for r in full.results] == [True, True]
    standing = {
        "order_id", "channel", "customer_id", "idempotency_key", "external_reference", "status", "approval", "total",
        "payable", "created_at", "updated_at", "version", "promised_delivery",
    }  # fmt: skip
    for b, f in zip(basic.results, full.results):
        # The basic answer carries the order's identity and standing, nothing else; the
        # full one (the default) everything, as GetOrder does.
        assert {field.name for field, _ in b.order.ListFields()} <= standing
        assert b.order.order_id == f.order.order_id
        for name in ("customer_id", "idempotency_key", "external_reference", "channel", "total", "created_at"):
            assert getattr(b.order, name) == getattr(f.order, name), name
        assert b.order.total == eur(2 * 1999) and b.order.payable == eur(2 * 1999)
        assert b.order.status != orders_pb2.ORDER_STATUS_UNSPECIFIED and b.order.version >= 1
        assert b.order.approval.status != orders_pb2.APPROVAL_STATUS_UNSPECIFIED
        assert list(b.order.lines) == [] and len(f.order.lines) == 1 and f.order.HasField("ship_to")
    assert await world.reserved(sku) == 4


async def test_batch_rpc_with_an_unknown_view_is_refused_and_places_nothing(world: World):
    sku = await world.sku({"T-DC-NORTH": 10})
    customer = await world.customer()
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await world.orders.CreateOrders(orders_pb2.CreateOrdersRequest(orders=[world.order(customer, [(sku, 1)])], view=7))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "view" in field_violations(info.value)
    assert await world.reserved(sku) == 0
    assert list((await world.orders.ListOrders(orders_pb2.ListOrdersRequest(customer_id=customer))).orders) == []


async def test_set_stock_and_availability_refuse_bad_input_and_change_nothing(world: World):
    sku = await world.sku({"T-DC-NORTH": 7})
    bad = inventory_pb2.SetStockRequest(
        levels=[
            inventory_pb2.StockLevel(location_id="T-DC-NORTH", sku=sku, on_hand=1),
            inventory_pb2.StockLevel(location_id="NOWHERE", sku=sku, on_hand=1),
            inventory_pb2.StockLevel(location_id="T-DC-SOUTH", sku=sku, on_hand=-2),
        ]
    )
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await world.inventory.SetStock(bad)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert {"levels[1].location_id", "levels[2].on_hand"} <= field_violations(info.value)
    assert await world.available(sku) == {"T-DC-NORTH": (7, 0)}


async def test_customers_are_validated_and_read_back(world: World):
    cid = await world.customer(business=True)
    got = await world.customers.GetCustomer(customers_pb2.GetCustomerRequest(customer_id=cid))
    assert got.type == customers_pb2.CUSTOMER_TYPE_BUSINESS and got.created_at.seconds > 0
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await world.customers.UpsertCustomer(
            customers_pb2.UpsertCustomerRequest(customer=customers_pb2.Customer(customer_id="x", email="nope"))
        )
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert {"customer.type", "customer.email"} <= field_violations(info.value)
