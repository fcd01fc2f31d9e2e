"""What a channel may be promised at a location (routing.promisable_units): GetAvailability's
answer and the check an exchange asked for meets. Pure."""

from __future__ import annotations

import optimizer
from oms_actors.domain.enums import DeliveryMode, LocationType
from oms_actors.domain.network import Location
from oms_actors.routing import RoutingView, promisable_units


def _view() -> RoutingView:
    locations = {
        "DC": Location(location_id="DC", type=LocationType.WAREHOUSE),
        "ST": Location(location_id="ST", type=LocationType.STORE),
        "OFF": Location(location_id="OFF", type=LocationType.WAREHOUSE, active=False),
    }
    rules = optimizer.RoutingRules(
        rules=[{"effect": "deny", "channels": ["marketplace"], "location_types": ["store"]}],
        safety_stock_by_channel={"web": {"DC": 3}},
    )
    return RoutingView.build(1, locations, rules)


def test_a_channel_is_promised_what_its_orders_may_take_above_what_it_must_leave_within_capacity():
    view = _view()

    def units(channel: str | None, loc: str, available: int, capacity_left: int | None = None) -> int:
        eligible = view.eligible(channel, DeliveryMode.SHIP, "SKU") if channel else set()
        return promisable_units(
            view, channel=channel, eligible=eligible, location_id=loc, available=available, capacity_left=capacity_left
        )

    assert units("web", "DC", 5) == 2  # three kept back for the web's own safety stock
    assert units("web", "DC", 2) == 0
    assert units("marketplace", "ST", 5) == 0 and units("marketplace", "DC", 5) == 5  # stores denied to it
    assert units("web", "ST", 5, capacity_left=1) == 1  # no more than the location may still ship today
    assert units(None, "ST", 5) == 5 and units(None, "OFF", 5) == 0  # any channel: any active location
