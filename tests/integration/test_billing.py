"""Invoice-to-cash over gRPC: invoices and credit notes read back, receivables, money received on account."""

from __future__ import annotations

import time

import grpc
import pytest
from google.protobuf import field_mask_pb2, timestamp_pb2

from gateway.auth import Role
from oms_actors.domain.enums import Channel
from oms_actors.store.connection import connect_async
from protos.oms.v1 import billing_pb2, billing_pb2_grpc, common_pb2, customers_pb2, orders_pb2, returns_pb2
from tests.integration.support import World, eur
from tests.integration.test_lifecycle import card, pay, ship_everything
from tests.integration.test_returns_and_360 import delivered, returns
from tests.integration.waiting import settled
from tests.security.kit import mint, refusal

pytestmark = pytest.mark.integration

DAY_S = 24 * 3600


def billing(world: World) -> billing_pb2_grpc.BillingServiceStub:
    return billing_pb2_grpc.BillingServiceStub(world.channel)


async def as_role(oms, role: Role, **scope) -> World:
    _, key = await oms.access.keys.create(role=role, by="tests", **scope)
    return await World.open(f"127.0.0.1:{oms.port}", credential=key)


async def business(world: World, limit: int) -> str:
    cid = World.unique("B2B")
    await world.customers.UpsertCustomer(
        customers_pb2.UpsertCustomerRequest(
            customer=customers_pb2.Customer(
                customer_id=cid, type=customers_pb2.CUSTOMER_TYPE_BUSINESS, name="Acme GmbH", credit_limit=eur(limit)
            )
        )
    )
    return cid


async def on_account(world: World, cid: str, sku: str, units: int, price: int) -> orders_pb2.Order:
    request = pay(world.order(cid, [(sku, units)], price=price), (orders_pb2.PAYMENT_METHOD_INVOICE, units * price, ""))
    return await settled(world, (await world.orders.CreateOrder(request)).order.order_id)


async def refunded_return(world: World, order_id: str, location_id: str) -> str:
    """One unit of line 1 returned for a refund at ``location_id``, received and inspected: its return id."""
    rma = World.unique("RMA")
    await returns(world).RequestReturn(
        returns_pb2.RequestReturnRequest(
            order_id=order_id, return_id=rma, channel=common_pb2.CHANNEL_WEB,
            lines=[returns_pb2.ReturnLineRequest(line_number=1, quantity=1, resolution=orders_pb2.RETURN_RESOLUTION_REFUND)],
        )
    )  # fmt: skip
    await returns(world).ReceiveReturn(
        returns_pb2.ReceiveReturnRequest(
            order_id=order_id, return_id=rma, location_id=location_id,
            lines=[orders_pb2.ShipmentLine(line_number=1, quantity=1)],
        )
    )  # fmt: skip
    await returns(world).InspectReturn(returns_pb2.InspectReturnRequest(order_id=order_id, return_id=rma))
    return rma


async def owed(finance: World, cid: str) -> tuple:
    """What a refused call must leave exactly as it was."""
    listed = await billing(finance).ListReceivables(billing_pb2.ListReceivablesRequest(customer_id=cid, include_settled=True))
    return tuple(r.SerializeToString(deterministic=True) for r in listed.receivables), listed.open_total.amount_minor


