"""The README's table of event types is the set the order's events are made of."""

from __future__ import annotations

import re
from pathlib import Path

from oms_actors.domain import events
from oms_actors.domain.returns import ReturnStatus

ROOT = Path(__file__).resolve().parents[2]


def _documented() -> set[str]:
    text = (ROOT / "README.md").read_text()
    table = text.split("### Events (`WatchEvents`)", 1)[1].split("\n\n", 2)[2].split("\n\n", 1)[0]
    found: set[str] = set()
    for row in table.splitlines()[2:]:
        first = row.split("|")[1]
        found |= set(re.findall(r"`([a-z_]+\.[a-z_]+)`", first))
    return found


def _emitted() -> set[str]:
    source = Path(events.__file__).read_text()
    kinds = set(re.findall(r'\(\s*"([a-z_]+\.[a-z_]+)"', source))
    kinds |= {f"return.{status.value}" for status in ReturnStatus}  # f"return.{r.status.value}"
    return kinds


def test_every_event_type_is_documented_and_nothing_else():
    assert _documented() == _emitted()
