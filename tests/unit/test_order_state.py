"""The order state machine: every allowed command works, every forbidden one changes nothing."""

from __future__ import annotations

import itertools

import pytest

from oms_actors.domain.commands import Address, CreateOrder, LineInput, PaymentInstruction
from oms_actors.domain.enums import Channel, DeliveryMode, LineStatus, OrderStatus, PaymentMethod
from oms_actors.domain.errors import FailedPreconditionError, InvalidTransitionError
from oms_actors.domain.fulfilment import ShipmentCapture, UndeliveredReason
from oms_actors.domain.money import Money
from oms_actors.domain.order import (
    ALLOWED,
    STEP_ASSESS,
    STEP_CAPTURE,
    STEP_CONSUME,
    STEP_INVENTORY,
    STEP_RELEASE,
    STEP_VOID,
    ApprovalStatus,
    Command,
    LineAllocation,
    Order,
    SourcingResult,
)
from oms_actors.domain.returns import Disposition, Resolution, ReturnStatus


def eur(minor: int) -> Money:
    return Money(amount_minor=minor, currency="EUR")


def command(**kw) -> CreateOrder:
    base = dict(
        channel=Channel.WEB,
        idempotency_key="k1",
        customer_id="c1",
        lines=(
            LineInput(sku="A", quantity=2, unit_price=eur(1000)),
            LineInput(sku="B", quantity=1, unit_price=eur(250)),
        ),
        delivery_mode=DeliveryMode.SHIP,
        ship_to=Address(latitude=52.5, longitude=13.4),
    )
    base.update(kw)
    return CreateOrder(**base)


def accepted() -> Order:
    return Order.accept(command(), order_id="O1", now_ms=1000)


def sourced(a: int, b: int, order: Order | None = None) -> Order:
    result = SourcingResult(
        order_id="O1",
        allocations={
            1: (LineAllocation(location_id="DC1", quantity=a),),
            2: (LineAllocation(location_id="DC2", quantity=b),),
        },
    )
    return (order or accepted()).apply_sourcing(result, now_ms=2000)


def approved(a: int = 2, b: int = 1, *, release: bool = True) -> Order:
    order = sourced(a, b).approve(by="risk-rules", now_ms=3000)
    return order.release(now_ms=3001) if release and order.release_due else order


def shipped_line1(qty: int) -> Order:
    return approved().ship(shipment_id="S1", location_id="DC1", quantities={1: qty}, now_ms=4000)


def fully_shipped() -> Order:
    return shipped_line1(2).ship(shipment_id="S2", location_id="DC2", quantities={2: 1}, now_ms=4100)


def undelivered(order: Order, shipment_id: str) -> Order:
    return order.return_undelivered(
        shipment_id, return_id=f"R-{shipment_id}", reason=UndeliveredReason.REFUSED, resolution=Resolution.REFUND,
        location_id="DC1", now_ms=5000,
    )  # fmt: skip


def fixtures() -> list[Order]:
    return [
        accepted(),
        sourced(2, 1),
        sourced(1, 1),
        sourced(0, 0),
        sourced(2, 1).hold(reasons=("big",), by="risk-rules", now_ms=2500),
        sourced(2, 1).reject(reasons=("fraud",), by="agent", now_ms=2500),
        approved(),
        approved(release=False),
        approved(1, 1),
        approved(1, 1, release=False),
        shipped_line1(1),
        shipped_line1(1).deliver("S1", now_ms=4500),
        # Held after a first shipment (delivered, or still on its way): the rest waits for a reviewer.
        shipped_line1(1).hold_for_review(by="agent", reason="card reported stolen", now_ms=4400),
        shipped_line1(1).deliver("S1", now_ms=4500).hold_for_review(by="agent", reason="card reported stolen", now_ms=4600),
        sourced(2, 1, approved(1, 1).ship(shipment_id="S0", location_id="DC1", quantities={1: 1}, now_ms=3500)),
        fully_shipped(),
        fully_shipped().deliver("S1", now_ms=5000),
        fully_shipped().deliver("S1", now_ms=5000).deliver("S2", now_ms=5001),
        fully_shipped().deliver("S1", now_ms=5000).deliver("S2", now_ms=5001).close(now_ms=6000),
        sourced(2, 1).cancel(reason="changed mind", now_ms=2500),
        undelivered(undelivered(fully_shipped(), "S1"), "S2"),  # every parcel came back
    ]


