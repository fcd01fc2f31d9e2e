"""The report's charts, drawn from ``summary.json`` alone (so a compare can draw them for two runs).

matplotlib with the Agg backend: files only, no display needed on a server.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # after use(): the backend is chosen before pyplot loads
import numpy as np

COLOURS = ["#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3", "#8C8C8C"]
Summary = dict[str, Any]


def draw_all(summary: Summary, folder: Path) -> dict[str, Path]:
    """Every chart the summary has data for, as PNGs in ``folder``; name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    charts: dict[str, Callable[[Summary, Any], None]] = {
        "capture": capture,
        "demand": demand,
        "hours": hours,
        "policies": policies,
        "locations": locations,
        "ceilings": ceilings,
        "rpcs": rpcs,
        "payments": money,
    }
    out = {}
    for name, draw in charts.items():
        fig = plt.figure(figsize=(10, 4.2), dpi=100)
        try:
            if draw(summary, fig) is False:
                continue
            fig.tight_layout()
            path = folder / f"{name}.png"
            fig.savefig(path)
            out[name] = path
        finally:
            plt.close(fig)
    return out


def capture(s: Summary, fig: Any) -> bool | None:
    t = s.get("timeline") or {}
    if not t.get("t_s"):
        return False
    x = np.array(t["t_s"]) + t.get("width_s", 0) / 2
    a, b = fig.subplots(1, 2)
    a.plot(x, t["orders_per_s"], color=COLOURS[0])
    a.axhline(s["capture"]["orders_per_s"], color=COLOURS[3], ls="--", lw=1, label=f"mean {s['capture']['orders_per_s']:,.0f}/s")
    a.set(title="CreateOrder answered per second", xlabel="seconds into the capture", ylabel="orders/s")
    a.set_ylim(bottom=0)
    a.legend(loc="lower right")
    for key, colour, label in (("p50_ms", COLOURS[0], "p50"), ("p90_ms", COLOURS[1], "p90"), ("p99_ms", COLOURS[3], "p99")):
        b.plot(x, t[key], color=colour, label=label)
    b.set(title="CreateOrder latency by time sent", xlabel="seconds into the capture", ylabel="ms")
    b.set_ylim(bottom=0)
    b.legend(loc="upper right")
    return None


def demand(s: Summary, fig: Any) -> bool | None:
    per = s.get("demand_by_hour") or {}
    if not per:
        return False
    ax = fig.subplots()
    bottom = np.zeros(24)
    for i, (channel, counts) in enumerate(sorted(per.items())):
        ax.bar(range(24), counts, bottom=bottom, color=COLOURS[i % len(COLOURS)], label=channel)
        bottom += np.array(counts)
    ax.set(title="The day's orders by hour and channel", xlabel="hour of the day", ylabel="orders", xticks=range(0, 24, 2))
    ax.legend(ncol=3, fontsize="small")
    return None


def hours(s: Summary, fig: Any) -> bool | None:
    rows = [r for r in s.get("by_hour", []) if r["orders"]]
    if not rows:
        return False
    ax = fig.subplots()
    h = [r["hour"] for r in rows]
    ax.plot(h, [r["fill_rate"] for r in rows], marker="o", color=COLOURS[0], label="fill rate (units)")
    ax.plot(h, [r["split_rate"] for r in rows], marker="s", color=COLOURS[1], label="split rate (orders)")
    ax.set(title="Sourcing through the day: stock runs down as orders take it", xlabel="hour of the day", ylabel="share", ylim=(0, 1.05))
    ax.legend(loc="center left")
    return None


def policies(s: Summary, fig: Any) -> bool | None:
    rows = s.get("policies") or []
    if not rows:
        return False
    a, b = fig.subplots(1, 2)
    names = [r["policy"] for r in rows]
    x = np.arange(len(rows))
    bottom = np.zeros(len(rows))
    for key, colour, label in (
        ("unit_cost_per_order", COLOURS[0], "units"),
        ("shipment_cost_per_order", COLOURS[1], "shipments"),
        ("unfilled_cost_per_order", COLOURS[3], "backorder penalty"),
    ):
        v = np.array([r[key] for r in rows]) / 100
        a.bar(x, v, bottom=bottom, color=colour, label=label)
        bottom += v
    a.set(title=f"Cost per order ({s['scenario'].get('currency', '')})", xticks=x)
    a.set_xticklabels(names, fontsize="small")
    a.legend(fontsize="small")
    width = 0.38
    b.bar(x - width / 2, [r["fill_rate"] for r in rows], width, color=COLOURS[2], label="fill rate")
    b.bar(x + width / 2, [r["split_rate"] for r in rows], width, color=COLOURS[1], label="split rate")
    b.set(title="Fill and split by policy", xticks=x, ylim=(0, 1.05))
    b.set_xticklabels(names, fontsize="small")
    b.legend(fontsize="small")
    return None


