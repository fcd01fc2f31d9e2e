"""The restocking fee: the return policy's share of the price kept from money given back for
the reasons it names, fixed when the return is asked for. Pure."""

from __future__ import annotations

import pytest

from oms_actors.domain.errors import FailedPreconditionError
from oms_actors.domain.order import Order
from oms_actors.domain.return_policy import ReturnPolicy
from oms_actors.domain.returns import Resolution, ReturnLine
from tests.unit.test_return_deductions import eur
from tests.unit.test_shipping_charge import delivered_with_shipping, resolved

# delivered_with_shipping: line 1, two units of A at 1,000 (shipment S1, with the 495
# delivery charge); line 2, one unit of B at 250 (shipment S2).
POLICY = ReturnPolicy(window_days=30, restocking_fee_bps=1_000, restocking_fee_reasons=frozenset({"changed_mind", ""}))


def asked(lines: dict, codes: dict, policy: ReturnPolicy = POLICY, **kw) -> Order:
    return delivered_with_shipping().request_return(
        return_id="R1", lines=lines, channel="web", location_id="DC1", window_ms=30 * 86_400_000,
        non_returnable=frozenset(), now_ms=5000, reason_codes=codes, restocking_fee=policy.restocking_fee_bps_for, **kw,
    )  # fmt: skip


def received(order: Order, quantities: dict) -> Order:
    return order.receive_return("R1", location_id="DC1", quantities=quantities, now_ms=5001)


def test_a_fee_is_kept_from_a_refund_for_a_reason_the_policy_names_and_not_for_another():
    order = asked(
        {1: (2, "not wanted", Resolution.REFUND), 2: (1, "broke", Resolution.REFUND)}, {1: "changed_mind", 2: "defective"}
    )
    assert [line.restocking_fee_bps for line in order.return_("R1").lines] == [1_000, 0]
    done = resolved(received(order, {1: 2, 2: 1}).inspect_return("R1", dispositions={}, now_ms=5002), "R1")
    # 2,000 less 10% for line 1; line 2 in full; the whole order came back, so the delivery charge too.
    assert [line.refunded for line in done.return_("R1").lines] == [1_800, 250]
    assert done.payment_records[0].refunded == 1_800 + 250 + 495


def test_the_fee_is_on_the_units_received_and_on_store_credit_too():
    order = received(asked({1: (2, "not wanted", Resolution.STORE_CREDIT)}, {1: "changed_mind"}), {1: 1})
    inspected = order.inspect_return("R1", dispositions={}, now_ms=5002)
    assert inspected.store_credit_due("R1") == 900  # one unit of 1,000 came back
    assert inspected.store_credit_by_shipment("R1") == {"S1": {1: 900}}


def test_no_fee_where_nothing_is_restocked_or_no_money_goes_back():
    # Given no reason code: the policy lists "" (none given), so the fee applies.
    assert asked({1: (1, "", Resolution.REFUND)}, {}).return_("R1").lines[0].restocking_fee_bps == 1_000
    for lines, kw in (
        ({1: (1, "swap", Resolution.REPLACEMENT)}, {}),  # items go out instead of money
        ({1: (1, "swap", Resolution.REPAIR)}, {}),
        ({2: (1, "cheap", Resolution.REFUND)}, {"keep_below": eur(500)}),  # kept by the customer: nothing to restock
    ):
        assert asked(lines, {1: "changed_mind", 2: "changed_mind"}, **kw).return_("R1").lines[0].restocking_fee_bps == 0
    assert (
        asked({1: (1, "x", Resolution.REFUND)}, {1: "changed_mind"}, ReturnPolicy(window_days=30))
        .return_("R1")
        .lines[0]
        .restocking_fee_bps
        == 0
    )


def test_the_fee_asked_under_stays_when_the_policy_changes():
    order = asked({1: (2, "not wanted", Resolution.REFUND)}, {1: "changed_mind"})
    again = order.request_return(
        return_id="R1", lines={1: (2, "not wanted", Resolution.REFUND)}, channel="web", location_id="DC1",
        window_ms=30 * 86_400_000, non_returnable=frozenset(), now_ms=6000, reason_codes={1: "changed_mind"},
        restocking_fee=ReturnPolicy(window_days=30).restocking_fee_bps_for,
    )  # fmt: skip
    assert again is order  # the retry: the return as asked, fee and all


def test_a_deduction_is_capped_at_what_is_left_after_the_fee():
    order = received(asked({1: (2, "not wanted", Resolution.REFUND)}, {1: "changed_mind"}), {1: 2})
    with pytest.raises(FailedPreconditionError) as info:
        order.inspect_return("R1", dispositions={}, deductions={1: (eur(1_801), "worn")}, now_ms=5002)
    assert [p.reason for p in info.value.lines] == ["more than the 1800 its units received give back after the restocking fee"]
    whole = order.inspect_return("R1", dispositions={}, deductions={1: (eur(1_800), "worn")}, now_ms=5002)
    assert [p.amount for p in whole.refund_plan("R1") if not p.charge] == []  # nothing left to give back


@pytest.mark.parametrize(
    ("price", "bps", "fee"), [(1_000, 1_000, 100), (250, 1_250, 31), (100, 150, 2), (99, 50, 0), (0, 5_000, 0)]
)
def test_the_fee_is_rounded_half_up_to_the_minor_unit(price: int, bps: int, fee: int):
    line = ReturnLine(line_number=1, quantity=1, reason="", resolution=Resolution.REFUND, restocking_fee_bps=bps)
    assert line.restocking_fee(price) == fee


def test_the_policy_s_fee_is_stored_and_read_back():
    assert ReturnPolicy.from_dict(POLICY.to_dict()) == POLICY
    assert "restocking_fee_bps" not in ReturnPolicy(window_days=30).to_dict()  # policies stored before read the same
    assert POLICY.restocking_fee_bps_for("changed_mind") == 1_000 and POLICY.restocking_fee_bps_for("defective") == 0
