"""Parcels that come back undelivered, over gRPC: refused, address unknown, a pickup never collected."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from protos.oms.v1 import billing_pb2, common_pb2, fulfilment_pb2, inventory_pb2, orders_pb2, returns_pb2
from tests.integration.support import World, eur
from tests.integration.test_billing import billing
from tests.integration.test_lifecycle import card, fulfilment, pay, ship_everything
from tests.integration.test_returns_and_360 import returns
from tests.integration.waiting import settled
from tests.security.kit import refusal

pytestmark = pytest.mark.integration

REFUND = orders_pb2.RETURN_RESOLUTION_REFUND
REPLACEMENT = orders_pb2.RETURN_RESOLUTION_REPLACEMENT


def report(order: orders_pb2.Order, return_id: str, **fields: object) -> fulfilment_pb2.ReportDeliveryFailureRequest:
    fields.setdefault("reason", orders_pb2.UNDELIVERED_REASON_REFUSED)
    fields.setdefault("resolution", REFUND)
    fields.setdefault("shipment_id", order.shipments[0].shipment_id)
    return fulfilment_pb2.ReportDeliveryFailureRequest(order_id=order.order_id, return_id=return_id, **fields)


async def test_a_refused_parcel_is_refunded_with_its_shipping_restocked_and_the_order_closes(world: World, oms):
    sku = await world.sku({"T-DC-WEST": 5})
    customer = await world.customer()
    request = world.order(customer, [(sku, 2)], price=1_190)
    request.shipping.amount.CopyFrom(eur(595))
    request.shipping.tax_rate_bps = 1_900
    pay(request, (orders_pb2.PAYMENT_METHOD_CARD, 2 * 1_190 + 595, World.unique("tok_visa")))
    order = await ship_everything(world, await settled(world, (await world.orders.CreateOrder(request)).order.order_id))
    assert order.status == orders_pb2.ORDER_STATUS_SHIPPED and (await world.available(sku))["T-DC-WEST"] == (3, 0)
    rma = World.unique("RMA")

    # Refused by field or by the order's state, nothing written.
    corrected = common_pb2.Address(lines=["Unter den Linden 2"], city="Berlin", country_code="DE",
                                   position=common_pb2.GeoPoint(latitude=52.5, longitude=13.4))  # fmt: skip
    for bad, field in (
        (report(order, rma, reason=orders_pb2.UNDELIVERED_REASON_UNSPECIFIED), "reason"),
        (report(order, rma, resolution=orders_pb2.RETURN_RESOLUTION_REPAIR), "resolution"),
        (report(order, rma, ship_to=corrected), "ship_to"),  # a refund goes to no address
        (report(order, ""), "return_id"),
    ):
        code, _, fields = await refusal(fulfilment(world).ReportDeliveryFailure(bad))
        assert code == grpc.StatusCode.INVALID_ARGUMENT and field in fields, (field, fields)
    for bad, reason in (
        (report(order, rma, reason=orders_pb2.UNDELIVERED_REASON_NOT_COLLECTED), "REASON_NOT_ALLOWED"),  # not a pickup
        (report(order, rma, location_id=World.unique("NOWHERE")), "UNKNOWN_LOCATION"),
        (report(order, rma, shipment_id="no-such-parcel"), "NO_SUCH_SHIPMENT"),
    ):
        code, why, _ = await refusal(fulfilment(world).ReportDeliveryFailure(bad))
        assert (code, why) == (grpc.StatusCode.FAILED_PRECONDITION, reason)
    assert await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id)) == order

    answered = await fulfilment(world).ReportDeliveryFailure(report(order, rma, note="Annahme verweigert"))
    assert answered.status == orders_pb2.ORDER_STATUS_UNDELIVERED
    assert answered.shipments[0].status == orders_pb2.SHIPMENT_STATUS_RETURNED
    assert answered.shipments[0].undelivered_reason == orders_pb2.UNDELIVERED_REASON_REFUSED
    assert [(line.status, line.undelivered_quantity) for line in answered.lines] == [(orders_pb2.LINE_STATUS_UNDELIVERED, 2)]
    done = await settled(world, order.order_id)
    [ret] = done.returns
    assert (ret.shipment_id, ret.status, ret.location_id) == (
        order.shipments[0].shipment_id,
        orders_pb2.RETURN_STATUS_RECEIVED,
        "T-DC-WEST",
    )
    assert ret.lines[0].reason_code == orders_pb2.RETURN_REASON_UNDELIVERED and ret.lines[0].received == 2
    # The units and the shipping charge back at once, with a credit note, before inspection.
    assert ret.refunded == eur(2 * 1_190 + 595) and done.payment_status[0].refunded == eur(2 * 1_190 + 595)
    [number] = ret.credit_notes
    note = await billing(world).GetCreditNote(billing_pb2.GetCreditNoteRequest(number=number))
    assert note.total == eur(2 * 1_190 + 595)
    # The same report again: the same order, nothing refunded twice; delivering it now is refused.
    again = await fulfilment(world).ReportDeliveryFailure(report(order, rma, note="Annahme verweigert"))
    assert [r.return_id for r in again.returns] == [rma]
    code, why, _ = await refusal(
        fulfilment(world).ConfirmDelivery(
            fulfilment_pb2.ConfirmDeliveryRequest(order_id=order.order_id, shipment_id=order.shipments[0].shipment_id)
        )
    )
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert (await settled(world, order.order_id)).payment_status[0].refunded == eur(2 * 1_190 + 595)

    # The warehouse checks the parcel and puts it back; then the order is done with.
    await returns(world).InspectReturn(returns_pb2.InspectReturnRequest(order_id=order.order_id, return_id=rma))
    inspected = await settled(world, order.order_id)
    assert inspected.returns[0].status == orders_pb2.RETURN_STATUS_RESOLVED
    assert (await world.available(sku))["T-DC-WEST"] == (5, 0)
    shard = oms.actors.orders[oms.backend.orders.shard(order.order_id)]
    assert await shard.close_settled.remote(window_ms=30 * 86_400_000) >= 1  # no window to wait for
    closed = await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id))
    assert closed.status == orders_pb2.ORDER_STATUS_CLOSED


async def test_a_parcel_the_carrier_could_not_deliver_is_sent_again_to_the_corrected_address(world: World):
    sku = await world.sku({"T-DC-NORTH": 5})
    customer = await world.customer()
    order = await ship_everything(
        world, await settled(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)])))).order.order_id)
    )
    corrected = common_pb2.Address(
        name="Erika Mustermann", lines=["Unter den Linden 10"], city="Berlin", postal_code="10117", country_code="DE",
        position=common_pb2.GeoPoint(latitude=52.517, longitude=13.389),
    )  # fmt: skip
    abroad = common_pb2.Address()
    abroad.CopyFrom(corrected)
    abroad.country_code = "FR"
    unknown = orders_pb2.UNDELIVERED_REASON_ADDRESS_UNKNOWN
    code, why, _ = await refusal(
        fulfilment(world).ReportDeliveryFailure(
            report(order, World.unique("RMA"), reason=unknown, resolution=REPLACEMENT, ship_to=abroad)
        )
    )
    assert (code, why) == (grpc.StatusCode.FAILED_PRECONDITION, "COUNTRY_CHANGE")

    rma = World.unique("RMA")
    await fulfilment(world).ReportDeliveryFailure(report(order, rma, reason=unknown, resolution=REPLACEMENT, ship_to=corrected))
    done = await settled(world, order.order_id)
    [ret] = done.returns
    assert ret.replacement_order_id and ret.refunded == eur(0) and done.payment_status[0].refunded == eur(0)
    assert ret.ship_to.lines == ["Unter den Linden 10"]
    replacement = await settled(world, ret.replacement_order_id)
    assert replacement.total == eur(0) and [(line.sku, line.quantity) for line in replacement.lines] == [(sku, 1)]
    assert replacement.ship_to.lines == ["Unter den Linden 10"] and replacement.status == orders_pb2.ORDER_STATUS_RELEASED


async def test_a_pickup_left_at_its_store_past_the_hold_comes_back_refunded(world: World, oms):
    store = await world.location("T-ST-HOLD", kind=common_pb2.LOCATION_TYPE_STORE, pickup_enabled=True, pickup_hold_days=7)
    holds, token = [], None
    while token != "":
        page = await world.inventory.ListLocations(
            inventory_pb2.ListLocationsRequest(pickup_only=True, page_size=500, page_token=token or "")
        )
        holds += [found.location.pickup_hold_days for found in page.locations if found.location.location_id == store]
        token = page.next_page_token
    assert holds == [7]
    # A hold only where customers collect.
    code, _, fields = await refusal(
        world.inventory.UpsertLocations(
            inventory_pb2.UpsertLocationsRequest(
                locations=[
                    inventory_pb2.Location(
                        location_id=World.unique("T-DC"),
                        type=common_pb2.LOCATION_TYPE_WAREHOUSE,
                        name="x",
                        active=True,
                        pickup_hold_days=3,
                    )
                ]  # fmt: skip
            )
        )
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "locations[0].pickup_hold_days" in fields

    sku = await world.sku({store: 3})
    customer = await world.customer()
    order = await settled(
        world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)], pickup=store)))).order.order_id
    )
    await fulfilment(world).MarkReadyForPickup(
        fulfilment_pb2.ConfirmShipmentRequest(
            order_id=order.order_id, location_id=store, shipment_id=f"{order.order_id}-P1",
            lines=[orders_pb2.ShipmentLine(line_number=1, quantity=1)],
        )
    )  # fmt: skip
    ready = await settled(world, order.order_id)
    shard = oms.actors.orders[oms.backend.orders.shard(order.order_id)]
    await shard.return_uncollected.remote()  # the store's seven days have not passed
    assert (
        await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id))
    ).status == orders_pb2.ORDER_STATUS_SHIPPED
    await asyncio.sleep(0.01)
    assert await shard.return_uncollected.remote(hold_ms={store: 1}) >= 1
    done = await settled(world, order.order_id)
    [ret] = done.returns
    assert done.status == orders_pb2.ORDER_STATUS_UNDELIVERED and ret.location_id == store
    assert (
        ret.return_id == f"uncollected-{order.order_id}-P1"
        and ret.undelivered_reason == orders_pb2.UNDELIVERED_REASON_NOT_COLLECTED
    )
    assert ret.refunded == ready.shipments[0].value and done.payment_status[0].refunded == ready.shipments[0].value
    assert await shard.return_uncollected.remote(hold_ms={store: 1}) == 0  # back already


async def test_a_lost_parcel_is_sent_again_with_nothing_for_a_desk_to_inspect(world: World):
    sku = await world.sku({"T-DC-SOUTH": 5})
    customer = await world.customer()
    placed = (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)])))).order
    order = await ship_everything(world, await settled(world, placed.order_id))
    lost = orders_pb2.UNDELIVERED_REASON_LOST
    rma = World.unique("RMA")
    code, _, fields = await refusal(
        fulfilment(world).ReportDeliveryFailure(report(order, rma, reason=lost, location_id="T-DC-SOUTH"))
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "location_id" in fields  # it comes back nowhere

    answered = await fulfilment(world).ReportDeliveryFailure(report(order, rma, reason=lost, resolution=REPLACEMENT))
    assert answered.shipments[0].status == orders_pb2.SHIPMENT_STATUS_LOST
    done = await settled(world, order.order_id)
    [ret] = done.returns
    assert (ret.status, ret.location_id) == (orders_pb2.RETURN_STATUS_RESOLVED, "") and ret.replacement_order_id
    replacement = await settled(world, ret.replacement_order_id)
    assert replacement.status == orders_pb2.ORDER_STATUS_RELEASED and [
        (line.sku, line.quantity) for line in replacement.lines
    ] == [(sku, 1)]
    # Nothing came back: the unit shipped stays gone, the replacement holds another.
    assert (await world.available(sku))["T-DC-SOUTH"] == (4, 1)
    desk = await returns(world).ListReturns(
        returns_pb2.ListReturnsRequest(location_id="T-DC-SOUTH", status=orders_pb2.RETURN_STATUS_RECEIVED, page_size=500)
    )
    assert rma not in [row.details.return_id for row in desk.returns]
    history = await world.orders.GetOrderHistory(orders_pb2.GetOrderHistoryRequest(order_id=order.order_id, page_size=100))
    kinds = [e.type for e in history.events]
    assert "shipment.lost" in kinds and "return.resolved" in kinds and "return.received" not in kinds


async def test_the_store_a_pickup_was_sent_to_hands_it_over_or_reports_it_uncollected(world: World, oms):
    from gateway.auth import Role

    store = await world.location("T-ST-COLLECT", kind=common_pb2.LOCATION_TYPE_STORE, pickup_enabled=True)
    other = await world.location("T-ST-ELSE", kind=common_pb2.LOCATION_TYPE_STORE, pickup_enabled=True)
    sku = await world.sku({"T-DC-NORTH": 2})  # none at the store: a warehouse sends it there
    customer = await world.customer()
    keys = {}
    for at in (store, other):
        _, keys[at] = await oms.access.keys.create(role=Role.FULFILMENT, by="tests", location_id=at)
    here = await World.open(f"127.0.0.1:{oms.port}", credential=keys[store])
    elsewhere = await World.open(f"127.0.0.1:{oms.port}", credential=keys[other])

    async def sent() -> orders_pb2.Order:
        placed = (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)], pickup=store)))).order
        order = await settled(world, placed.order_id)
        assert [a.location_id for a in order.lines[0].allocations] == ["T-DC-NORTH"]
        return await ship_everything(world, order)

    # A routing rule lets this SKU's pickups come from the warehouse (ship to store); the rest as they were.
    to_store = inventory_pb2.EligibilityRule(
        effect=inventory_pb2.RULE_EFFECT_ALLOW, delivery_modes=[common_pb2.DELIVERY_MODE_PICKUP_IN_STORE], skus=[sku],
        location_ids=["T-DC-NORTH"], description="sent to the store from the warehouse",
    )  # fmt: skip
    async with world.rules_added(to_store):
        collected, left = await sent(), await sent()
    # The store hands the first over: its own key confirms the collection; another store's sees nothing.
    confirm = fulfilment_pb2.ConfirmDeliveryRequest(order_id=collected.order_id, shipment_id=collected.shipments[0].shipment_id)
    code, _, _ = await refusal(fulfilment(elsewhere).ConfirmDelivery(confirm))
    assert code == grpc.StatusCode.NOT_FOUND
    done = await fulfilment(here).ConfirmDelivery(confirm)
    assert done.status == orders_pb2.ORDER_STATUS_DELIVERED
    # Nobody came for the second: the store reports it, received back there for inspection, refunded.
    back = await fulfilment(here).ReportDeliveryFailure(
        report(left, World.unique("RMA"), reason=orders_pb2.UNDELIVERED_REASON_NOT_COLLECTED)
    )
    [ret] = back.returns
    assert back.status == orders_pb2.ORDER_STATUS_UNDELIVERED and ret.location_id == store
    assert ret.undelivered_reason == orders_pb2.UNDELIVERED_REASON_NOT_COLLECTED