def attempt(order: Order, cmd: Command) -> Order:
    now = 10_000
    if cmd is Command.SOURCE:
        allocations = {
            line.line_number: tuple(line.allocations)
            + ((LineAllocation(location_id="DC9", quantity=line.active - line.allocated_quantity),) if line.active > line.allocated_quantity else ())
            for line in order.lines
        }
        return order.apply_sourcing(SourcingResult(order_id=order.order_id, allocations=allocations), now_ms=now)
    if cmd is Command.APPROVE:
        return order.approve(by="agent", now_ms=now)
    if cmd is Command.HOLD:
        return order.hold(reasons=("review",), by="agent", now_ms=now)
    if cmd is Command.REJECT:
        return order.reject(reasons=("fraud",), by="agent", now_ms=now)
    if cmd is Command.RELEASE:
        return order.release(now_ms=now)
    if cmd is Command.SHIP:
        for line in order.lines:
            for r in line.released:
                if r.quantity > line.shipped_from(r.location_id):
                    return order.ship(shipment_id="S-new", location_id=r.location_id, quantities={line.line_number: 1}, now_ms=now)
        return order.ship(shipment_id="S-new", location_id="DC1", quantities={1: 1}, now_ms=now)
    if cmd is Command.DELIVER:
        undelivered = [s for s in order.shipments if s.status.value != "delivered"]
        return order.deliver(undelivered[0].shipment_id if undelivered else "S-none", now_ms=now)
    if cmd is Command.CANCEL:
        return order.cancel(reason="x", now_ms=now)
    if cmd is Command.CANCEL_LINES:
        return order.cancel_lines([1], reason="x", now_ms=now)
    if cmd is Command.CLOSE:
        return order.close(now_ms=now)
    if cmd is Command.RETURN:
        return order.request_return(
            return_id="R-new",
            lines={1: (1, "damaged", Resolution.REFUND)},
            channel="store",
            location_id="ST1",
            window_ms=30 * 86_400_000,
            non_returnable=frozenset(),
            now_ms=now,
        )
    raise AssertionError(cmd)


def test_every_status_is_reached_by_the_fixtures():
    assert {o.status for o in fixtures()} == set(OrderStatus)


@pytest.mark.parametrize(("status", "cmd"), list(itertools.product(OrderStatus, Command)))
def test_every_command_in_every_status_is_allowed_or_refused_without_change(status, cmd):
    cases = [o for o in fixtures() if o.status is status]
    if cmd in ALLOWED[status]:
        worked = []
        for order in cases:
            try:
                after = attempt(order, cmd)
            except FailedPreconditionError:
                continue  # allowed here, but this fixture lacks what the command needs
            assert after.version == order.version + 1
            worked.append(after)
        assert worked, f"{cmd} should work in some {status} order"
    else:
        for order in cases:
            before = order
            with pytest.raises(InvalidTransitionError):
                attempt(order, cmd)
            assert order == before


def test_accept_totals_in_minor_units():
    order = accepted()
    assert order.total == eur(2250)
    assert order.status is OrderStatus.ACCEPTED and order.version == 1


@pytest.mark.parametrize(
    ("a", "b", "status", "backordered"),
    [
        (2, 1, OrderStatus.ALLOCATED, [0, 0]),
        (1, 1, OrderStatus.PARTLY_BACKORDERED, [1, 0]),
        (0, 0, OrderStatus.BACKORDERED, [2, 1]),
    ],
)
def test_sourcing_sets_order_and_line_status_and_asks_for_assessment(a, b, status, backordered):
    order = sourced(a, b)
    assert order.status is status
    assert [line.backordered_quantity for line in order.lines] == backordered
    assert order.pending == (STEP_ASSESS,)


