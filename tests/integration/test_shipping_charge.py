"""The shipping charge over gRPC: checked at capture, paid for with the items, invoiced with the first shipment."""

from __future__ import annotations

import grpc
import pytest

from protos.oms.v1 import billing_pb2, common_pb2, orders_pb2, returns_pb2
from tests.integration.support import World, eur
from tests.integration.test_billing import billing
from tests.integration.test_lifecycle import pay, ship_everything
from tests.integration.test_returns_and_360 import delivered, returns
from tests.integration.waiting import settled
from tests.security.kit import refusal

pytestmark = pytest.mark.integration


async def test_the_shipping_charge_is_paid_with_the_order_and_invoiced_once_with_the_first_shipment(world: World):
    north, south = await world.sku({"T-DC-NORTH": 5}), await world.sku({"T-DC-SOUTH": 5})
    customer = await world.customer()
    request = world.order(customer, [(north, 1), (south, 2)], price=1_190)
    request.shipping.amount.CopyFrom(eur(595))
    request.shipping.tax_rate_bps = 1_900
    pay(request, (orders_pb2.PAYMENT_METHOD_CARD, 3 * 1_190 + 595, World.unique("tok_visa")))

    # Refused by field, nothing written: payments short of the charge, a charge in another
    # currency, a charge on an order collected in store.
    short = orders_pb2.CreateOrderRequest()
    short.CopyFrom(request)
    short.idempotency_key, short.payments[0].amount.amount_minor = World.unique("k"), 3 * 1_190
    other = orders_pb2.CreateOrderRequest()
    other.CopyFrom(request)
    other.idempotency_key, other.shipping.amount.currency = World.unique("k"), "USD"
    pickup = world.order(customer, [(north, 1)], price=1_190, pickup="T-STORE-BERLIN")
    pickup.shipping.amount.CopyFrom(eur(595))
    for bad, field in ((short, "payments"), (other, "shipping.amount.currency"), (pickup, "shipping")):
        code, _, fields = await refusal(world.orders.CreateOrder(bad))
        assert code == grpc.StatusCode.INVALID_ARGUMENT and field in fields, (field, fields)
    assert not (await world.orders.ListOrders(orders_pb2.ListOrdersRequest(customer_id=customer))).orders

    placed = (await world.orders.CreateOrder(request)).order
    assert placed.total == eur(4_165) and placed.shipping.amount == eur(595) and placed.payable == eur(4_165)
    order = await ship_everything(world, await settled(world, placed.order_id))
    first, second = order.shipments
    assert (first.shipping, second.HasField("shipping")) == (eur(595), False)
    assert first.value.amount_minor + second.value.amount_minor == 4_165  # all of it captured, once

    invoice = await billing(world).GetInvoice(billing_pb2.GetInvoiceRequest(number=first.invoice_number))
    charge = [line for line in invoice.lines if line.charge]
    assert [(c.charge, c.sku, c.quantity, c.line_total, c.tax_rate_bps) for c in charge] == [("shipping", "", 1, eur(595), 1_900)]
    assert invoice.total == first.value and (1_900, 500, 95) in [
        (t.rate_bps, t.net.amount_minor, t.tax.amount_minor) for t in invoice.taxes
    ]
    later = await billing(world).GetInvoice(billing_pb2.GetInvoiceRequest(number=second.invoice_number))
    assert not [line for line in later.lines if line.charge] and later.total == second.value


async def test_returning_the_whole_order_for_a_refund_gives_the_shipping_charge_back(world: World):
    sku = await world.sku({"T-DC-WEST": 5})
    customer = await world.customer()
    request = world.order(customer, [(sku, 2)], price=1_190)
    request.lines[0].tax_rate_bps = 1_900
    request.shipping.amount.CopyFrom(eur(595))
    request.shipping.tax_rate_bps = 1_900
    pay(request, (orders_pb2.PAYMENT_METHOD_CARD, 2 * 1_190 + 595, World.unique("tok_visa")))
    order = await delivered(world, (await world.orders.CreateOrder(request)).order)
    rma = World.unique("RMA")
    refund = orders_pb2.RETURN_RESOLUTION_REFUND
    await returns(world).RequestReturn(
        returns_pb2.RequestReturnRequest(
            order_id=order.order_id, return_id=rma, channel=common_pb2.CHANNEL_WEB,
            lines=[returns_pb2.ReturnLineRequest(line_number=1, quantity=2, resolution=refund)],
        )
    )  # fmt: skip
    await returns(world).ReceiveReturn(
        returns_pb2.ReceiveReturnRequest(
            order_id=order.order_id, return_id=rma, location_id="T-DC-WEST",
            lines=[orders_pb2.ShipmentLine(line_number=1, quantity=2)],
        )
    )  # fmt: skip
    await returns(world).InspectReturn(returns_pb2.InspectReturnRequest(order_id=order.order_id, return_id=rma))
    done = await settled(world, order.order_id)
    [ret] = done.returns
    # The units and the charge came from one capture: one refund gives back both.
    assert ret.refunded == eur(2 * 1_190 + 595) and done.payment_status[0].refunded == eur(2 * 1_190 + 595)
    [number] = ret.credit_notes
    note = await billing(world).GetCreditNote(billing_pb2.GetCreditNoteRequest(number=number))
    assert note.total == eur(2_975) and [(t.rate_bps, t.gross.amount_minor) for t in note.taxes] == [(1_900, 2_975)]
