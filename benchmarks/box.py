"""The whole machine's CPU as the benchmarks read it: every process, the load clients included."""

from __future__ import annotations

import psutil


def box_cores() -> int:
    return psutil.cpu_count() or 1


def box_switches() -> int:
    """Context switches on the whole machine since it booted."""
    return psutil.cpu_stats().ctx_switches


def box_busy_s() -> float:
    """CPU seconds the whole machine has spent busy: every process, every core (not idle,
    not waiting on disk, not stolen by a hypervisor; a guest's time is inside user time)."""
    t = psutil.cpu_times()
    return t.user + t.nice + t.system + getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0)