def locations(s: Summary, fig: Any) -> bool | None:
    rows = s.get("locations") or []
    if not rows:
        return False
    ax = fig.subplots()
    x = np.arange(len(rows))
    width = 0.4
    ax.bar(x - width / 2, [r["allocated_units"] for r in rows], width, color=COLOURS[0], label="allocated at capture")
    ax.bar(x + width / 2, [r["shipped_units"] for r in rows], width, color=COLOURS[2], label="shipped")
    caps = [r["capacity_units_per_day"] for r in rows]
    ax.scatter([i for i, c in enumerate(caps) if c], [c for c in caps if c], marker="_", s=400, color=COLOURS[3], label="capacity per day", zorder=3)
    for i, r in enumerate(rows):
        if not r["active"]:
            ax.annotate("closed", (i, 0), ha="center", va="bottom", fontsize="x-small", color=COLOURS[3], rotation=90)
    ax.set(title="Units by location against capacity", ylabel="units", xticks=x)
    ax.set_yscale("symlog", linthresh=10)
    ax.set_xticklabels([r["location"] for r in rows], rotation=60, ha="right", fontsize="x-small")
    ax.legend(fontsize="small")
    return None


def ceilings(s: Summary, fig: Any) -> bool | None:
    rows = [c for c in s.get("ceilings", []) if c.get("rate")]
    if not rows:
        return False
    ax = fig.subplots()
    names = ["CreateOrder (the service)"] + [c["name"] for c in rows]
    rates = [s["capture"]["orders_per_s"]] + [c["rate"] for c in rows]
    ax.barh(names, rates, color=[COLOURS[3]] + COLOURS[: len(rows)])
    ax.set_xscale("log")
    for i, r in enumerate(rates):
        ax.annotate(f"{r:,.0f}/s", (r, i), xytext=(4, 0), textcoords="offset points", va="center", fontsize="small")
    ax.set(title="The service against its ceilings, same machine, same run (log scale)", xlabel="per second")
    ax.invert_yaxis()
    return None


def rpcs(s: Summary, fig: Any) -> bool | None:
    rows = [r for r in s.get("rpcs", []) if not r["rpc"].startswith("WatchEvents")]
    if not rows:
        return False
    ax = fig.subplots()
    y = np.arange(len(rows))
    ax.barh(y - 0.2, [r["p50_ms"] for r in rows], 0.4, color=COLOURS[0], label="p50")
    ax.barh(y + 0.2, [r["p99_ms"] for r in rows], 0.4, color=COLOURS[3], label="p99")
    ax.set_yticks(y)
    ax.set_yticklabels([f"{r['rpc']} ({r['calls']:,})" for r in rows], fontsize="small")
    ax.set(title="The rest of the day: latency by RPC (calls)", xlabel="ms")
    ax.invert_yaxis()
    ax.legend()
    return None


def money(s: Summary, fig: Any) -> bool | None:
    by = (s.get("payments") or {}).get("by_method") or {}
    if not by:
        return False
    ax = fig.subplots()
    names = list(by)
    x = np.arange(len(names))
    width = 0.27
    for k, (key, colour, label) in enumerate(
        (("authorized_minor", COLOURS[0], "authorised"), ("captured_minor", COLOURS[2], "captured"), ("refunded_minor", COLOURS[3], "refunded"))
    ):
        ax.bar(x + (k - 1) * width, [by[n][key] / 100 for n in names], width, color=colour, label=label)
    ax.set(title=f"Payments by method ({s['scenario'].get('currency', '')})", xticks=x)
    ax.set_xticklabels(names)
    ax.legend()
    return None