def test_over_allocation_is_a_bug_not_a_state():
    with pytest.raises(ValueError):
        sourced(3, 1)


def test_release_sends_every_allocated_unit_and_later_sourcing_is_released_again():
    order = approved(1, 1)
    assert order.approval.status is ApprovalStatus.APPROVED
    assert order.status is OrderStatus.PARTLY_BACKORDERED
    assert [line.released_quantity for line in order.lines] == [1, 1]
    more = sourced(2, 1, order)
    assert more.release_due
    more = more.release(now_ms=9)
    assert more.status is OrderStatus.RELEASED
    assert [line.released_quantity for line in more.lines] == [2, 1]


def test_shipping_asks_for_capture_and_consumption_and_is_idempotent_by_shipment_id():
    order = shipped_line1(2)
    assert order.status is OrderStatus.PARTLY_SHIPPED
    assert order.shipments[0].value == 2000
    assert set(order.pending) == {STEP_CAPTURE + "S1", STEP_CONSUME + "S1"}
    assert order.ship(shipment_id="S1", location_id="DC1", quantities={1: 2}, now_ms=9) is order
    with pytest.raises(FailedPreconditionError):
        order.ship(shipment_id="S1", location_id="DC1", quantities={1: 1}, now_ms=9)
    with pytest.raises(FailedPreconditionError):  # nothing more released to DC1
        order.ship(shipment_id="S9", location_id="DC1", quantities={1: 1}, now_ms=9)


def test_cancel_after_a_partial_shipment_cancels_only_the_rest_and_voids_the_unneeded_money():
    paid = Order.accept(
        command(payments=(PaymentInstruction(method=PaymentMethod.CARD, amount=eur(2250), token="tok_1234567890"),)),
        order_id="O1",
        now_ms=1000,
    )
    paid = sourced(2, 1, paid)
    records = tuple(p.with_(authorization_id="AUTH1", authorized=2250) for p in paid.payment_records)
    paid = paid.record_authorizations(records, now_ms=2100).approve(by="risk-rules", now_ms=2200).release(now_ms=2201)
    shipped = paid.ship(shipment_id="S1", location_id="DC1", quantities={1: 1}, now_ms=3000)
    captured = shipped.record_capture(
        "S1",
        captures=(ShipmentCapture(payment_id="P1", amount=1000, capture_id="C1"),),
        records=tuple(p.with_(captured=1000) for p in shipped.payment_records),
        invoice_number="INV-1",
        now_ms=3100,
    )
    cancelled = captured.cancel(reason="customer", now_ms=4000)
    assert cancelled.status is OrderStatus.SHIPPED
    assert [(line.cancelled, line.shipped_quantity) for line in cancelled.lines] == [(1, 1), (1, 0)]
    assert cancelled.holdings() == []
    assert cancelled.payable == 1000
    assert {STEP_INVENTORY, STEP_VOID} <= set(cancelled.pending)


def test_reject_gives_everything_back():
    order = sourced(2, 1).reject(reasons=("fraud",), by="agent", now_ms=3000)
    assert order.status is OrderStatus.REJECTED
    assert {line.status for line in order.lines} == {LineStatus.CANCELLED}
    assert order.holdings() == [] and STEP_INVENTORY in order.pending


def test_approval_needs_authorised_payments():
    paid = Order.accept(
        command(payments=(PaymentInstruction(method=PaymentMethod.CARD, amount=eur(2250), token="tok_1234567890"),)),
        order_id="O1",
        now_ms=1000,
    )
    with pytest.raises(FailedPreconditionError):
        sourced(2, 1, paid).approve(by="agent", now_ms=2000)


