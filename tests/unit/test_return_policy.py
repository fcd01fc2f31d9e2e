"""The return policy: windows by the order's channel, stored as JSON, set only as a whole valid policy. Pure."""

from __future__ import annotations

import pytest

from gateway.convert import Violations, return_policy_from_proto, return_policy_to_proto
from oms_actors.domain.errors import ValidationError
from oms_actors.domain.money import Money
from oms_actors.domain.order import Order
from oms_actors.domain.records import evolve
from oms_actors.domain.return_policy import DAY_MS, ReturnPolicy
from protos.oms.v1 import common_pb2, orders_pb2, returns_pb2
from tests.unit.test_order_state import command
from tests.unit.test_shipping_charge import delivered_with_shipping

POLICY = ReturnPolicy(
    window_days=30, channel_window_days={"marketplace": 14, "field_sales": 0}, arrival_days=21,
    keep_it_below=Money(amount_minor=1_000, currency="EUR"), restocking_fee_bps=1_500,
    restocking_fee_reasons=frozenset({"changed_mind", "does_not_fit", ""}),
)  # fmt: skip


CHANGED_MIND = orders_pb2.RETURN_REASON_CHANGED_MIND


def test_a_channel_listed_has_its_own_window_and_the_others_the_default():
    assert POLICY.window_ms("marketplace") == 14 * DAY_MS
    assert POLICY.window_ms("field_sales") == 0
    assert POLICY.window_ms("web") == 30 * DAY_MS


def test_the_stored_form_reads_back_as_the_same_policy():
    assert ReturnPolicy.from_dict(POLICY.to_dict()) == POLICY
    assert ReturnPolicy.from_dict({"window_days": 7}) == ReturnPolicy(window_days=7)


def parsed(msg: returns_pb2.ReturnPolicy) -> tuple[ReturnPolicy, set[str]]:
    v = Violations()
    policy = return_policy_from_proto(msg, v)
    try:
        v.raise_if_any()
    except ValidationError as exc:
        return policy, {f.field for f in exc.violations}
    return policy, set()


def test_the_wire_form_reads_back_as_the_same_policy():
    policy, bad = parsed(return_policy_to_proto(POLICY, version=3))
    assert (policy, bad) == (POLICY, set())


@pytest.mark.parametrize(
    ("msg", "fields"),
    [
        (returns_pb2.ReturnPolicy(), {"policy.window_days"}),  # required: unset is not "no returns"
        (returns_pb2.ReturnPolicy(window_days=-1), {"policy.window_days"}),
        (returns_pb2.ReturnPolicy(window_days=3651), {"policy.window_days"}),
        (returns_pb2.ReturnPolicy(window_days=30, arrival_days=-1), {"policy.arrival_days"}),
        (returns_pb2.ReturnPolicy(window_days=30, keep_it_below=common_pb2.Money(currency="EUR")), {"policy.keep_it_below.amount_minor"}),
        (returns_pb2.ReturnPolicy(window_days=30, restocking_fee_bps=5_001, restocking_fee_reasons=[CHANGED_MIND]),
         {"policy.restocking_fee_bps"}),
        (returns_pb2.ReturnPolicy(window_days=30, restocking_fee_bps=1_000), {"policy.restocking_fee_reasons"}),
        (returns_pb2.ReturnPolicy(window_days=30, restocking_fee_reasons=[CHANGED_MIND]), {"policy.restocking_fee_bps"}),
        (returns_pb2.ReturnPolicy(window_days=30, restocking_fee_bps=1_000,
                                  restocking_fee_reasons=[CHANGED_MIND, orders_pb2.RETURN_REASON_UNDELIVERED, CHANGED_MIND, 99]),
         {"policy.restocking_fee_reasons[1]", "policy.restocking_fee_reasons[2]", "policy.restocking_fee_reasons[3]"}),
        (
            returns_pb2.ReturnPolicy(
                window_days=30,
                channel_windows=[
                    returns_pb2.ChannelReturnWindow(channel=common_pb2.CHANNEL_WEB, window_days=60),
                    returns_pb2.ChannelReturnWindow(channel=common_pb2.CHANNEL_WEB, window_days=14),
                    returns_pb2.ChannelReturnWindow(window_days=14),
                    returns_pb2.ChannelReturnWindow(channel=common_pb2.CHANNEL_STORE, window_days=-2),
                ],
            ),
            {"policy.channel_windows[1].channel", "policy.channel_windows[2].channel", "policy.channel_windows[3].window_days"},
        ),
    ],
)
def test_a_bad_policy_names_every_bad_field(msg, fields):
    assert parsed(msg)[1] == fields


def test_no_returns_at_all_is_a_policy_too():
    policy, bad = parsed(returns_pb2.ReturnPolicy(window_days=0))
    assert not bad and policy.window_ms("web") == 0


