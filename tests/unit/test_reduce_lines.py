"""Lines reduced to fewer units: which units go, what a retry does, what is refused."""

from __future__ import annotations

import pytest

from oms_actors.domain.errors import FailedPreconditionError
from oms_actors.domain.events import order_events
from oms_actors.domain.order import STEP_INVENTORY, LineAllocation
from tests.unit.test_order_state import approved, shipped_line1, sourced


def units(allocations) -> dict[str, int]:
    return {a.location_id: a.quantity for a in allocations}


def test_units_no_location_was_asked_to_ship_go_before_released_ones():
    order = sourced(2, 1)  # line 1: 2 at DC1, not released
    reduced = order.reduce_lines({1: 1}, reason="only one", now_ms=5000)
    line = reduced.line(1)
    assert (line.active, line.cancelled, units(line.allocations)) == (1, 1, {"DC1": 1})
    assert STEP_INVENTORY in reduced.pending  # the reservation is given back
    assert [e.type for e in order_events(order, reduced) if e.type == "order.cancelled"] == ["order.cancelled"]
    # A retry, or the same target again: nothing changes.
    assert reduced.reduce_lines({1: 1}, reason="only one", now_ms=5001) is reduced


def test_units_held_nowhere_go_first_then_released_ones_are_called_back():
    backordered = sourced(1, 1)  # line 1: 2 wanted, 1 at DC1, 1 held nowhere
    line = backordered.reduce_lines({1: 1}, reason="x", now_ms=5000).line(1)
    assert (line.active, units(line.allocations), line.backordered_quantity) == (1, {"DC1": 1}, 0)
    released = approved()  # everything released to its location
    assert units(released.line(1).released) == {"DC1": 2}
    line = released.reduce_lines({1: 1}, reason="x", now_ms=5000).line(1)
    assert units(line.released) == {"DC1": 1} and units(line.allocations) == {"DC1": 1}


def test_a_line_cannot_go_below_what_shipped_or_above_what_is_wanted():
    order = shipped_line1(1)  # line 1: 1 of 2 shipped
    line = order.reduce_lines({1: 1}, reason="x", now_ms=5000).line(1)
    assert (line.active, line.shipped_quantity, units(line.released)) == (1, 1, {"DC1": 1})
    with pytest.raises(FailedPreconditionError) as err:
        order.reduce_lines({1: 0, 2: 2, 9: 1}, reason="x", now_ms=5000)
    assert err.value.code == "CANNOT_REDUCE" and [p.line_number for p in err.value.lines] == [1, 2, 9]
    assert LineAllocation(location_id="DC1", quantity=1) in order.line(1).shipped