def test_content_hash_tells_retry_from_reuse():
    assert command().content_hash() == command().content_hash()
    other = command(lines=(LineInput(sku="A", quantity=3, unit_price=eur(1000)),))
    assert other.content_hash() != command().content_hash()
    # The order carries its command's hash, computed by accept or handed over by a caller that has it.
    assert Order.accept(command(), order_id="O1", now_ms=1).content_hash == command().content_hash()
    digest = command().content_hash()
    assert Order.accept(command(), order_id="O1", now_ms=1, content_hash=digest).content_hash == digest


def delivered_and_paid() -> Order:
    paid = Order.accept(
        command(
            payments=(
                PaymentInstruction(method=PaymentMethod.GIFT_CARD, amount=eur(500), token="GC-1234567890"),
                PaymentInstruction(method=PaymentMethod.CARD, amount=eur(1750), token="tok_1234567890"),
            )
        ),
        order_id="O1",
        now_ms=1000,
    )
    paid = sourced(2, 1, paid)
    records = tuple(p.with_(authorization_id=f"A-{p.payment_id}", authorized=p.amount.amount_minor) for p in paid.payment_records)
    order = paid.record_authorizations(records, now_ms=2100).approve(by="risk-rules", now_ms=2200).release(now_ms=2201)
    order = order.ship(shipment_id="S1", location_id="DC1", quantities={1: 2}, now_ms=3000)
    order = order.record_capture(
        "S1",
        captures=(
            ShipmentCapture(payment_id="P1", amount=500, capture_id="C1"),
            ShipmentCapture(payment_id="P2", amount=1500, capture_id="C2"),
        ),
        records=tuple(p.with_(captured={"P1": 500, "P2": 1500}[p.payment_id]) for p in order.payment_records),
        invoice_number="INV-1",
        now_ms=3100,
    )
    return order.deliver("S1", now_ms=4000)


def test_a_delivered_order_is_closable_once_the_window_shuts_with_no_return_open():
    order = fully_shipped().deliver("S1", now_ms=4000).deliver("S2", now_ms=4001)
    for step in order.pending:  # captured and consumed
        order = order.step_done(step, now_ms=4002)
    assert order.status is OrderStatus.DELIVERED and not order.pending
    assert not order.closable(now_ms=4001 + 100, window_ms=100)  # the last delivery's window still open
    assert order.closable(now_ms=4001 + 101, window_ms=100)
    returning = order.request_return(
        return_id="R1", lines={1: (1, "too small", Resolution.REFUND)}, channel="web", location_id="ST1",
        window_ms=100, non_returnable=frozenset(), now_ms=4050,
    )  # fmt: skip
    assert not returning.closable(now_ms=10**9, window_ms=100)  # a return is open
    assert not order.close(now_ms=6000).closable(now_ms=10**9, window_ms=0)  # closed is no longer delivered
    assert not approved().closable(now_ms=10**9, window_ms=0)  # not delivered


def test_a_return_is_authorised_received_inspected_and_refunded_to_both_payments():
    order = delivered_and_paid().request_return(
        return_id="R1",
        lines={1: (2, "too small", Resolution.REFUND)},
        channel="store",
        location_id="ST1",
        window_ms=30 * 86_400_000,
        non_returnable=frozenset(),
        now_ms=5000,
    )
    order = order.receive_return("R1", location_id="ST1", quantities={1: 2}, now_ms=6000)
    order = order.inspect_return("R1", dispositions={1: Disposition.RESTOCK}, now_ms=7000)
    assert {"restock:R1", "resolve:R1"} <= set(order.pending)
    plan = order.refund_plan("R1")
    assert sorted((p.payment_id, p.amount) for p in plan) == [("P1", 500), ("P2", 1500)]
    done = order.record_resolution("R1", refunds=tuple(plan), store_credit=0, credit_notes=("CN-1",), replacement_order_id="", now_ms=8000)
    assert done.return_("R1").status is ReturnStatus.RESOLVED
    assert [p.refunded for p in done.payment_records] == [500, 1500]
    # Nothing more can be refunded from that shipment.
    assert all(c.refundable == 0 for c in done.shipments[0].captures)