def test_an_order_keeps_the_window_it_was_sold_under_and_one_placed_before_follows_the_policy():
    sold = Order.accept(command(), order_id="O1", now_ms=1000, return_window_days=14)
    assert sold.return_window_ms(policy_ms=30 * DAY_MS) == 14 * DAY_MS
    legacy = delivered_with_shipping()  # placed before orders kept a window
    assert legacy.return_window_days is None and legacy.return_window_ms(policy_ms=7 * DAY_MS) == 7 * DAY_MS
    assert legacy.return_by_ms(1) is None
    kept = evolve(legacy, return_window_days=14)
    assert kept.return_by_ms(1) == kept.last_delivery_ms(1) + 14 * DAY_MS
    assert Order.accept(command(), order_id="O2", now_ms=1000, return_window_days=14).return_by_ms(1) is None  # not delivered


def test_an_authorised_return_not_brought_back_in_time_expires_and_gives_its_units_back():
    from oms_actors.domain.errors import InvalidTransitionError
    from oms_actors.domain.returns import Resolution, ReturnStatus

    order = evolve(delivered_with_shipping(), pending=())  # its stock steps done
    asked = order.request_return(
        return_id="R1", lines={1: (2, "too small", Resolution.REFUND)}, channel="web", location_id="DC1",
        window_ms=30 * DAY_MS, non_returnable=frozenset(), now_ms=10_000,
    )  # fmt: skip
    assert asked.returnable(1) == 0
    arrival = POLICY.arrival_ms
    assert arrival == 21 * DAY_MS and ReturnPolicy(window_days=30).arrival_ms is None  # 0: never lapses
    assert asked.lapsed_returns(10_000 + arrival, arrival) == [] and asked.lapsed_returns(10_000, None) == []
    assert asked.lapsed_returns(10_001 + arrival, arrival) == ["R1"]

    expired = asked.expire_returns(["R1"], now_ms=10_001 + arrival)
    record = expired.return_("R1")
    assert record.status is ReturnStatus.EXPIRED and record.expired_at_ms == 10_001 + arrival
    assert expired.returnable(1) == 2  # the units may be asked for again
    assert expired.closable(now_ms=10 * 365 * DAY_MS, window_ms=30 * DAY_MS)  # nothing to wait for
    assert not asked.closable(now_ms=10 * 365 * DAY_MS, window_ms=30 * DAY_MS)
    with pytest.raises(InvalidTransitionError):  # a parcel that comes after all is refused at the desk
        expired.receive_return("R1", location_id="DC1", quantities={1: 2}, now_ms=10_002 + arrival)
    assert expired.expire_returns(["R1"], now_ms=10_003 + arrival) is expired  # once
    received = asked.receive_return("R1", location_id="DC1", quantities={1: 2}, now_ms=10_000 + arrival)
    assert received.expire_returns(["R1"], now_ms=10_001 + arrival) is received  # received in time: stays


@pytest.mark.parametrize(
    ("lines", "kept"),
    [
        ({2: (1, "meh", "refund")}, True),  # line 2: 2.50 EUR, under 10.00
        ({2: (1, "meh", "store_credit")}, True),
        ({1: (1, "meh", "refund"), 2: (1, "meh", "refund")}, False),  # line 1 costs 10.00, not under: the parcel comes
        ({2: (1, "broken", "repair")}, False),  # a repair needs the item
    ],
)
def test_a_return_of_items_under_the_keep_it_price_is_resolved_when_asked_for(lines, kept):
    from oms_actors.domain.events import order_events
    from oms_actors.domain.order import STEP_RESOLVE
    from oms_actors.domain.returns import Resolution, ReturnStatus

    order = evolve(delivered_with_shipping(), pending=())
    asked = order.request_return(
        return_id="R1", lines={n: (q, why, Resolution(res)) for n, (q, why, res) in lines.items()}, channel="web",
        location_id="DC1", window_ms=30 * DAY_MS, non_returnable=frozenset(), now_ms=10_000, keep_below=POLICY.keep_it_below,
    )  # fmt: skip
    record = asked.return_("R1")
    assert record.kept is kept
    if kept:
        assert record.status is ReturnStatus.INSPECTED and STEP_RESOLVE + "R1" in asked.pending
        assert [(rl.received, rl.restocked) for rl in record.lines] == [(1, 0)] and record.location_id == ""
        assert [e.type for e in order_events(order, asked)][:2] == ["return.authorized", "return.kept"]
    else:
        assert record.status is ReturnStatus.AUTHORIZED and not asked.pending
    in_dollars = order.request_return(
        return_id="R1", lines={2: (1, "meh", Resolution.REFUND)}, channel="web", location_id="DC1", window_ms=30 * DAY_MS,
        non_returnable=frozenset(), now_ms=10_000, keep_below=Money(amount_minor=100_000, currency="USD"),
    )  # fmt: skip
    assert not in_dollars.return_("R1").kept  # another currency's price is not compared
