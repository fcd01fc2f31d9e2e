"""benchmarks.handoff measures every hand-off it names, and prints them (no timing is asserted)."""

from __future__ import annotations

import os

from benchmarks.handoff import main, measure


def test_each_hand_off_is_measured_and_the_process_keeps_its_cores(capsys):
    rows = measure(300)
    names = [h.name for h in rows]
    assert names[:3] == [
        "a system call (getppid)",
        "send and receive in one process",
        "round trip between two processes, left to the scheduler",
    ]
    if len(os.sched_getaffinity(0)) >= 2:
        assert names[3:] == ["round trip, both processes on one core", "round trip, the processes on two cores"]
    assert all(h.wall_us > 0 and h.box_cpu_us >= 0 for h in rows)
    # Our own cores are as they were: the pinned round trips put them back.
    before = os.sched_getaffinity(0)
    assert main(["--round-trips", "200", "--rounds", "1"]) == 0
    assert os.sched_getaffinity(0) == before
    assert "round trip" in capsys.readouterr().out