async def test_a_payment_on_account_settles_the_invoice_and_frees_the_credit_line(world: World, oms):
    finance = await as_role(oms, Role.FINANCE)
    sku = await world.sku({"T-DC-SOUTH": 50})
    cid = await business(world, 50_000)
    first = await on_account(world, cid, sku, 2, 20_000)
    assert first.status == orders_pb2.ORDER_STATUS_RELEASED
    shipped = await ship_everything(world, first)
    [number] = [s.invoice_number for s in shipped.shipments]

    invoice = await billing(finance).GetInvoice(billing_pb2.GetInvoiceRequest(number=number))
    assert (invoice.order_id, invoice.customer_id, invoice.total) == (first.order_id, cid, eur(40_000))
    assert [(line.sku, line.quantity, line.line_total) for line in invoice.lines] == [(sku, 2, eur(40_000))]
    [paid_with] = invoice.payments
    assert paid_with.method == orders_pb2.PAYMENT_METHOD_INVOICE and paid_with.amount == eur(40_000)
    [receivable] = invoice.receivables
    assert (receivable.open, receivable.status) == (eur(40_000), billing_pb2.RECEIVABLE_STATUS_OPEN)
    assert receivable.due_at.seconds - receivable.issued_at.seconds == 30 * DAY_S  # the default payment terms
    listed = await billing(finance).ListReceivables(billing_pb2.ListReceivablesRequest(customer_id=cid))
    assert [(r.invoice_number, r.order_id, r.capture_id) for r in listed.receivables] == [
        (number, first.order_id, paid_with.capture_id)
    ]
    assert (listed.open_total, listed.credit_limit, listed.credit_available) == (eur(40_000), eur(50_000), eur(10_000))

    # Owing 40,000 of 50,000, the customer's next order of 20,000 on account is held for credit.
    held = await on_account(world, cid, sku, 1, 20_000)
    assert held.status == orders_pb2.ORDER_STATUS_ON_HOLD and any("credit" in r for r in held.approval.reasons)

    key = World.unique("bank-tx")
    paid = await billing(finance).RecordInvoicePayment(
        billing_pb2.RecordInvoicePaymentRequest(idempotency_key=key, invoice_number=number, amount=eur(25_000))
    )
    assert paid.payment_id and not paid.replayed
    [after] = paid.invoice.receivables
    assert (after.paid, after.open, after.status) == (eur(25_000), eur(15_000), billing_pb2.RECEIVABLE_STATUS_OPEN)
    # 15,000 owed of 50,000: the order held for credit alone goes on, its payment authorised again.
    assert list(paid.released_orders) == [held.order_id]
    held = await settled(world, held.order_id)
    assert held.status == orders_pb2.ORDER_STATUS_RELEASED and held.approval.decided_by == "credit-control"
    # The same bank transaction entered again is the same payment, nothing more.
    again = await billing(finance).RecordInvoicePayment(
        billing_pb2.RecordInvoicePaymentRequest(idempotency_key=key, invoice_number=number, amount=eur(25_000))
    )
    assert (again.payment_id, again.replayed, again.invoice.receivables[0].open) == (paid.payment_id, True, eur(15_000))
    assert list(again.released_orders) == []
    # Service staff see the money on the order, once, and so does the customer's timeline.
    on_order = await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=first.order_id))
    assert [(r.receipt_id, r.invoice_number, r.amount) for r in on_order.receipts] == [(paid.payment_id, number, eur(25_000))]
    assert abs(on_order.receipts[0].received_at.seconds - time.time()) < 120  # no value date given: when it was recorded
    view = await world.customers.GetCustomer360(customers_pb2.GetCustomer360Request(customer_id=cid))
    received = [e for e in view.timeline if e.type == "payment.received"]
    assert [(e.order_id, e.data["invoice_number"], e.data["amount"]) for e in received] == [(first.order_id, number, "25000")]

    # Refusals, each with its status, reason and field, and none of them records anything.
    before = await owed(finance, cid)
    record = billing(finance).RecordInvoicePayment
    code, reason, _ = await refusal(
        record(billing_pb2.RecordInvoicePaymentRequest(idempotency_key=key, invoice_number=number, amount=eur(24_000)))
    )
    assert code == grpc.StatusCode.ALREADY_EXISTS
    code, reason, _ = await refusal(
        record(billing_pb2.RecordInvoicePaymentRequest(idempotency_key=World.unique("tx"), invoice_number=number, amount=eur(15_001)))
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "PAYMENT_EXCEEDS_RECEIVABLE")
    code, _, fields = await refusal(
        record(
            billing_pb2.RecordInvoicePaymentRequest(
                idempotency_key=World.unique("tx"), invoice_number=number,
                amount=common_pb2.Money(amount_minor=100, currency="USD"),
            )
        )
    )  # fmt: skip
    assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, {"amount.currency"})
    code, _, fields = await refusal(record(billing_pb2.RecordInvoicePaymentRequest(invoice_number=number)))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and {"idempotency_key", "amount.amount_minor"} <= fields
    for missing in ("INV-2026-999999", "CN-2026-000001", "nonsense"):
        code, _, _ = await refusal(
            record(billing_pb2.RecordInvoicePaymentRequest(idempotency_key=World.unique("tx"), invoice_number=missing, amount=eur(1)))
        )
        assert code == grpc.StatusCode.NOT_FOUND
    assert await owed(finance, cid) == before

    # 15,000 owed and 20,000 held by the released order: an order of 10,000 on account passes the credit check.
    second = await on_account(world, cid, sku, 1, 10_000)
    assert second.status == orders_pb2.ORDER_STATUS_RELEASED
    settle = await record(
        billing_pb2.RecordInvoicePaymentRequest(idempotency_key=World.unique("tx"), invoice_number=number, amount=eur(15_000))
    )
    assert settle.invoice.receivables[0].status == billing_pb2.RECEIVABLE_STATUS_SETTLED
    listed = await billing(finance).ListReceivables(billing_pb2.ListReceivablesRequest(customer_id=cid))
    assert list(listed.receivables) == [] and listed.open_total == eur(0)
    assert listed.held == eur(30_000) and listed.credit_available == eur(20_000)
    everything = await billing(finance).ListReceivables(billing_pb2.ListReceivablesRequest(customer_id=cid, include_settled=True))
    assert [r.status for r in everything.receivables] == [billing_pb2.RECEIVABLE_STATUS_SETTLED]

    # Money received is in the audit log with the invoice and the amount.
    entries = [e for e in await oms.access.audit.tail(200) if e.action == "/oms.v1.BillingService/RecordInvoicePayment"]
    assert f"invoice_number={number} amount=15000 EUR" in {e.target for e in entries}
    await finance.close()