@pytest.mark.parametrize(
    ("lines", "window_ms", "non_returnable", "reason"),
    [
        ({1: (3, "x", Resolution.REFUND)}, 10**9, frozenset(), "delivered"),
        ({2: (1, "x", Resolution.REFUND)}, 10**9, frozenset(), "delivered"),  # line 2 never shipped
        ({1: (1, "x", Resolution.REFUND)}, 10, frozenset(), "window"),
        ({1: (1, "x", Resolution.REFUND)}, 10**9, frozenset({"A"}), "cannot be returned"),
    ],
)
def test_returns_outside_the_rules_are_refused_and_change_nothing(lines, window_ms, non_returnable, reason):
    order = delivered_and_paid()
    with pytest.raises(FailedPreconditionError) as info:
        order.request_return(
            return_id="R1", lines=lines, channel="web", location_id="", window_ms=window_ms,
            non_returnable=non_returnable, now_ms=5000,
        )
    assert reason in info.value.lines[0].reason
    assert order.returns == ()


def test_a_second_return_cannot_take_back_more_than_was_delivered():
    order = delivered_and_paid().request_return(
        return_id="R1", lines={1: (1, "x", Resolution.REFUND)}, channel="web", location_id="",
        window_ms=10**9, non_returnable=frozenset(), now_ms=5000,
    )
    assert order.request_return(
        return_id="R1", lines={1: (1, "x", Resolution.REFUND)}, channel="web", location_id="",
        window_ms=10**9, non_returnable=frozenset(), now_ms=5001,
    ) is order  # a retry
    with pytest.raises(FailedPreconditionError):
        order.request_return(
            return_id="R2", lines={1: (2, "x", Resolution.REFUND)}, channel="web", location_id="",
            window_ms=10**9, non_returnable=frozenset(), now_ms=5002,
        )


def test_an_order_is_the_work_of_the_locations_it_was_released_to_or_shipped_from():
    assert not accepted().works_at("DC1")  # nothing released anywhere yet
    assert not approved(release=False).works_at("DC1")  # allocated, not released
    released = approved()
    assert released.works_at("DC1") and released.works_at("DC2") and not released.works_at("DC3")
    assert fully_shipped().works_at("DC1") and not fully_shipped().works_at("DC3")


def test_money_received_on_account_is_recorded_once_against_one_of_the_orders_invoices():
    from oms_actors.domain.events import order_events
    from oms_actors.domain.payment_state import Receipt

    order = delivered_and_paid()
    receipt = Receipt(receipt_id="PAY-1", invoice_number="INV-1", amount=eur(1_200), received_at_ms=5000)
    paid = order.record_receipt(receipt, now_ms=5001)
    assert paid.receipts == (receipt,) and paid.status is order.status and paid.version == order.version + 1
    assert paid.record_receipt(receipt, now_ms=5002) is paid  # a retried recording
    [event] = order_events(order, paid)
    assert (event.type, event.data) == (
        "payment.received",
        {"receipt_id": "PAY-1", "invoice_number": "INV-1", "amount": "1200"},
    )
    with pytest.raises(FailedPreconditionError) as info:
        paid.record_receipt(
            Receipt(receipt_id="PAY-2", invoice_number="INV-9", amount=eur(1), received_at_ms=5003), now_ms=5003
        )
    assert info.value.code == "NOT_THIS_ORDERS_INVOICE"


