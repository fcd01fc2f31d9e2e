"""A returns desk's work list: returns on their way to a location and received there, not yet inspected."""

from __future__ import annotations

import grpc
import pytest

from gateway.auth import Role
from protos.oms.v1 import common_pb2, orders_pb2, returns_pb2
from tests.integration.support import World, field_violations
from tests.integration.test_billing import as_role
from tests.integration.test_lifecycle import card
from tests.integration.test_returns_and_360 import delivered, returns

pytestmark = pytest.mark.integration

AUTHORIZED, RECEIVED = orders_pb2.RETURN_STATUS_AUTHORIZED, orders_pb2.RETURN_STATUS_RECEIVED


def ask(order_id: str, location_id: str) -> returns_pb2.RequestReturnRequest:
    return returns_pb2.RequestReturnRequest(
        order_id=order_id, return_id=World.unique("RMA"), channel=common_pb2.CHANNEL_STORE, location_id=location_id,
        lines=[returns_pb2.ReturnLineRequest(line_number=1, quantity=1, reason="too big",
                                             resolution=orders_pb2.RETURN_RESOLUTION_REFUND)],
    )  # fmt: skip


def listed(answer: returns_pb2.ListReturnsResponse, order_ids: set[str]) -> list[tuple[str, int]]:
    """(order id, status) of the listed returns of these orders, in the list's order."""
    return [(r.order_id, r.details.status) for r in answer.returns if r.order_id in order_ids]


async def test_a_desk_lists_returns_coming_to_it_and_received_there_until_they_are_inspected(world: World, oms):
    sku = await world.sku({"T-DC-SOUTH": 10})
    customer = await world.customer()
    orders = [
        await delivered(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)])))).order)
        for _ in range(3)
    ]
    ids = {o.order_id for o in orders}
    first, second, elsewhere = orders
    asked = [await returns(world).RequestReturn(ask(o.order_id, loc)) for o, loc in
             ((first, "T-ST-MITTE"), (second, "T-ST-MITTE"), (elsewhere, "T-DC-WEST"))]  # fmt: skip
    desk = returns_pb2.ListReturnsRequest(location_id="T-ST-MITTE")
    assert listed(await returns(world).ListReturns(desk), ids) == [(first.order_id, AUTHORIZED), (second.order_id, AUTHORIZED)]
    # Whoever oversees returns lists every location's, oldest first, a page at a time.
    network, request = [], returns_pb2.ListReturnsRequest(page_size=500)
    while True:
        page = await returns(world).ListReturns(request)
        network += page.returns
        if not page.next_page_token:
            break
        request.page_token = page.next_page_token
    assert [(r.order_id, r.details.location_id) for r in network if r.order_id in ids] == [
        (first.order_id, "T-ST-MITTE"), (second.order_id, "T-ST-MITTE"), (elsewhere.order_id, "T-DC-WEST")
    ]  # fmt: skip
    ages = [r.details.requested_at.ToMilliseconds() for r in network]
    assert ages == sorted(ages) and all(r.details.location_id for r in network)

    rid = asked[0].returns[0].return_id
    await returns(world).ReceiveReturn(
        returns_pb2.ReceiveReturnRequest(
            order_id=first.order_id, return_id=rid, location_id="T-ST-MITTE",
            lines=[orders_pb2.ShipmentLine(line_number=1, quantity=1)],
        )
    )  # fmt: skip
    waiting = returns_pb2.ListReturnsRequest(location_id="T-ST-MITTE", status=RECEIVED)
    [row] = [r for r in (await returns(world).ListReturns(waiting)).returns if r.order_id in ids]
    assert (row.order_id, row.details.return_id, row.details.lines[0].received) == (first.order_id, rid, 1)

    await returns(world).InspectReturn(returns_pb2.InspectReturnRequest(order_id=first.order_id, return_id=rid))
    assert listed(await returns(world).ListReturns(desk), ids) == [(second.order_id, AUTHORIZED)]

    # A location's own key sees its desk only; a status no desk handles is a bad field.
    east = await as_role(oms, Role.FULFILMENT, location_id="T-ST-MITTE")
    assert listed(await returns(east).ListReturns(desk), ids) == [(second.order_id, AUTHORIZED)]
    for elsewhere_or_all in ("T-DC-WEST", ""):
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await returns(east).ListReturns(returns_pb2.ListReturnsRequest(location_id=elsewhere_or_all))
        assert info.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await returns(world).ListReturns(
            returns_pb2.ListReturnsRequest(location_id="T-ST-MITTE", status=orders_pb2.RETURN_STATUS_RESOLVED)
        )
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and field_violations(info.value) == {"status"}


async def test_a_long_list_comes_in_pages_each_return_once_and_a_token_keeps_to_its_list(world: World):
    sku = await world.sku({"T-DC-SOUTH": 10})
    customer = await world.customer()
    orders = [
        await delivered(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)])))).order)
        for _ in range(3)
    ]
    for o in orders:
        await returns(world).RequestReturn(ask(o.order_id, "T-ST-LEIPZIG"))
    seen: list[str] = []
    request = returns_pb2.ListReturnsRequest(location_id="T-ST-LEIPZIG", status=AUTHORIZED, page_size=1)
    while True:
        page = await returns(world).ListReturns(request)
        assert len(page.returns) <= 1
        seen += [r.order_id for r in page.returns]
        if not page.next_page_token:
            break
        request.page_token = page.next_page_token
    assert [oid for oid in seen if oid in {o.order_id for o in orders}] == [o.order_id for o in orders]
    assert len(seen) == len(set(seen))

    first = await returns(world).ListReturns(returns_pb2.ListReturnsRequest(location_id="T-ST-LEIPZIG", page_size=1))
    assert first.next_page_token
    for other in (
        returns_pb2.ListReturnsRequest(location_id="T-ST-LEIPZIG", status=RECEIVED, page_token=first.next_page_token),
        returns_pb2.ListReturnsRequest(location_id="T-ST-MITTE", page_token=first.next_page_token),
        returns_pb2.ListReturnsRequest(location_id="T-ST-LEIPZIG", page_token="not-a-token"),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await returns(world).ListReturns(other)
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and field_violations(info.value) == {"page_token"}