async def test_a_card_paid_invoice_owes_nothing_and_takes_no_payment(world: World, oms):
    finance = await as_role(oms, Role.FINANCE)
    sku = await world.sku({"T-DC-NORTH": 5})
    customer = await world.customer()
    order = await settled(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)])))).order.order_id)
    [number] = [s.invoice_number for s in (await ship_everything(world, order)).shipments]
    invoice = await billing(finance).GetInvoice(billing_pb2.GetInvoiceRequest(number=number))
    assert [p.method for p in invoice.payments] == [orders_pb2.PAYMENT_METHOD_CARD] and not invoice.receivables
    code, reason, _ = await refusal(
        billing(finance).RecordInvoicePayment(
            billing_pb2.RecordInvoicePaymentRequest(idempotency_key=World.unique("tx"), invoice_number=number, amount=eur(1))
        )
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "NOT_ON_ACCOUNT")
    await finance.close()


async def test_a_return_on_account_is_credited_and_its_credit_note_read_back(world: World, oms):
    sku = await world.sku({"T-DC-WEST": 5})
    cid = await business(world, 100_000)
    order = await delivered(world, await on_account(world, cid, sku, 2, 10_000))
    [number] = [s.invoice_number for s in order.shipments]
    rma = await refunded_return(world, order.order_id, "T-DC-WEST")
    [ret] = (await settled(world, order.order_id)).returns
    [note_number] = ret.credit_notes

    note = await billing(world).GetCreditNote(billing_pb2.GetCreditNoteRequest(number=note_number))
    assert (note.invoice_number, note.order_id, note.return_id, note.total) == (number, order.order_id, rma, eur(10_000))
    invoice = await billing(world).GetInvoice(billing_pb2.GetInvoiceRequest(number=number))
    assert invoice.credited == eur(10_000)
    [receivable] = invoice.receivables  # the credit note lowers what is owed
    assert (receivable.credited, receivable.open) == (eur(10_000), eur(10_000))


