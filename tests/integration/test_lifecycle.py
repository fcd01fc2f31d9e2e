"""The order lifecycle over gRPC: approval, payments per shipment, invoices, holds, reviews, cancellation."""

from __future__ import annotations

import grpc
import pytest

from protos.oms.v1 import customers_pb2, fulfilment_pb2, fulfilment_pb2_grpc, orders_pb2
from tests.integration.support import World, eur
from tests.integration.waiting import settled

pytestmark = pytest.mark.integration


def pay(req: orders_pb2.CreateOrderRequest, *methods: tuple[int, int, str]) -> orders_pb2.CreateOrderRequest:
    for method, amount, token in methods:
        req.payments.add(method=method, amount=eur(amount), token=token)
    return req


def card(req: orders_pb2.CreateOrderRequest, token: str = "") -> orders_pb2.CreateOrderRequest:
    """Paid by card; a card of its own unless one is given (the risk rules count orders per card)."""
    total = sum(line.quantity * line.unit_price.amount_minor for line in req.lines)
    return pay(req, (orders_pb2.PAYMENT_METHOD_CARD, total, token or World.unique("tok_visa")))


def fulfilment(world: World) -> fulfilment_pb2_grpc.FulfilmentServiceStub:
    return fulfilment_pb2_grpc.FulfilmentServiceStub(world.channel)


async def ship_everything(world: World, order: orders_pb2.Order) -> orders_pb2.Order:
    """Each location confirms what it was released, as one shipment."""
    by_location: dict[str, list[orders_pb2.ShipmentLine]] = {}
    for line in order.lines:
        for r in line.released:
            by_location.setdefault(r.location_id, []).append(
                orders_pb2.ShipmentLine(line_number=line.line_number, quantity=r.quantity)
            )
    for i, (loc, lines) in enumerate(sorted(by_location.items())):
        await fulfilment(world).ConfirmShipment(
            fulfilment_pb2.ConfirmShipmentRequest(
                order_id=order.order_id, location_id=loc, shipment_id=f"{order.order_id}-S{i}", lines=lines,
                carrier="DHL", tracking=f"TRK{i}",
            )
        )
    return await settled(world, order.order_id)


async def test_an_order_split_over_three_locations_is_captured_in_three_invoices_summing_to_the_total(world: World):
    skus = [
        await world.sku({"T-DC-NORTH": 5}),
        await world.sku({"T-DC-SOUTH": 5}),
        await world.sku({"T-DC-WEST": 5}),
    ]
    customer = await world.customer()
    placed = (await world.orders.CreateOrder(card(world.order(customer, [(s, 2) for s in skus])))).order
    order = await settled(world, placed.order_id)
    assert order.status == orders_pb2.ORDER_STATUS_RELEASED
    assert order.payment_status[0].status == orders_pb2.PAYMENT_STATUS_AUTHORIZED
    requests = await fulfilment(world).ListFulfilmentRequests(
        fulfilment_pb2.ListFulfilmentRequestsRequest(location_id="T-DC-SOUTH")
    )
    assert any(r.order_id == order.order_id for r in requests.requests)

    shipped = await ship_everything(world, order)
    assert shipped.status == orders_pb2.ORDER_STATUS_SHIPPED
    assert len(shipped.shipments) == 3
    invoices = [s.invoice_number for s in shipped.shipments]
    assert all(invoices) and len(set(invoices)) == 3
    assert sum(s.value.amount_minor for s in shipped.shipments) == shipped.total.amount_minor
    assert shipped.payment_status[0].captured == shipped.total
    assert shipped.payment_status[0].status == orders_pb2.PAYMENT_STATUS_CAPTURED
    # Stock left with the shipments: on hand went down, nothing is reserved any more.
    for sku in skus:
        assert sorted((await world.available(sku)).values()) == [(3, 0)]
    for s in shipped.shipments:
        delivered = await fulfilment(world).ConfirmDelivery(
            fulfilment_pb2.ConfirmDeliveryRequest(order_id=order.order_id, shipment_id=s.shipment_id)
        )
    assert delivered.status == orders_pb2.ORDER_STATUS_DELIVERED


