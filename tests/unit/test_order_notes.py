"""Notes on the order: in any status, once per id, a bounded number."""

from __future__ import annotations

import pytest

from oms_actors.domain.errors import FailedPreconditionError
from oms_actors.domain.events import order_events
from oms_actors.domain.order import MAX_NOTES
from tests.unit.test_order_state import accepted, fixtures


def note(order, key: str, text: str = "called", internal: bool = True):
    return order.add_note(note_id=key, text=text, internal=internal, by="service_agent:a", now_ms=9000)


@pytest.mark.parametrize("order", fixtures(), ids=lambda o: o.status.value)
def test_a_note_may_be_written_in_any_status_and_says_only_that_it_is_there(order):
    noted = note(order, "n1", "sensitive words", internal=False)
    assert noted.notes[-1].text == "sensitive words" and noted.status is order.status and noted.pending == order.pending
    [event] = [e for e in order_events(order, noted) if e.type == "order.note_added"]
    assert event.data == {"note_id": "n1", "internal": "false", "by": "service_agent:a"}


def test_a_note_id_is_written_once_and_notes_are_bounded():
    order = note(accepted(), "n1")
    assert note(order, "n1") is order
    with pytest.raises(FailedPreconditionError) as err:
        note(order, "n1", "other words")
    assert err.value.code == "NOTE_ID_REUSED"
    for i in range(2, MAX_NOTES + 1):
        order = note(order, f"n{i}")
    with pytest.raises(FailedPreconditionError) as err:
        note(order, "one too many")
    assert err.value.code == "TOO_MANY_NOTES"
