"""The order's records as msgspec Structs: the same bytes as before, immutable, secrets out of reprs."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest

from oms_actors.domain.commands import Address, CreateOrder, LineInput, PaymentInstruction
from oms_actors.domain.enums import Channel, DeliveryMode, LineStatus, OrderStatus, PaymentMethod
from oms_actors.domain.events import order_events
from oms_actors.domain.money import Money
from oms_actors.domain.order import LineAllocation, Order, SourcingExplanation, SourcingResult
from oms_actors.domain.payment_state import PaymentRecord
from oms_actors.domain.records import evolve
from oms_actors.domain.stock import ReservationKey
from oms_actors.store.orders import EVENTS_CODEC, ORDER_CODEC
from oms_actors.wire import CREATE_ORDERS

# Written by the code before the records became Structs (frozen slotted dataclasses):
# the same order through the same life, as Redis, the wire and the event stream got it.
BEFORE = json.loads((Path(__file__).parent / "data" / "records_as_dataclasses.json").read_text())
# Order fields added since
ADDED_SINCE = (
    ',"receipts":[],"overdue":[],"shortages":[],"shipping":null,"appeasements":[],"notes":[],"erased_at_ms":0'
    ',"return_window_days":null,"hold_requested":null,"deliver_by":"","shipping_service":""'
    ',"ship_complete":false,"deliver_from":"","scheduled":false'
)
# OrderLine fields added since
LINE_ADDED_SINCE = (
    ',"tax_rate_bps":0,"return_window_days":null,"final_sale":null,"promised_on":null,"estimated_on":null,"undelivered":0'
)
# Shipment fields added since
SHIPMENT_ADDED_SINCE = (
    ',"shipping":0,"estimated_delivery":"","estimate_reason":"","shipping_service":"","returned_at_ms":0,"undelivered_reason":""'
)


def _command() -> CreateOrder:
    eur = "EUR"
    return CreateOrder(
        channel=Channel.WEB, idempotency_key="k1", customer_id="c1",
        lines=(
            LineInput(sku="SKU-1", quantity=2, unit_price=Money(amount_minor=1999, currency=eur)),
            LineInput(sku="SKU-2", quantity=1, unit_price=Money(amount_minor=500, currency=eur)),
        ),
        delivery_mode=DeliveryMode.SHIP,
        ship_to=Address(
            name="A B", lines=("Street 1",), city="Berlin", postal_code="10115", country_code="DE",
            latitude=52.5, longitude=13.4,
        ),
        payments=(
            PaymentInstruction(
                method=PaymentMethod.CARD, amount=Money(amount_minor=4498, currency=eur), token="tok_abcdefgh1234"
            ),
        ),
    )  # fmt: skip


def _lived(command: CreateOrder) -> tuple[Order, Order]:
    """(sourced, shipped): the fixture's order at two points of its life."""
    accepted = Order.accept(command, order_id="O1", now_ms=1000)
    result = SourcingResult(
        order_id="O1",
        allocations={1: (LineAllocation(location_id="DC1", quantity=2),), 2: (LineAllocation(location_id="ST2", quantity=1),)},
        explanation=SourcingExplanation(
            status="OPTIMAL", unit_cost=1, shipment_cost=2, unfilled_cost=0, bound=3, greedy_cost=3, solver="x", shipments=2
        ),
    )
    sourced = accepted.apply_sourcing(result, now_ms=1001)
    paid = tuple(
        p.with_(authorization_id="A1", authorized=p.amount.amount_minor, expires_at_ms=9, attempts=1)
        for p in sourced.payment_records
    )
    released = sourced.record_authorizations(paid, now_ms=1002).approve(by="risk-rules", now_ms=1002).release(now_ms=1002)
    shipped = released.ship(shipment_id="S1", location_id="DC1", quantities={1: 2}, carrier="dhl", tracking="T1", now_ms=1003)
    return sourced, shipped


def test_stored_orders_wire_and_events_are_byte_for_byte_what_the_dataclasses_wrote():
    command = _command()
    sourced, shipped = _lived(command)
    # A retry after the upgrade of a request taken before it is still the same request.
    assert command.content_hash() == BEFORE["command_hash"]
    # What a peer still on the code before sends decodes to the same command (shipping, added
    # since, is the one more key the wire carries now).
    assert CREATE_ORDERS.decode(bytes.fromhex(BEFORE["command_wire"])) == [command]
    assert CREATE_ORDERS.decode(CREATE_ORDERS.encode([command])) == [command]
    # Fields added since go at the end with their defaults; nothing before them moves.
    then = BEFORE["order"][:-1].replace('"cancelled":0}', '"cancelled":0' + LINE_ADDED_SINCE + "}")
    then = then.replace('"delivered_at_ms":0}', '"delivered_at_ms":0' + SHIPMENT_ADDED_SINCE + "}")
    assert ORDER_CODEC.encode(shipped).decode() == then + ADDED_SINCE + "}"
    assert EVENTS_CODEC.encode(order_events(sourced, shipped)).hex() == BEFORE["events"]
    stored = ORDER_CODEC.decode(BEFORE["order"])
    assert stored == shipped
    assert stored.status is OrderStatus.PARTLY_SHIPPED
    assert [line.status for line in stored.lines] == [LineStatus.SHIPPED, LineStatus.RELEASED]


def test_evolve_copies_with_changes_and_leaves_the_original_alone():
    order, _ = _lived(_command())
    changed = evolve(order, version=7, customer_id="d")
    assert (changed.version, changed.customer_id, changed.lines) == (7, "d", order.lines)
    assert (order.version, order.customer_id) == (2, "c1")
    with pytest.raises(AttributeError):
        changed.version = 8  # type: ignore[misc]
    with pytest.raises(TypeError, match="versoin"):
        evolve(order, versoin=2)


def test_records_are_values_usable_as_keys():
    key = ReservationKey(order_id="O1", line_number=1, location_id="DC1")
    held = {key: 3}
    assert held[ReservationKey(order_id="O1", line_number=1, location_id="DC1")] == 3
    with pytest.raises(TypeError):
        ReservationKey("O1", 1, "DC1")  # type: ignore[misc]  # keyword-only, as the dataclasses were


def test_payment_tokens_stay_out_of_reprs_but_are_kept():
    instruction = _command().payments[0]
    record = PaymentRecord(payment_id="P1", method=instruction.method, amount=instruction.amount, token=instruction.token)
    for value in (instruction, record, _command(), Order.accept(_command(), order_id="O1", now_ms=1)):
        assert "tok_abcdefgh1234" not in repr(value)
        assert "tok_abcdefgh1234" not in str(value)
    assert repr(instruction).startswith("PaymentInstruction(method=")
    assert "payment_id='P1'" in repr(record)
    assert instruction.token == record.token == "tok_abcdefgh1234"
    assert instruction.token_hint == "1234"


def test_records_stay_out_of_the_cyclic_collector():
    sourced, shipped = _lived(_command())
    stored = ORDER_CODEC.decode(BEFORE["order"])
    for record in (sourced, shipped, stored, *stored.lines, stored.lines[0].allocations[0], *stored.shipments):
        assert not gc.is_tracked(record), type(record).__name__
