"""The return policy: windows by the order's channel, stored as JSON, set only as a whole valid policy. Pure."""

from __future__ import annotations

import pytest

from gateway.convert import Violations, return_policy_from_proto, return_policy_to_proto
from oms_actors.domain.errors import ValidationError
from oms_actors.domain.order import Order
from oms_actors.domain.records import evolve
from oms_actors.domain.return_policy import DAY_MS, ReturnPolicy
from protos.oms.v1 import common_pb2, returns_pb2
from tests.unit.test_order_state import command
from tests.unit.test_shipping_charge import delivered_with_shipping

POLICY = ReturnPolicy(window_days=30, channel_window_days={"marketplace": 14, "field_sales": 0})


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