def test_an_invoice_past_due_is_noted_once_on_its_order():
    from oms_actors.domain.events import order_events
    from oms_actors.domain.payment_state import OverdueNotice

    order = delivered_and_paid()
    notice = OverdueNotice(invoice_number="INV-1", due_at_ms=4500, open=eur(2_000), noticed_at_ms=6000)
    noted = order.note_overdue(notice, now_ms=6000)
    assert noted.overdue == (notice,) and noted.status is order.status
    assert noted.note_overdue(OverdueNotice(invoice_number="INV-1", due_at_ms=4500, open=eur(1), noticed_at_ms=7000), now_ms=7000) is noted
    [event] = order_events(order, noted)
    assert (event.type, event.data) == ("invoice.overdue", {"invoice_number": "INV-1", "due_at_ms": "4500", "open": "2000"})
    with pytest.raises(FailedPreconditionError):
        noted.note_overdue(OverdueNotice(invoice_number="INV-2", due_at_ms=1, open=eur(1), noticed_at_ms=1), now_ms=8000)


def test_units_reported_short_are_released_and_allocated_no_more_and_leave_stock_by_a_step():
    from oms_actors.domain.events import order_events
    from oms_actors.domain.fulfilment import ShortageReason
    from oms_actors.domain.order import STEP_SHORTAGE

    order = approved()  # line 1: 2 units released to DC1; line 2: 1 to DC2
    short = order.report_shortage(
        shortage_id="X1", location_id="DC1", quantities={1: 1}, reason=ShortageReason.DAMAGED, now_ms=5000
    )
    line = short.line(1)
    assert (line.allocated_quantity, line.released_quantity, line.backordered_quantity) == (1, 1, 1)
    assert short.status is OrderStatus.PARTLY_BACKORDERED and STEP_SHORTAGE + "X1" in short.pending
    assert short.works_at("DC1")
    # Repeated, the same; another content under the id, or more than is released there, refused.
    assert short.report_shortage(
        shortage_id="X1", location_id="DC1", quantities={1: 1}, reason=ShortageReason.DAMAGED, now_ms=5001
    ) is short
    with pytest.raises(FailedPreconditionError) as reused:
        short.report_shortage(shortage_id="X1", location_id="DC1", quantities={1: 2}, reason=ShortageReason.MISSING, now_ms=5001)
    assert reused.value.code == "SHORTAGE_ID_REUSED"
    with pytest.raises(FailedPreconditionError) as over:
        short.report_shortage(shortage_id="X2", location_id="DC1", quantities={1: 2}, reason=ShortageReason.MISSING, now_ms=5001)
    assert over.value.code == "NOT_RELEASED_HERE" and over.value.lines[0].line_number == 1
    events = {e.type: e.data for e in order_events(order, short)}
    assert events["fulfilment.shortage"] == {"shortage_id": "X1", "location_id": "DC1", "reason": "damaged", "units": "1"}
    # Shipped units cannot be reported short.
    shipped = shipped_line1(2)
    with pytest.raises(FailedPreconditionError):
        shipped.report_shortage(shortage_id="X3", location_id="DC1", quantities={1: 1}, reason=ShortageReason.MISSING, now_ms=6000)


def test_units_a_location_declines_are_released_no_more_stay_in_its_stock_and_it_is_avoided():
    from oms_actors.domain.fulfilment import ShortageReason
    from oms_actors.domain.order import STEP_SHORTAGE
    from oms_actors.domain.sourcing import SourcingRequest

    order = approved()  # line 1: 2 units released to DC1; line 2: 1 to DC2
    assert order.declined_locations == frozenset() and SourcingRequest.of(order).avoid == ()
    declined = order.report_shortage(
        shortage_id="D1", location_id="DC1", quantities={1: 2}, reason=ShortageReason.DECLINED, now_ms=5000
    )
    line = declined.line(1)
    assert (line.allocated_quantity, line.released_quantity, line.backordered_quantity) == (0, 0, 2)
    assert not [step for step in declined.pending if step.startswith(STEP_SHORTAGE)]  # nothing leaves its stock
    assert declined.declined_locations == frozenset({"DC1"})
    request = SourcingRequest.of(declined)
    assert request.avoid == ("DC1",) and [sl.quantity for sl in request.lines] == [2, 0]
    # A shortage elsewhere takes stock away but leaves the location free to be planned again.
    short = declined.report_shortage(
        shortage_id="X1", location_id="DC2", quantities={2: 1}, reason=ShortageReason.MISSING, now_ms=5001
    )
    assert short.declined_locations == frozenset({"DC1"}) and STEP_SHORTAGE + "X1" in short.pending