async def test_documents_and_receivables_are_seen_like_the_orders_they_belong_to(world: World, oms):
    sku = await world.sku({"T-DC-NORTH": 10})
    mine, theirs = await world.customer(), await world.customer()
    web = await settled(world, (await world.orders.CreateOrder(card(world.order(mine, [(sku, 1)])))).order.order_id)
    [number] = [s.invoice_number for s in (await ship_everything(world, web)).shipments]
    secret = oms.config.access.jwt.hs256_secret
    get = billing_pb2.GetInvoiceRequest(number=number)

    customer = await World.open(f"127.0.0.1:{oms.port}", credential=mint(secret, mine, ttl_s=600))
    assert (await billing(customer).GetInvoice(get)).number == number
    assert (await billing(customer).ListReceivables(billing_pb2.ListReceivablesRequest(customer_id=mine))).customer_id == mine
    stranger = await World.open(f"127.0.0.1:{oms.port}", credential=mint(secret, theirs, ttl_s=600))
    assert (await refusal(billing(stranger).GetInvoice(get)))[0] == grpc.StatusCode.NOT_FOUND
    assert (await refusal(billing(stranger).ListReceivables(billing_pb2.ListReceivablesRequest(customer_id=mine))))[0] == (
        grpc.StatusCode.NOT_FOUND
    )
    own_channel = await as_role(oms, Role.CHANNEL, channel=Channel.WEB)
    assert (await billing(own_channel).GetInvoice(get)).order_id == web.order_id
    other_channel = await as_role(oms, Role.CHANNEL, channel=Channel.STORE)
    assert (await refusal(billing(other_channel).GetInvoice(get)))[0] == grpc.StatusCode.NOT_FOUND
    agent = await as_role(oms, Role.SERVICE_AGENT)
    code, _, _ = await refusal(
        billing(agent).RecordInvoicePayment(
            billing_pb2.RecordInvoicePaymentRequest(idempotency_key=World.unique("tx"), invoice_number=number, amount=eur(1))
        )
    )
    assert code == grpc.StatusCode.PERMISSION_DENIED  # agents grant credit; finance books money received
    for w in (customer, stranger, own_channel, other_channel, agent):
        await w.close()


async def test_an_order_held_for_credit_goes_on_once_the_customer_has_paid(world: World, oms):
    finance = await as_role(oms, Role.FINANCE)
    sku = await world.sku({"T-DC-SOUTH": 50})
    cid = await business(world, 50_000)
    first = await ship_everything(world, await on_account(world, cid, sku, 2, 20_000))
    [number] = [s.invoice_number for s in first.shipments]
    held = await on_account(world, cid, sku, 1, 20_000)
    assert held.status == orders_pb2.ORDER_STATUS_ON_HOLD
    approve = orders_pb2.ReviewOrderRequest(order_id=held.order_id, decision=orders_pb2.REVIEW_DECISION_APPROVE, note="paid")

    # Before the money comes the payment is asked for again and declined again: the approval says why.
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await world.orders.ReviewOrder(approve)
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION and "credit_limit_exceeded" in info.value.details()
    still = await settled(world, held.order_id)
    assert still.status == orders_pb2.ORDER_STATUS_ON_HOLD
    assert still.payment_status[0].status == orders_pb2.PAYMENT_STATUS_DECLINED

    paid = await billing(finance).RecordInvoicePayment(
        billing_pb2.RecordInvoicePaymentRequest(idempotency_key=World.unique("tx"), invoice_number=number, amount=eur(40_000))
    )
    assert list(paid.released_orders) == [held.order_id]  # credit control let it through
    approved = await world.orders.ReviewOrder(approve)  # a reviewer approving it too changes nothing
    assert approved.approval.status == orders_pb2.APPROVAL_STATUS_APPROVED and approved.approval.decided_by == "credit-control"
    released = await settled(world, held.order_id)
    assert released.status == orders_pb2.ORDER_STATUS_RELEASED
    assert released.payment_status[0].status == orders_pb2.PAYMENT_STATUS_AUTHORIZED
    listed = await billing(finance).ListReceivables(billing_pb2.ListReceivablesRequest(customer_id=cid))
    assert (listed.open_total, listed.held, listed.credit_available) == (eur(0), eur(20_000), eur(30_000))
    await finance.close()


