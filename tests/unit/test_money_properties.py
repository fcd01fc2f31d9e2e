"""Money never drifts: random shipments, cancellations and returns keep every total balanced."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from oms_actors.domain.commands import Address, CreateOrder, LineInput, PaymentInstruction
from oms_actors.domain.enums import Channel, DeliveryMode, PaymentMethod
from oms_actors.domain.errors import FailedPreconditionError, InvalidTransitionError
from oms_actors.domain.fulfilment import ShipmentCapture
from oms_actors.domain.money import Money
from oms_actors.domain.order import LineAllocation, Order, SourcingResult
from oms_actors.domain.payment_state import plan_captures
from oms_actors.domain.returns import Disposition, Resolution


def eur(minor: int) -> Money:
    return Money(amount_minor=minor, currency="EUR")


@st.composite
def orders(draw):
    n = draw(st.integers(1, 4))
    lines = tuple(
        LineInput(sku=f"S{i}", quantity=draw(st.integers(1, 4)), unit_price=eur(draw(st.integers(0, 5000))))
        for i in range(n)
    )
    total = sum(line.quantity * line.unit_price.amount_minor for line in lines)
    split = draw(st.integers(0, total))
    payments = tuple(
        PaymentInstruction(method=m, amount=eur(a), token=f"tok-{m.value}-123456")
        for m, a in ((PaymentMethod.GIFT_CARD, split), (PaymentMethod.CARD, total - split))
        if a > 0
    )
    command = CreateOrder(
        channel=Channel.WEB,
        idempotency_key="k",
        customer_id="c",
        lines=lines,
        delivery_mode=DeliveryMode.SHIP,
        ship_to=Address(latitude=1.0, longitude=1.0),
        payments=payments,
    )
    order = Order.accept(command, order_id="O", now_ms=1)
    order = order.apply_sourcing(
        SourcingResult(
            order_id="O",
            allocations={line.line_number: (LineAllocation(location_id="DC", quantity=line.quantity),) for line in order.lines},
        ),
        now_ms=2,
    )
    records = tuple(p.with_(authorization_id=f"A{p.payment_id}", authorized=p.amount.amount_minor) for p in order.payment_records)
    order = order.record_authorizations(records, now_ms=3).approve(by="t", now_ms=4)
    return order.release(now_ms=5) if order.release_due else order


def capture(order: Order, shipment_id: str) -> Order:
    shipment = order.shipment(shipment_id)
    plan = plan_captures(order.payment_records, shipment.value)
    captured = dict(plan)
    records = tuple(p.with_(captured=p.captured + captured.get(p.payment_id, 0)) for p in order.payment_records)
    captures = tuple(ShipmentCapture(payment_id=pid, amount=a, capture_id=f"C-{shipment_id}-{pid}") for pid, a in plan)
    return order.record_capture(shipment_id, captures=captures, records=records, invoice_number=f"I-{shipment_id}", now_ms=10)


def void(order: Order) -> Order:
    return order.step_done("void", now_ms=11, payment_records=tuple(p.with_(voided=True) for p in order.payment_records))


actions = st.lists(
    st.tuples(st.sampled_from(["ship", "cancel_line", "cancel", "deliver", "return"]), st.integers(1, 4), st.integers(1, 4)),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(order=orders(), steps=actions)
def test_captured_less_refunded_never_exceeds_authorised_and_totals_balance(order: Order, steps):
    n = 0
    for action, line_no, qty in steps:
        n += 1
        try:
            if action == "ship" and line_no <= len(order.lines):
                line = order.line(line_no)
                open_units = line.released_quantity - line.shipped_quantity
                if open_units:
                    order = order.ship(shipment_id=f"S{n}", location_id="DC", quantities={line_no: min(qty, open_units)}, now_ms=6)
                    order = capture(order, f"S{n}")
                    if qty % 2:  # about half the shipments arrive at once, so returns happen often
                        order = order.deliver(f"S{n}", now_ms=6)
            elif action == "cancel_line":
                order = order.cancel_lines([min(line_no, len(order.lines))], reason="x", now_ms=7)
            elif action == "cancel":
                order = order.cancel(reason="x", now_ms=7)
            elif action == "deliver":
                for s in order.shipments:
                    order = order.deliver(s.shipment_id, now_ms=8)
            elif action == "return" and line_no <= len(order.lines):
                left = order.returnable(line_no)
                if left:
                    rid = f"R{n}"
                    order = order.request_return(
                        return_id=rid, lines={line_no: (min(qty, left), "x", Resolution.REFUND)}, channel="web",
                        location_id="ST", window_ms=10**9, non_returnable=frozenset(), now_ms=9,
                    )
                    order = order.receive_return(rid, location_id="ST", quantities={line_no: min(qty, left)}, now_ms=9)
                    order = order.inspect_return(rid, dispositions={line_no: Disposition.RESTOCK}, now_ms=9)
                    plan = order.refund_plan(rid)
                    order = order.record_resolution(
                        rid, refunds=tuple(plan), store_credit=0, credit_notes=(), replacement_order_id="", now_ms=9
                    )
        except (InvalidTransitionError, FailedPreconditionError):
            pass
        if "void" in order.pending:
            order = void(order)

        authorized = sum(p.authorized for p in order.payment_records)
        captured = sum(p.captured for p in order.payment_records)
        refunded = sum(p.refunded for p in order.payment_records)
        assert 0 <= refunded <= captured <= authorized
        for p in order.payment_records:
            assert p.refunded <= p.captured <= p.authorized
        # Every shipment captured exactly its value; captures and payments agree to the minor unit.
        for s in order.shipments:
            assert sum(c.amount for c in s.captures) == s.value
            assert all(0 <= c.refunded <= c.amount for c in s.captures)
        assert captured == sum(c.amount for s in order.shipments for c in s.captures)
        assert refunded == sum(c.refunded for s in order.shipments for c in s.captures)
        assert captured == sum(line.unit_price.amount_minor * line.shipped_quantity for line in order.lines)
        # Nothing refunded beyond what the returned units cost.
        returned_value = sum(
            order.line(rl.line_number).unit_price.amount_minor * rl.received for r in order.returns for rl in r.lines
        )
        assert refunded <= returned_value
        assert order.payable == sum(line.unit_price.amount_minor * line.active for line in order.lines)
        assert order.payable <= order.total.amount_minor