async def test_a_declined_card_holds_the_order_and_nothing_ships(world: World):
    sku = await world.sku({"T-DC-NORTH": 5})
    customer = await world.customer()
    placed = (
        await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)]), token="tok_decline_insufficient_funds"))
    ).order
    order = await settled(world, placed.order_id)
    assert order.status == orders_pb2.ORDER_STATUS_ON_HOLD
    assert order.payment_status[0].status == orders_pb2.PAYMENT_STATUS_DECLINED
    assert any("declined" in r for r in order.approval.reasons)
    assert not any(line.released for line in order.lines)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await fulfilment(world).ConfirmShipment(
            fulfilment_pb2.ConfirmShipmentRequest(
                order_id=order.order_id, location_id="T-DC-NORTH", shipment_id="S-x",
                lines=[orders_pb2.ShipmentLine(line_number=1, quantity=1)],
            )
        )
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    # A reviewer cannot approve it while the payment is not authorised.
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await world.orders.ReviewOrder(
            orders_pb2.ReviewOrderRequest(order_id=order.order_id, decision=orders_pb2.REVIEW_DECISION_APPROVE)
        )
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    rejected = await world.orders.ReviewOrder(
        orders_pb2.ReviewOrderRequest(order_id=order.order_id, decision=orders_pb2.REVIEW_DECISION_REJECT, note="no payment")
    )
    assert rejected.status == orders_pb2.ORDER_STATUS_REJECTED
    await settled(world, order.order_id)
    assert await world.reserved(sku) == 0


async def test_a_held_order_approved_in_review_proceeds(world: World):
    sku = await world.sku({"T-DC-WEST": 5})
    customer = await world.customer()
    # A first order above the first-order limit of the default risk rules is held.
    placed = (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)], price=150_000)))).order
    held = await settled(world, placed.order_id)
    assert held.status == orders_pb2.ORDER_STATUS_ON_HOLD
    assert any("first order" in r for r in held.approval.reasons)
    approved = await world.orders.ReviewOrder(
        orders_pb2.ReviewOrderRequest(order_id=held.order_id, decision=orders_pb2.REVIEW_DECISION_APPROVE, note="called the customer")
    )
    assert approved.approval.status == orders_pb2.APPROVAL_STATUS_APPROVED
    released = await settled(world, held.order_id)
    assert released.status == orders_pb2.ORDER_STATUS_RELEASED
    assert released.approval.decided_by not in ("", "risk-rules")


async def test_a_business_customer_over_the_credit_limit_is_held(world: World):
    sku = await world.sku({"T-DC-SOUTH": 50})
    cid = World.unique("B2B")
    await world.customers.UpsertCustomer(
        customers_pb2.UpsertCustomerRequest(
            customer=customers_pb2.Customer(
                customer_id=cid, type=customers_pb2.CUSTOMER_TYPE_BUSINESS, name="Acme GmbH", credit_limit=eur(50_000)
            )
        )
    )
    within = world.order(cid, [(sku, 2)], price=20_000)
    within = pay(within, (orders_pb2.PAYMENT_METHOD_INVOICE, 40_000, ""))
    first = await settled(world, (await world.orders.CreateOrder(within)).order.order_id)
    assert first.status == orders_pb2.ORDER_STATUS_RELEASED
    await ship_everything(world, first)  # invoiced: 40,000 now open on account
    over = pay(world.order(cid, [(sku, 1)], price=20_000), (orders_pb2.PAYMENT_METHOD_INVOICE, 20_000, ""))
    second = await settled(world, (await world.orders.CreateOrder(over)).order.order_id)
    assert second.status == orders_pb2.ORDER_STATUS_ON_HOLD
    assert any("credit" in r for r in second.approval.reasons)


async def test_cancelling_after_a_partial_shipment_voids_only_the_rest(world: World):
    a = await world.sku({"T-DC-NORTH": 5})
    b = await world.sku({"T-DC-SOUTH": 5})
    customer = await world.customer()
    placed = (await world.orders.CreateOrder(card(world.order(customer, [(a, 1), (b, 1)])))).order
    order = await settled(world, placed.order_id)
    north = [line for line in order.lines if line.sku == a][0]
    await fulfilment(world).ConfirmShipment(
        fulfilment_pb2.ConfirmShipmentRequest(
            order_id=order.order_id, location_id="T-DC-NORTH", shipment_id=f"{order.order_id}-N",
            lines=[orders_pb2.ShipmentLine(line_number=north.line_number, quantity=1)],
        )
    )
    await settled(world, order.order_id)
    cancelled = await world.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=order.order_id, reason="late"))
    final = await settled(world, cancelled.order_id)
    assert final.status == orders_pb2.ORDER_STATUS_SHIPPED
    payment = final.payment_status[0]
    assert payment.captured == eur(1999)
    assert payment.status == orders_pb2.PAYMENT_STATUS_CAPTURED  # the rest was voided
    assert final.payable == eur(1999)
    assert await world.reserved(b) == 0
    assert sorted((await world.available(a)).values()) == [(4, 0)]


