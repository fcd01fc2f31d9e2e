"""Erasing an order's personal data: only once it is over; who and where go, what and how much stay."""

from __future__ import annotations

import pytest

from oms_actors.domain.errors import FailedPreconditionError
from oms_actors.domain.events import order_events
from tests.unit.test_order_state import fixtures, sourced


def test_an_order_still_open_keeps_its_data():
    for order in fixtures():
        if order.is_open or order.pending:
            with pytest.raises(FailedPreconditionError) as err:
                order.erase_personal_data(now_ms=9000)
            assert err.value.code == "ORDER_OPEN"


def test_a_finished_order_loses_who_and_where_and_keeps_what_and_how_much():
    over = sourced(2, 1).cancel(reason="Mrs Muster called", now_ms=2500)
    over = over.add_note(note_id="n1", text="lives at Hauptstr. 1", internal=True, by="agent:a", now_ms=2600)
    while over.pending:  # its voids and stock given back: done
        over = over.step_done(over.pending[0], now_ms=2700)
    erased = over.erase_personal_data(now_ms=9000)
    assert erased.ship_to is not None and erased.ship_to.latitude is None and erased.ship_to.name == ""
    assert erased.ship_to.country_code == over.ship_to.country_code
    assert erased.cancel_reason == "" and [n.text for n in erased.notes] == [""]
    assert (erased.lines, erased.total, erased.status) == (over.lines, over.total, over.status)
    assert [e.type for e in order_events(over, erased)] == ["order.personal_data_erased"]
    assert erased.erase_personal_data(now_ms=9999) is erased
