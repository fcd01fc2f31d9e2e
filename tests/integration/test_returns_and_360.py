"""Returns in any channel, the customer 360 view and the event stream, over gRPC."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from oms_actors.domain.money import Money
from oms_actors.payments import build_payments
from oms_actors.store.connection import connect_async
from protos.oms.v1 import (
    common_pb2,
    customers_pb2,
    events_pb2,
    events_pb2_grpc,
    fulfilment_pb2,
    orders_pb2,
    returns_pb2,
    returns_pb2_grpc,
)
from tests.integration.support import CHANNELS, World, eur, field_violations
from tests.integration.test_lifecycle import card, fulfilment, pay, ship_everything
from tests.integration.waiting import settled

pytestmark = pytest.mark.integration


def returns(world: World) -> returns_pb2_grpc.ReturnServiceStub:
    return returns_pb2_grpc.ReturnServiceStub(world.channel)


async def delivered(world: World, order: orders_pb2.Order) -> orders_pb2.Order:
    shipped = await ship_everything(world, await settled(world, order.order_id))
    for s in shipped.shipments:
        await fulfilment(world).ConfirmDelivery(
            fulfilment_pb2.ConfirmDeliveryRequest(order_id=order.order_id, shipment_id=s.shipment_id)
        )
    return await settled(world, order.order_id)


async def test_a_web_order_returned_in_a_store_is_restocked_there_and_refunded_to_two_methods(world: World, redis_server):
    sku = await world.sku({"T-DC-NORTH": 5})
    customer = await world.customer()
    client = connect_async(redis_server.url)
    gift = await build_payments(client).gift_cards.issue(
        World.unique("gc"), amount=Money(amount_minor=1000, currency="EUR"), customer_id=customer
    )
    await client.aclose()
    request = pay(
        world.order(customer, [(sku, 2)]),
        (orders_pb2.PAYMENT_METHOD_GIFT_CARD, 1000, gift.account),
        (orders_pb2.PAYMENT_METHOD_CARD, 2 * 1999 - 1000, World.unique("tok_visa")),
    )
    order = await delivered(world, (await world.orders.CreateOrder(request)).order)
    assert order.status == orders_pb2.ORDER_STATUS_DELIVERED

    rma = World.unique("RMA")
    await returns(world).RequestReturn(
        returns_pb2.RequestReturnRequest(
            order_id=order.order_id,
            return_id=rma,
            channel=common_pb2.CHANNEL_STORE,
            location_id="T-ST-MITTE",
            lines=[
                returns_pb2.ReturnLineRequest(
                    line_number=1, quantity=2, reason="does not fit", resolution=orders_pb2.RETURN_RESOLUTION_REFUND
                )
            ],
        )
    )
    await returns(world).ReceiveReturn(
        returns_pb2.ReceiveReturnRequest(
            order_id=order.order_id, return_id=rma, location_id="T-ST-MITTE",
            lines=[orders_pb2.ShipmentLine(line_number=1, quantity=2)],
        )
    )
    await returns(world).InspectReturn(returns_pb2.InspectReturnRequest(order_id=order.order_id, return_id=rma))
    done = await settled(world, order.order_id)
    [ret] = done.returns
    assert ret.status == orders_pb2.RETURN_STATUS_RESOLVED
    assert ret.refunded == eur(2 * 1999)
    assert ret.credit_notes
    # Refunded to both methods: the money goes back where it came from.
    assert sorted(p.refunded.amount_minor for p in done.payment_status) == [1000, 2 * 1999 - 1000]
    # Restocked at the store that received it, not where it shipped from.
    assert (await world.available(sku))["T-ST-MITTE"] == (2, 0)
    assert (await world.available(sku))["T-DC-NORTH"] == (3, 0)
    # Nothing more can be returned, so nothing more can be refunded than was captured.
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await returns(world).RequestReturn(
            returns_pb2.RequestReturnRequest(
                order_id=order.order_id, return_id=World.unique("RMA"), channel=common_pb2.CHANNEL_WEB,
                lines=[returns_pb2.ReturnLineRequest(line_number=1, quantity=1, resolution=orders_pb2.RETURN_RESOLUTION_REFUND)],
            )
        )
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert sum(p.refunded.amount_minor for p in done.payment_status) <= sum(p.captured.amount_minor for p in done.payment_status)


async def test_a_damaged_item_is_written_off_and_replaced(world: World):
    sku = await world.sku({"T-DC-SOUTH": 5})
    customer = await world.customer()
    order = await delivered(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)])))).order)
    rma = World.unique("RMA")
    await returns(world).RequestReturn(
        returns_pb2.RequestReturnRequest(
            order_id=order.order_id, return_id=rma, channel=common_pb2.CHANNEL_CALL_CENTER,
            lines=[returns_pb2.ReturnLineRequest(line_number=1, quantity=1, reason="arrived broken",
                                                 resolution=orders_pb2.RETURN_RESOLUTION_REPLACEMENT)],
        )
    )
    await returns(world).ReceiveReturn(
        returns_pb2.ReceiveReturnRequest(
            order_id=order.order_id, return_id=rma, location_id="T-DC-SOUTH",
            lines=[orders_pb2.ShipmentLine(line_number=1, quantity=1)],
        )
    )
    await returns(world).InspectReturn(
        returns_pb2.InspectReturnRequest(
            order_id=order.order_id, return_id=rma,
            dispositions=[returns_pb2.LineDisposition(line_number=1, disposition=returns_pb2.DISPOSITION_WRITE_OFF)],
        )
    )
    done = await settled(world, order.order_id)
    [ret] = done.returns
    assert ret.status == orders_pb2.RETURN_STATUS_RESOLVED and ret.replacement_order_id
    assert ret.lines[0].written_off == 1 and ret.refunded == eur(0)
    replacement = await settled(world, ret.replacement_order_id)
    assert replacement.customer_id == customer and replacement.total == eur(0)
    assert replacement.status == orders_pb2.ORDER_STATUS_RELEASED
    assert [(line.sku, line.quantity) for line in replacement.lines] == [(sku, 1)]
    # Written off, not restocked: the one unit shipped is gone, the replacement holds another.
    assert (await world.available(sku))["T-DC-SOUTH"] == (4, 1)


async def test_bad_return_requests_are_refused_with_clear_statuses(world: World):
    sku = await world.sku({"T-DC-WEST": 5})
    customer = await world.customer()
    order = await delivered(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)])))).order)

    def ask(order_id: str, qty: int) -> returns_pb2.RequestReturnRequest:
        return returns_pb2.RequestReturnRequest(
            order_id=order_id, return_id=World.unique("RMA"), channel=common_pb2.CHANNEL_WEB,
            lines=[returns_pb2.ReturnLineRequest(line_number=1, quantity=qty, resolution=orders_pb2.RETURN_RESOLUTION_REFUND)],
        )

    for request, code in (
        (ask(order.order_id, 2), grpc.StatusCode.FAILED_PRECONDITION),  # more than delivered
        (ask("O0000000000000000000", 1), grpc.StatusCode.NOT_FOUND),
        (ask(order.order_id, 0), grpc.StatusCode.INVALID_ARGUMENT),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await returns(world).RequestReturn(request)
        assert info.value.code() == code
    # Receiving a return that was never requested.
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await returns(world).ReceiveReturn(
            returns_pb2.ReceiveReturnRequest(
                order_id=order.order_id, return_id="NO-SUCH", location_id="T-DC-WEST",
                lines=[orders_pb2.ShipmentLine(line_number=1, quantity=1)],
            )
        )
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert not (await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id))).returns


async def test_a_customers_history_across_four_channels_in_one_call(world: World):
    sku = await world.sku({"T-DC-NORTH": 50})
    cid = World.unique("CUST")
    email = f"{cid.lower()}@example.com"
    await world.customers.UpsertCustomer(
        customers_pb2.UpsertCustomerRequest(
            customer=customers_pb2.Customer(
                customer_id=cid, type=customers_pb2.CUSTOMER_TYPE_CONSUMER, name="Ada", email=email, phone="+49 30 1234567"
            )
        )
    )
    placed = []
    for channel in CHANNELS[:4]:
        placed.append((await world.orders.CreateOrder(card(world.order(cid, [(sku, 1)], channel=channel)))).order)
    for o in placed:
        await settled(world, o.order_id)
    views = [
        customers_pb2.GetCustomer360Request(customer_id=cid),
        customers_pb2.GetCustomer360Request(email=email.upper()),
        customers_pb2.GetCustomer360Request(phone="+4930 1234 567"),
        customers_pb2.GetCustomer360Request(order_id=placed[2].order_id),
        customers_pb2.GetCustomer360Request(external_reference=placed[1].external_reference, channel=CHANNELS[1]),
    ]
    for request in views:
        view = await world.customers.GetCustomer360(request)
        assert view.customer.customer_id == cid
        assert view.order_count == 4
        assert {o.channel for o in view.orders} == set(CHANNELS[:4])
        assert {"order.created", "payment.authorized", "order.status_changed"} <= {e.type for e in view.timeline}
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await world.customers.GetCustomer360(customers_pb2.GetCustomer360Request(email="nobody@example.com"))
    assert info.value.code() == grpc.StatusCode.NOT_FOUND


async def test_a_consumer_resumes_from_its_last_event_and_misses_nothing(world: World):
    stub = events_pb2_grpc.EventServiceStub(world.channel)
    # Start after everything that happened so far.
    start = ""
    async for event in stub.WatchEvents(events_pb2.WatchEventsRequest()):
        start = event.cursor
    sku = await world.sku({"T-DC-SOUTH": 50})
    customer = await world.customer()
    orders = [(await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)])))).order for _ in range(4)]
    for o in orders:
        await ship_everything(world, await settled(world, o.order_id))

    # Read a few events, "disconnect", resume from the last cursor seen, read the rest.
    seen: list[events_pb2.Event] = []
    async for event in stub.WatchEvents(events_pb2.WatchEventsRequest(after=start, customer_id=customer, limit=5)):
        seen.append(event)
    async for event in stub.WatchEvents(events_pb2.WatchEventsRequest(after=seen[-1].cursor, customer_id=customer)):
        seen.append(event)
    # The same, read in one go, is the reference.
    whole = [e async for e in stub.WatchEvents(events_pb2.WatchEventsRequest(after=start, customer_id=customer))]
    key = lambda e: (e.order_id, e.order_version, e.type, tuple(sorted(e.data.items())))  # noqa: E731
    assert [key(e) for e in seen] == [key(e) for e in whole]
    assert len({key(e) for e in seen}) == len(seen)  # exactly once
    for o in orders:
        versions = [e.order_version for e in seen if e.order_id == o.order_id]
        assert versions == sorted(versions)  # in order per order
        types = [e.type for e in seen if e.order_id == o.order_id]
        assert types[0] == "order.created"
        assert {"payment.authorized", "shipment.shipped", "payment.captured", "invoice.issued"} <= set(types)

    # Following: a new event arrives on an open stream.
    async def first_new() -> events_pb2.Event:
        async for event in stub.WatchEvents(
            events_pb2.WatchEventsRequest(after=whole[-1].cursor, customer_id=customer, follow=True, limit=1)
        ):
            return event
        raise AssertionError("stream ended")

    waiter = asyncio.ensure_future(first_new())
    await asyncio.sleep(0.2)
    late = (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)])))).order
    event = await asyncio.wait_for(waiter, timeout=20)
    assert (event.order_id, event.type) == (late.order_id, "order.created")


async def test_a_delivered_order_closes_once_its_return_window_shuts(world: World, oms):
    sku = await world.sku({"T-DC-NORTH": 5})
    customer = await world.customer()
    order = await delivered(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)])))).order)
    shard = oms.actors.orders[oms.backend.orders.shard(order.order_id)]
    # Still within a day's window: it stays open (the shard's other orders are other tests').
    await shard.close_settled.remote(window_ms=86_400_000)
    still = await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id))
    assert still.status == orders_pb2.ORDER_STATUS_DELIVERED
    assert await shard.close_settled.remote(window_ms=0) >= 1
    closed = await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id))
    assert closed.status == orders_pb2.ORDER_STATUS_CLOSED
    late = returns_pb2.RequestReturnRequest(
        order_id=order.order_id, return_id=World.unique("RMA"), channel=common_pb2.CHANNEL_WEB,
        lines=[returns_pb2.ReturnLineRequest(line_number=1, quantity=1, reason="late", resolution=orders_pb2.RETURN_RESOLUTION_REFUND)],
    )  # fmt: skip
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await returns(world).RequestReturn(late)
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_two_lines_shipped_together_and_returned_together_are_both_refunded(world: World):
    first, second = await world.sku({"T-DC-WEST": 5}), await world.sku({"T-DC-WEST": 5})
    customer = await world.customer()
    order = await delivered(world, (await world.orders.CreateOrder(card(world.order(customer, [(first, 1), (second, 2)])))).order)
    [shipment] = order.shipments  # one capture paid for both lines
    rma = World.unique("RMA")
    refund = orders_pb2.RETURN_RESOLUTION_REFUND
    await returns(world).RequestReturn(
        returns_pb2.RequestReturnRequest(
            order_id=order.order_id, return_id=rma, channel=common_pb2.CHANNEL_WEB,
            lines=[
                returns_pb2.ReturnLineRequest(line_number=1, quantity=1, resolution=refund),
                returns_pb2.ReturnLineRequest(line_number=2, quantity=2, resolution=refund),
            ],
        )
    )  # fmt: skip
    await returns(world).ReceiveReturn(
        returns_pb2.ReceiveReturnRequest(
            order_id=order.order_id, return_id=rma, location_id="T-DC-WEST",
            lines=[orders_pb2.ShipmentLine(line_number=1, quantity=1), orders_pb2.ShipmentLine(line_number=2, quantity=2)],
        )
    )  # fmt: skip
    await returns(world).InspectReturn(returns_pb2.InspectReturnRequest(order_id=order.order_id, return_id=rma))
    done = await settled(world, order.order_id)
    [ret] = done.returns
    assert ret.status == orders_pb2.RETURN_STATUS_RESOLVED and not done.pending_steps
    assert ret.refunded == shipment.value and done.payment_status[0].refunded == shipment.value  # 3 × 19.99, once
    assert [line.refunded for line in ret.lines] == [eur(1_999), eur(3_998)]


async def test_a_return_reason_code_is_kept_for_the_reports_and_a_bad_one_refused(world: World):
    sku = await world.sku({"T-DC-NORTH": 2})
    order = await delivered(world, (await world.orders.CreateOrder(card(world.order(await world.customer(), [(sku, 1)])))).order)
    ask = returns_pb2.RequestReturnRequest(
        order_id=order.order_id, return_id=World.unique("RMA"), channel=common_pb2.CHANNEL_WEB,
        lines=[returns_pb2.ReturnLineRequest(line_number=1, quantity=1, reason="sleeves too short",
                                             resolution=orders_pb2.RETURN_RESOLUTION_REFUND, reason_code=99)],
    )  # fmt: skip
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await returns(world).RequestReturn(ask)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and field_violations(info.value) == {"lines[0].reason_code"}
    ask.lines[0].reason_code = orders_pb2.RETURN_REASON_DOES_NOT_FIT
    [ret] = (await returns(world).RequestReturn(ask)).returns
    assert ret.lines[0].reason_code == orders_pb2.RETURN_REASON_DOES_NOT_FIT and ret.lines[0].reason == "sleeves too short"
    ask.lines[0].reason_code = orders_pb2.RETURN_REASON_CHANGED_MIND  # the same return id, another reason: another request
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await returns(world).RequestReturn(ask)
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_a_return_parcel_on_its_way_is_visible_to_service_and_in_the_customers_timeline(world: World):
    sku = await world.sku({"T-DC-NORTH": 2})
    customer = await world.customer()
    order = await delivered(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)])))).order)
    rma = World.unique("RMA")
    await returns(world).RequestReturn(
        returns_pb2.RequestReturnRequest(
            order_id=order.order_id, return_id=rma, channel=common_pb2.CHANNEL_WEB, location_id="T-DC-NORTH",
            lines=[returns_pb2.ReturnLineRequest(line_number=1, quantity=1, reason="too big",
                                                 resolution=orders_pb2.RETURN_RESOLUTION_REFUND)],
        )
    )  # fmt: skip
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await returns(world).TrackReturn(returns_pb2.TrackReturnRequest(order_id=order.order_id, return_id=rma, carrier="dhl"))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and field_violations(info.value) == {"tracking"}
    track = returns_pb2.TrackReturnRequest(order_id=order.order_id, return_id=rma, carrier="dhl", tracking="RT-42")
    sent = await returns(world).TrackReturn(track)
    [ret] = sent.returns
    assert (ret.inbound_carrier, ret.inbound_tracking) == ("dhl", "RT-42") and ret.HasField("sent_at")
    assert (await returns(world).TrackReturn(track)).version == sent.version  # repeated: no change
    view = await world.customers.GetCustomer360(customers_pb2.GetCustomer360Request(customer_id=customer))
    assert "return.in_transit" in {e.type for e in view.timeline}
    await returns(world).ReceiveReturn(
        returns_pb2.ReceiveReturnRequest(
            order_id=order.order_id, return_id=rma, location_id="T-DC-NORTH", lines=[orders_pb2.ShipmentLine(line_number=1, quantity=1)]
        )
    )
    track.tracking = "RT-43"
    with pytest.raises(grpc.aio.AioRpcError) as info:  # it has arrived
        await returns(world).TrackReturn(track)
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