async def set_line(world: World, cid: str, limit: int) -> None:
    """Credit control sets the customer's line, and nothing else of its record."""
    await world.customers.UpsertCustomer(
        customers_pb2.UpsertCustomerRequest(
            customer=customers_pb2.Customer(customer_id=cid, credit_limit=eur(limit)),
            update_mask=field_mask_pb2.FieldMask(paths=["credit_limit"]),
        )
    )


async def test_orders_held_for_credit_go_on_once_credit_control_raises_or_grants_the_line(world: World, oms):
    sku = await world.sku({"T-DC-SOUTH": 50})
    cid = await business(world, 30_000)
    held = await on_account(world, cid, sku, 2, 20_000)  # 40,000 on a 30,000 line
    assert held.status == orders_pb2.ORDER_STATUS_ON_HOLD
    # Held for the line and for shipping abroad: a reviewer's call, whatever the line.
    abroad = world.order(cid, [(sku, 1)], price=35_000)
    abroad.ship_to.country_code = "FR"
    address = customers_pb2.Customer(customer_id=cid, default_address=abroad.ship_to)
    address.default_address.country_code = "DE"
    await world.customers.UpsertCustomer(
        customers_pb2.UpsertCustomerRequest(customer=address, update_mask=field_mask_pb2.FieldMask(paths=["default_address"]))
    )
    pay(abroad, (orders_pb2.PAYMENT_METHOD_INVOICE, 35_000, ""))
    mixed = await settled(world, (await world.orders.CreateOrder(abroad)).order.order_id)
    assert mixed.status == orders_pb2.ORDER_STATUS_ON_HOLD
    assert mixed.approval.reasons[0] == "ships to FR, customer address in DE" and len(mixed.approval.reasons) == 3

    await set_line(world, cid, 35_000)  # raised, still short of 40,000: asked again, declined again
    still = await settled(world, held.order_id)
    assert still.status == orders_pb2.ORDER_STATUS_ON_HOLD
    assert still.payment_status[0].status == orders_pb2.PAYMENT_STATUS_DECLINED

    await set_line(world, cid, 100_000)  # room for both: only the one held for credit alone goes
    released = await settled(world, held.order_id)
    assert released.status == orders_pb2.ORDER_STATUS_RELEASED
    assert released.approval.decided_by == "credit-control"
    assert list(released.approval.reasons) == ["credit line 100000 EUR granted"]
    assert released.payment_status[0].status == orders_pb2.PAYMENT_STATUS_AUTHORIZED
    assert (await settled(world, mixed.order_id)).status == orders_pb2.ORDER_STATUS_ON_HOLD

    # A business customer with no line at all: its order on account waits until credit control grants one.
    newcomer = World.unique("B2B")
    await world.customers.UpsertCustomer(
        customers_pb2.UpsertCustomerRequest(
            customer=customers_pb2.Customer(customer_id=newcomer, type=customers_pb2.CUSTOMER_TYPE_BUSINESS, name="Neu AG")
        )
    )
    waiting = await on_account(world, newcomer, sku, 1, 5_000)
    assert waiting.status == orders_pb2.ORDER_STATUS_ON_HOLD
    assert "pay on invoice without a credit limit" in waiting.approval.reasons
    await set_line(world, newcomer, 10_000)
    granted = await settled(world, waiting.order_id)
    assert granted.status == orders_pb2.ORDER_STATUS_RELEASED and granted.approval.decided_by == "credit-control"