async def test_shipment_confirmations_are_idempotent_and_checked(world: World):
    sku = await world.sku({"T-DC-NORTH": 5})
    customer = await world.customer()
    order = await settled(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 2)])))).order.order_id)
    confirm = fulfilment_pb2.ConfirmShipmentRequest(
        order_id=order.order_id, location_id="T-DC-NORTH", shipment_id=f"{order.order_id}-S1",
        lines=[orders_pb2.ShipmentLine(line_number=1, quantity=2)],
    )
    await fulfilment(world).ConfirmShipment(confirm)
    again = await fulfilment(world).ConfirmShipment(confirm)
    assert len(again.shipments) == 1
    done = await settled(world, order.order_id)
    assert done.payment_status[0].captured == eur(2 * 1999)
    assert sorted((await world.available(sku)).values()) == [(3, 0)]
    wrong = fulfilment_pb2.ConfirmShipmentRequest(
        order_id=order.order_id, location_id="T-DC-SOUTH", shipment_id="other",
        lines=[orders_pb2.ShipmentLine(line_number=1, quantity=1)],
    )
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await fulfilment(world).ConfirmShipment(wrong)
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_the_risk_rules_count_a_customers_earlier_orders_and_card_use(world: World):
    # The counts are read while the order is being sourced; they must still see the
    # orders saved before it (defaults: first order above 1,000.00 held; more than ten
    # orders with one card within the hour held).
    sku = await world.sku({"T-DC-NORTH": 100})
    customer = await world.customer()
    first = card(world.order(customer, [(sku, 1)], price=150_000))
    first = await settled(world, (await world.orders.CreateOrder(first)).order.order_id)
    assert first.status == orders_pb2.ORDER_STATUS_ON_HOLD
    assert any("first order" in r for r in first.approval.reasons)

    token = World.unique("tok_visa")
    statuses = []
    for _ in range(11):
        placed = (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)], price=150_000), token))).order
        statuses.append((await settled(world, placed.order_id)).status)
    # No longer a first order: the next ten are released; the eleventh with the card is held.
    assert statuses[:10] == [orders_pb2.ORDER_STATUS_RELEASED] * 10
    assert statuses[10] == orders_pb2.ORDER_STATUS_ON_HOLD
    held = await settled(world, placed.order_id)
    assert held.approval.reasons == ["11 orders with this card in the last hour"]


async def test_a_finished_order_leaves_shard_memory_and_still_answers(world: World, oms):
    sku = await world.sku({"T-DC-NORTH": 5})
    customer = await world.customer()
    request = card(world.order(customer, [(sku, 1)]))
    placed = (await world.orders.CreateOrder(request)).order
    shard = oms.actors.orders[oms.backend.orders.shard(placed.order_id)]
    open_before = (await shard.stats.remote())["orders"]
    await world.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=placed.order_id, reason="changed mind"))
    cancelled = await settled(world, placed.order_id)
    assert cancelled.status == orders_pb2.ORDER_STATUS_CANCELLED
    # Finished: no longer held in memory (other tests' orders may finish meanwhile too).
    assert (await shard.stats.remote())["orders"] <= open_before - 1

    # Read back from the store whenever asked: a retry, a command, a read.
    again = await world.orders.CreateOrder(request)
    assert again.replayed and again.order.order_id == placed.order_id
    assert again.order.status == orders_pb2.ORDER_STATUS_CANCELLED
    ship = fulfilment_pb2.ConfirmShipmentRequest(
        order_id=placed.order_id, location_id="T-DC-NORTH", shipment_id=f"{placed.order_id}-S1",
        lines=[orders_pb2.ShipmentLine(line_number=1, quantity=1)],
    )  # fmt: skip
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await fulfilment(world).ConfirmShipment(ship)
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert (await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=placed.order_id))) == cancelled
    assert await world.reserved(sku) == 0


async def test_ready_for_pickup_is_refused_for_an_order_shipped_to_the_customer_and_changes_nothing(world: World):
    from google.rpc import error_details_pb2

    from tests.integration.support import rich_status

    sku = await world.sku({"T-DC-NORTH": 5})
    customer = await world.customer()
    order = await settled(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)])))).order.order_id)
    assert order.status == orders_pb2.ORDER_STATUS_RELEASED
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await fulfilment(world).MarkReadyForPickup(
            fulfilment_pb2.ConfirmShipmentRequest(
                order_id=order.order_id, location_id="T-DC-NORTH", shipment_id=f"{order.order_id}-P1",
                lines=[orders_pb2.ShipmentLine(line_number=1, quantity=1)],
            )
        )  # fmt: skip
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    reasons = set()
    for detail in rich_status(info.value).details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            found = error_details_pb2.ErrorInfo()
            detail.Unpack(found)
            reasons.add(found.reason)
    assert reasons == {"NOT_A_PICKUP_HERE"}
    after = await settled(world, order.order_id)
    assert after.status == orders_pb2.ORDER_STATUS_RELEASED and not after.shipments
    assert sorted((await world.available(sku)).values()) == [(5, 1)]  # all on hand, one still reserved
