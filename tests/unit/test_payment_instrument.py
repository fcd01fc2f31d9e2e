"""Replacing a declined payment's instrument: only a declined card or gift card of a held order, by either."""

from __future__ import annotations

import pytest

from oms_actors.domain.commands import PaymentInstruction
from oms_actors.domain.enums import PaymentMethod
from oms_actors.domain.errors import FailedPreconditionError, NotFoundError
from oms_actors.domain.order import Order
from oms_actors.domain.risk import held_for_declines_alone
from tests.unit.test_order_state import command, delivered_and_paid, eur, sourced


def held_with_declined_card():
    card = PaymentInstruction(method=PaymentMethod.CARD, amount=eur(2_250), token="tok_declined_0001")
    order = sourced(2, 1, Order.accept(command(payments=(card,)), order_id="O1", now_ms=1000))
    records = tuple(p.with_(declined_reason="insufficient_funds", attempts=1) for p in order.payment_records)
    return order.record_authorizations(records, now_ms=2100).hold(reasons=("payment declined: P1: insufficient_funds",), by="risk-rules", now_ms=2200)


def test_a_declined_payment_of_a_held_order_takes_another_token_and_a_repeat_changes_nothing():
    order = held_with_declined_card()
    replaced = order.replace_payment_instrument("P1", "tok_new_4242", now_ms=3000)
    assert replaced.payment_records[0].token == "tok_new_4242" and replaced.payments[0].token == "tok_new_4242"
    assert replaced.payment_records[0].declined_reason == "insufficient_funds"  # until asked for again
    assert replaced.replace_payment_instrument("P1", "tok_new_4242", now_ms=3001) is replaced
    with pytest.raises(NotFoundError):
        order.replace_payment_instrument("P9", "tok_x", now_ms=3000)


def test_a_declined_card_may_be_paid_with_a_gift_card_and_nothing_without_an_instrument():
    order = held_with_declined_card()
    gift = order.replace_payment_instrument("P1", "gc_0001", now_ms=3000, method=PaymentMethod.GIFT_CARD)
    assert (gift.payment_records[0].method, gift.payments[0].method) == (PaymentMethod.GIFT_CARD, PaymentMethod.GIFT_CARD)
    assert gift.payment_records[0].token == "gc_0001"
    assert gift.replace_payment_instrument("P1", "gc_0001", now_ms=3001, method=PaymentMethod.GIFT_CARD) is gift
    assert gift.replace_payment_instrument("P1", "gc_0001", now_ms=3001) is gift  # its own method now
    # The same token under another method is another instrument.
    back = gift.replace_payment_instrument("P1", "gc_0001", now_ms=3002, method=PaymentMethod.CARD)
    assert back.payment_records[0].method is PaymentMethod.CARD and back.version == gift.version + 1
    for method in (PaymentMethod.INVOICE, PaymentMethod.CASH_ON_DELIVERY, PaymentMethod.STORE_CREDIT):
        with pytest.raises(FailedPreconditionError) as err:
            order.replace_payment_instrument("P1", "tok_x", now_ms=3000, method=method)
        assert err.value.code == "NO_INSTRUMENT"


def test_an_authorised_payment_keeps_its_instrument():
    with pytest.raises(FailedPreconditionError) as err:
        delivered_and_paid().replace_payment_instrument("P2", "tok_other", now_ms=9000)
    assert err.value.code == "PAYMENT_NOT_DECLINED"


def test_only_holds_for_declined_payments_alone_let_a_paid_order_go_on():
    assert held_for_declines_alone(("payment declined: P1: insufficient_funds",))
    assert not held_for_declines_alone(("payment declined: P1: x", "ships to FR, customer address in DE"))
    assert not held_for_declines_alone(())