async def test_an_order_on_account_waits_while_an_invoice_is_overdue_and_goes_on_once_it_is_paid(
    world: World, oms, redis_server
):
    """Credit control's dunning block: due on receipt (payment terms of 0 days), the first
    invoice is overdue at once, so the next order on account waits, within its credit line
    as it is; paying part of the invoice leaves it waiting, paying the rest lets it go."""
    finance = await as_role(oms, Role.FINANCE)
    sku = await world.sku({"T-DC-SOUTH": 50})
    cid = World.unique("B2B")
    customer = await world.customers.UpsertCustomer(
        customers_pb2.UpsertCustomerRequest(
            customer=customers_pb2.Customer(
                customer_id=cid, type=customers_pb2.CUSTOMER_TYPE_BUSINESS, name="Late Payer AG",
                credit_limit=eur(100_000), payment_terms_days=0,
            )
        )
    )  # fmt: skip
    assert customer.HasField("payment_terms_days") and customer.payment_terms_days == 0
    first = await on_account(world, cid, sku, 1, 10_000)
    assert first.status == orders_pb2.ORDER_STATUS_RELEASED
    [number] = [s.invoice_number for s in (await ship_everything(world, first)).shipments]
    [receivable] = (await billing(finance).GetInvoice(billing_pb2.GetInvoiceRequest(number=number))).receivables
    assert receivable.due_at == receivable.issued_at  # due on receipt

    held = await on_account(world, cid, sku, 1, 10_000)
    assert held.status == orders_pb2.ORDER_STATUS_ON_HOLD
    [reason] = held.approval.reasons  # 10,000 owed + 10,000 of a 100,000 line: overdue is the one reason
    assert reason.startswith("receivable overdue: 0 days past its due date")
    overdue = await billing(finance).GetInvoice(billing_pb2.GetInvoiceRequest(number=number))
    assert overdue.receivables[0].status == billing_pb2.RECEIVABLE_STATUS_OVERDUE
    # Credit control's aging report lists the customer among the late payers.
    aging = await billing(finance).GetReceivablesAging(billing_pb2.GetReceivablesAgingRequest(limit=1_000))
    [row] = [r for r in aging.customers if r.customer_id == cid]
    assert (row.amounts.days_1_to_30, row.amounts.past_due, row.amounts.not_due) == (eur(10_000), eur(10_000), eur(0))
    assert (row.open_receivables, row.oldest_due) == (1, receivable.due_at)
    [totals] = [t for t in aging.totals if t.total.currency == "EUR"]
    assert totals.past_due.amount_minor >= 10_000 and aging.customer_count >= len(aging.customers)
    code, _, fields = await refusal(
        billing(finance).GetReceivablesAging(billing_pb2.GetReceivablesAgingRequest(limit=1_001))
    )
    assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, {"limit"})
    # Page by page, the same rows in the same order (nothing owed changed in between), every
    # page of the report as of its first.
    paged, token, moments = [], "", set()
    while True:
        page = await billing(finance).GetReceivablesAging(billing_pb2.GetReceivablesAgingRequest(limit=2, page_token=token))
        assert len(page.customers) <= 2 and page.customer_count == aging.customer_count
        paged += [(r.customer_id, r.amounts.total.currency) for r in page.customers]
        moments.add(page.as_of.ToMilliseconds())
        token = page.next_page_token
        if not token:
            break
    assert paged == [(r.customer_id, r.amounts.total.currency) for r in aging.customers]
    assert len(moments) == 1 or aging.customer_count <= 2
    # A report no longer kept goes on from its last row as the receivables stand now.
    opening = await billing(finance).GetReceivablesAging(billing_pb2.GetReceivablesAgingRequest(limit=1))
    if opening.next_page_token:
        client = connect_async(redis_server.url)
        try:
            await client.delete(*[k async for k in client.scan_iter(match="*:aging:*")])
        finally:
            await client.aclose()
        rest = await billing(finance).GetReceivablesAging(
            billing_pb2.GetReceivablesAgingRequest(limit=1_000, page_token=opening.next_page_token)
        )
        assert [r.customer_id for r in rest.customers] == [r.customer_id for r in aging.customers][1:]
    code, _, fields = await refusal(
        billing(finance).GetReceivablesAging(billing_pb2.GetReceivablesAgingRequest(page_token="not-a-token"))
    )
    assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, {"page_token"})
    # Dunning's sweep notes the invoice on its order, once, and the order's events say so.
    await oms.dunning.sweep(settle_ms=0)
    await oms.dunning.sweep(settle_ms=0)
    noted = await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=first.order_id))
    assert [(n.invoice_number, n.due_at, n.open) for n in noted.overdue_invoices] == [(number, receivable.due_at, eur(10_000))]
    view = await world.customers.GetCustomer360(customers_pb2.GetCustomer360Request(customer_id=cid))
    assert [e.data["invoice_number"] for e in view.timeline if e.type == "invoice.overdue"] == [number]

    record = billing(finance).RecordInvoicePayment
    part = await record(
        billing_pb2.RecordInvoicePaymentRequest(idempotency_key=World.unique("tx"), invoice_number=number, amount=eur(4_000))
    )
    assert list(part.released_orders) == []  # 6,000 still past its due date
    assert (await settled(world, held.order_id)).status == orders_pb2.ORDER_STATUS_ON_HOLD
    future = timestamp_pb2.Timestamp(seconds=int(time.time()) + 86_400)
    code, _, fields = await refusal(
        record(
            billing_pb2.RecordInvoicePaymentRequest(
                idempotency_key=World.unique("tx"), invoice_number=number, amount=eur(6_000), received_at=future
            )
        )
    )
    assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, {"received_at"})
    value_date = timestamp_pb2.Timestamp(seconds=int(time.time()) - 2 * 86_400)  # the bank's statement, read late
    rest = await record(
        billing_pb2.RecordInvoicePaymentRequest(
            idempotency_key=World.unique("tx"), invoice_number=number, amount=eur(6_000), received_at=value_date
        )
    )
    receipts = (await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=first.order_id))).receipts
    assert [(r.amount, r.received_at.seconds) for r in receipts][-1] == (eur(6_000), value_date.seconds)
    assert list(rest.released_orders) == [held.order_id]
    aging = await billing(finance).GetReceivablesAging(billing_pb2.GetReceivablesAgingRequest(limit=1_000))
    assert cid not in {r.customer_id for r in aging.customers}  # nothing open: off the report
    released = await settled(world, held.order_id)
    assert released.status == orders_pb2.ORDER_STATUS_RELEASED and released.approval.decided_by == "credit-control"


