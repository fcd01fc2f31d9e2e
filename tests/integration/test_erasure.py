"""The right to erasure: a customer's personal data leaves its record and its finished orders; the business record stays."""

from __future__ import annotations

import grpc
import pytest

from oms_actors.store import keys
from protos.oms.v1 import common_pb2, customers_pb2, orders_pb2
from tests.integration.support import World
from tests.integration.test_lifecycle import card
from tests.integration.waiting import settled
from tests.security.kit import refusal

pytestmark = pytest.mark.integration


async def test_a_customer_is_erased_once_its_orders_are_over_and_what_it_bought_stays(world: World):
    sku = await world.sku({"T-DC-NORTH": 10})
    customer = await world.customer()
    email = f"{customer.lower()}@example.com"
    first = (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)]), token="tok_visa_4242"))).order
    second = (await world.orders.CreateOrder(card(world.order(customer, [(sku, 2)])))).order
    await world.orders.AddOrderNote(
        orders_pb2.AddOrderNoteRequest(order_id=first.order_id, note_id=World.unique("n"), text="Erika called from 0151 2345")
    )
    await world.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=first.order_id, reason="customer asked"))

    erase = customers_pb2.EraseCustomerRequest(customer_id=customer, reason="GDPR request 2026-117")
    code, _, fields = await refusal(world.customers.EraseCustomer(customers_pb2.EraseCustomerRequest(customer_id=customer)))
    assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, {"reason"})
    # An order still open needs the address: refused, nothing erased.
    code, reason, _ = await refusal(world.customers.EraseCustomer(erase))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "ORDERS_OPEN")
    assert (await world.customers.GetCustomer(customers_pb2.GetCustomerRequest(customer_id=customer))).email == email
    assert (await settled(world, first.order_id)).ship_to.city == "Berlin"

    await world.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=second.order_id, reason="customer asked"))
    history = orders_pb2.GetOrderHistoryRequest(order_id=first.order_id)
    told = {e.data.get("reason") for e in (await world.orders.GetOrderHistory(history)).events}
    assert "customer asked" in told  # until it is erased
    answer = await world.customers.EraseCustomer(erase)
    assert answer.orders_erased == 2 and answer.customer.HasField("erased_at")
    record = await world.customers.GetCustomer(customers_pb2.GetCustomerRequest(customer_id=customer))
    assert (record.name, record.email, record.phone, record.HasField("default_address")) == ("", "", "", False)
    code, _, _ = await refusal(world.customers.GetCustomer360(customers_pb2.GetCustomer360Request(email=email)))
    assert code == grpc.StatusCode.NOT_FOUND  # the email finds nobody any more
    view = await world.customers.GetCustomer360(customers_pb2.GetCustomer360Request(customer_id=customer))
    assert not view.timeline and view.order_count == 2
    # Its orders' histories went with its timeline: they told where its parcels went and why.
    assert not (await world.orders.GetOrderHistory(history)).events
    for order in view.orders:
        assert order.ship_to == common_pb2.Address(country_code="DE")
        assert all(not p.token_hint for p in order.payments) and all(not n.text for n in order.notes)
        assert order.cancel_reason == "" and order.lines[0].sku == sku  # what it was stays
    again = await world.customers.EraseCustomer(erase)
    assert again.orders_erased == 0 and again.customer.erased_at == answer.customer.erased_at


async def test_erasure_asked_while_an_order_is_open_waits_for_it_then_the_periodic_pass_erases(world: World, oms):
    sku = await world.sku({"T-DC-NORTH": 10})
    customer = await world.customer()
    email = f"{customer.lower()}@example.com"
    order = (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)])))).order
    later = customers_pb2.EraseCustomerRequest(customer_id=customer, reason="GDPR request 2026-118", when_orders_close=True)
    answer = await world.customers.EraseCustomer(later)
    assert (answer.orders_erased, answer.orders_open) == (0, 1)
    assert answer.customer.HasField("erasure_requested_at") and not answer.customer.HasField("erased_at")
    # Nothing is erased yet: the open order still needs who and where.
    assert answer.customer.email == email and (await settled(world, order.order_id)).ship_to.city == "Berlin"
    again = await world.customers.EraseCustomer(later)  # asked twice: the first request stands
    assert again.customer.erasure_requested_at == answer.customer.erasure_requested_at
    await oms.erasures.sweep()
    record = await world.customers.GetCustomer(customers_pb2.GetCustomerRequest(customer_id=customer))
    assert record.email == email and not record.HasField("erased_at")

    await world.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=order.order_id, reason="customer asked"))
    await settled(world, order.order_id)
    assert await oms.erasures.sweep() >= 1
    record = await world.customers.GetCustomer(customers_pb2.GetCustomerRequest(customer_id=customer))
    assert record.HasField("erased_at") and (record.name, record.email) == ("", "")
    assert record.erasure_requested_at == answer.customer.erasure_requested_at  # when it was asked stays on record
    gone = await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id))
    assert gone.ship_to == common_pb2.Address(country_code="DE") and gone.cancel_reason == ""
    waiting = await oms.backend.orders.client.smembers(keys.ERASURES_WAITING)
    assert customer not in {c.decode() for c in waiting}  # done with: later passes do not read it again
