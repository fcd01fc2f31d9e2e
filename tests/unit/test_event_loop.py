"""The service's loop: uvloop unless Ray's switch turns it off, read the way Ray reads it."""

from __future__ import annotations

import pytest

from oms_actors import event_loop
from oms_actors.event_loop import SWITCH_ENV, loop_name, uvloop_wanted


async def _which() -> str:
    return loop_name()


@pytest.mark.parametrize(
    ("value", "wanted"),
    [(None, True), ("1", True), ("true", True), ("TRUE", True), ("0", False), ("false", False), ("no", False), ("", False)],
)
def test_the_switch_is_read_as_ray_reads_it(monkeypatch, value, wanted):
    if value is None:
        monkeypatch.delenv(SWITCH_ENV, raising=False)
    else:
        monkeypatch.setenv(SWITCH_ENV, value)
    assert uvloop_wanted() is wanted


def test_run_uses_uvloop_by_default_and_asyncio_when_switched_off(monkeypatch):
    monkeypatch.delenv(SWITCH_ENV, raising=False)
    assert event_loop.run(_which()) == "uvloop"
    monkeypatch.setenv(SWITCH_ENV, "0")
    assert event_loop.run(_which()) == "asyncio"


def test_outside_a_loop_there_is_none():
    assert loop_name() == "none"