async def test_an_order_held_for_an_overdue_invoice_goes_on_once_a_credit_note_settles_it(world: World, oms):
    """No payment comes: the customer returns what the overdue invoice billed, and the credit
    note settles it. Dunning's next pass lets the held order go."""
    sku = await world.sku({"T-DC-WEST": 10})
    cid = World.unique("B2B")
    await world.customers.UpsertCustomer(
        customers_pb2.UpsertCustomerRequest(
            customer=customers_pb2.Customer(
                customer_id=cid, type=customers_pb2.CUSTOMER_TYPE_BUSINESS, name="Returns Everything KG",
                credit_limit=eur(100_000), payment_terms_days=0,
            )
        )
    )  # fmt: skip
    first = await delivered(world, await on_account(world, cid, sku, 1, 10_000))
    held = await on_account(world, cid, sku, 1, 10_000)
    assert held.status == orders_pb2.ORDER_STATUS_ON_HOLD
    await oms.dunning.release_cleared()  # still owed past due: it stays held
    still = await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=held.order_id))
    assert still.status == orders_pb2.ORDER_STATUS_ON_HOLD

    await refunded_return(world, first.order_id, "T-DC-WEST")
    [ret] = (await settled(world, first.order_id)).returns
    assert ret.credit_notes  # the whole invoice credited: nothing owed

    await oms.dunning.release_cleared()
    released = await settled(world, held.order_id)
    assert released.status == orders_pb2.ORDER_STATUS_RELEASED and released.approval.decided_by == "credit-control"