def test_the_delivery_address_changes_before_anything_ships_within_its_country():
    from oms_actors.domain.events import order_events
    from oms_actors.domain.records import evolve

    berlin = Address(name="A B", lines=("Street 1",), city="Berlin", postal_code="10115", country_code="DE", latitude=52.5, longitude=13.4)
    order = evolve(approved(), ship_to=berlin)
    moved = Address(name="A B", lines=("Elsewhere 2",), city="Potsdam", postal_code="14467", country_code="DE", latitude=52.4, longitude=13.06)
    changed = order.change_ship_to(moved, now_ms=5000)
    assert changed.ship_to == moved and changed.status is order.status and changed.lines == order.lines
    assert changed.change_ship_to(moved, now_ms=5001) is changed  # the same again: nothing
    [event] = order_events(order, changed)
    assert (event.type, event.data) == ("order.ship_to_changed", {"city": "Potsdam", "postal_code": "14467", "country_code": "DE"})
    abroad = Address(name="A B", lines=("Rue 1",), city="Paris", postal_code="75001", country_code="FR", latitude=48.86, longitude=2.35)
    with pytest.raises(FailedPreconditionError) as info:
        order.change_ship_to(abroad, now_ms=5000)
    assert info.value.code == "COUNTRY_CHANGE"
    with pytest.raises(FailedPreconditionError) as info:
        evolve(shipped_line1(1), ship_to=berlin).change_ship_to(moved, now_ms=5000)
    assert info.value.code == "ALREADY_SHIPPED"
    with pytest.raises(InvalidTransitionError):
        order.cancel(reason="r", now_ms=5000).change_ship_to(moved, now_ms=5001)


def test_a_reviewer_holds_an_approved_order_before_it_ships_and_approving_releases_it_again():
    from oms_actors.domain.events import order_events

    order = approved()
    assert order.status is OrderStatus.RELEASED
    held = order.hold_for_review(by="service_agent:ana", reason="card reported stolen?", now_ms=5000)
    assert held.status is OrderStatus.ON_HOLD and held.approval.status is ApprovalStatus.HELD
    assert held.approval.reasons == ("card reported stolen?",) and held.approval.decided_by == "service_agent:ana"
    assert all(not line.released for line in held.lines) and [l.allocations for l in held.lines] == [l.allocations for l in order.lines]
    assert not held.works_at("DC1") and STEP_RELEASE not in held.pending
    assert held.hold_for_review(by="service_agent:bo", reason="again", now_ms=5001) is held
    assert {e.type for e in order_events(order, held)} >= {"order.approval_changed", "order.status_changed"}
    with pytest.raises(FailedPreconditionError):
        held.ship(shipment_id="S1", location_id="DC1", quantities={1: 1}, now_ms=5002)
    again = held.approve(by="service_agent:ana", now_ms=6000)
    again = again.release(now_ms=6001) if again.release_due else again
    assert again.status is OrderStatus.RELEASED and [l.released for l in again.lines] == [l.released for l in order.lines]
    with pytest.raises(InvalidTransitionError):  # everything shipped: nothing left to stop
        fully_shipped().hold_for_review(by="a", reason="r", now_ms=7000)


