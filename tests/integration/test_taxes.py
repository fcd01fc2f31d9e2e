"""Tax included in prices: lines carry their rate, invoices and credit notes state net and tax by rate."""

from __future__ import annotations

import grpc
import pytest

from protos.oms.v1 import billing_pb2, orders_pb2
from tests.integration.support import World, eur
from tests.integration.test_billing import billing, refunded_return
from tests.integration.test_lifecycle import card
from tests.integration.test_returns_and_360 import delivered
from tests.integration.waiting import settled
from tests.security.kit import refusal

pytestmark = pytest.mark.integration


def taxes(document) -> list[tuple[int, int, int, int]]:
    return [(t.rate_bps, t.net.amount_minor, t.tax.amount_minor, t.gross.amount_minor) for t in document.taxes]


async def test_an_invoice_and_a_credit_note_state_net_and_tax_by_each_lines_rate(world: World):
    standard, reduced = await world.sku({"T-DC-NORTH": 10}), await world.sku({"T-DC-NORTH": 10})
    customer = await world.customer()
    request = world.order(customer, [(standard, 2), (reduced, 1)])
    request.lines[0].unit_price.CopyFrom(eur(11_900))
    request.lines[0].tax_rate_bps = 1_900  # 19%
    request.lines[1].unit_price.CopyFrom(eur(1_070))
    request.lines[1].tax_rate_bps = 700  # 7%
    card(request)

    # A rate above 100% is refused by field, and nothing is written.
    bad = orders_pb2.CreateOrderRequest()
    bad.CopyFrom(request)
    bad.idempotency_key, bad.lines[1].tax_rate_bps = World.unique("k"), 10_001
    code, _, fields = await refusal(world.orders.CreateOrder(bad))
    assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, {"lines[1].tax_rate_bps"})
    listed = await world.orders.ListOrders(orders_pb2.ListOrdersRequest(customer_id=customer))
    assert not listed.orders

    placed = await world.orders.CreateOrder(request)
    assert [line.tax_rate_bps for line in placed.order.lines] == [1_900, 700]
    order = await delivered(world, placed.order)
    [number] = [s.invoice_number for s in order.shipments]
    invoice = await billing(world).GetInvoice(billing_pb2.GetInvoiceRequest(number=number))
    assert [line.tax_rate_bps for line in invoice.lines] == [1_900, 700]
    assert taxes(invoice) == [(700, 1_000, 70, 1_070), (1_900, 20_000, 3_800, 23_800)]
    assert (invoice.net_total, invoice.tax_total, invoice.total) == (eur(21_000), eur(3_870), eur(24_870))

    # One unit of the standard-rated line back for a refund: the credit note takes back its tax.
    await refunded_return(world, order.order_id, "T-DC-NORTH")
    [ret] = (await settled(world, order.order_id)).returns
    [note_number] = ret.credit_notes
    note = await billing(world).GetCreditNote(billing_pb2.GetCreditNoteRequest(number=note_number))
    assert note.total == eur(11_900) and taxes(note) == [(1_900, 10_000, 1_900, 11_900)]
    assert (note.net_total, note.tax_total) == (eur(10_000), eur(1_900))