def test_a_hold_after_a_first_shipment_stops_the_rest_and_what_left_travels_on():
    order = shipped_line1(1)  # one unit of line 1 shipped (S1); the rest released
    assert order.status is OrderStatus.PARTLY_SHIPPED
    held = order.hold_for_review(by="service_agent:ana", reason="card reported stolen", now_ms=5000)
    assert held.status is OrderStatus.ON_HOLD and held.approval.status is ApprovalStatus.HELD
    assert [line.released for line in held.lines] == [line.shipped for line in order.lines]  # the rest called back
    assert [line.allocations for line in held.lines] == [line.allocations for line in order.lines]  # still reserved
    with pytest.raises(InvalidTransitionError):  # nothing more ships
        held.ship(shipment_id="S9", location_id="DC1", quantities={1: 1}, now_ms=5001)
    delivered = held.deliver("S1", now_ms=5002)  # what left before the hold arrives as any shipment
    assert delivered.status is OrderStatus.ON_HOLD and delivered.shipment("S1").delivered_at_ms == 5002
    with pytest.raises(InvalidTransitionError):  # units have shipped: the rest is cancelled, not the order rejected
        delivered.reject(reasons=("fraud",), by="service_agent:ana", now_ms=5003)
    again = delivered.approve(by="service_agent:bo", now_ms=6000)
    assert again.status is OrderStatus.PARTLY_SHIPPED and again.release_due and STEP_RELEASE in again.pending
    released = again.release(now_ms=6001)
    assert [line.released for line in released.lines] == [line.released for line in order.lines]
    cancelled = delivered.cancel(reason="customer confirms the fraud", now_ms=6000)
    assert cancelled.status is OrderStatus.DELIVERED and cancelled.lines[0].cancelled == order.lines[0].quantity - 1


def test_a_hold_asked_for_while_the_order_is_assessed_holds_it_whatever_the_rules_decide_unless_they_reject():
    for assessing in (accepted(), sourced(2, 1)):
        asked = assessing.hold_for_review(by="service_agent:ana", reason="customer on the phone", now_ms=2500)
        assert asked.approval == assessing.approval and asked.status is assessing.status  # the rules still decide
        assert asked.hold_requested is not None and asked.hold_requested.by == "service_agent:ana"
        assert asked.version == assessing.version + 1
        assert asked.hold_for_review(by="service_agent:bo", reason="again", now_ms=2600) is asked
    asked = sourced(2, 1).hold_for_review(by="service_agent:ana", reason="customer on the phone", now_ms=2500)
    from gateway.convert import order_to_proto

    shown = order_to_proto(asked).hold_requested  # what the agent is answered: the request, kept
    assert (shown.by, shown.reason, shown.at.ToMilliseconds()) == ("service_agent:ana", "customer on the phone", 2500)
    assert not order_to_proto(sourced(2, 1)).HasField("hold_requested")

    passed = asked.approve(by="risk-rules", now_ms=3000, by_rules=True)  # the rules approve: held for review all the same
    assert passed.status is OrderStatus.ON_HOLD and passed.approval.status is ApprovalStatus.HELD
    assert passed.approval.reasons == ("customer on the phone",) and passed.approval.decided_by == "service_agent:ana"
    assert not passed.release_due and STEP_RELEASE not in passed.pending and "assess" not in passed.pending

    flagged = asked.hold(reasons=("order value above 1000",), by="risk-rules", now_ms=3000)
    assert flagged.approval.reasons == ("order value above 1000", "customer on the phone")

    rejected = asked.reject(reasons=("blocked card",), by="risk-rules", now_ms=3000)
    assert rejected.status is OrderStatus.REJECTED  # the rules' rejection stands
    early = asked.approve(by="service_agent:bo", now_ms=3000)  # a reviewer who approves it decides
    assert early.approval.status is ApprovalStatus.APPROVED and early.approval.decided_by == "service_agent:bo"

    # The reviewer decides: approving releases it, as for any held order.
    reviewed = passed.approve(by="service_agent:bo", now_ms=4000)
    reviewed = reviewed.release(now_ms=4001) if reviewed.release_due else reviewed
    assert reviewed.status is OrderStatus.RELEASED
