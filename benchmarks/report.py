"""The report folder of a run, and its short console summary.

``reports/<scenario>-<timestamp>/`` holds:

- ``summary.json``: every figure (see figures.py), what ``oms compare`` reads;
- ``index.html``: the tables and the charts, embedded, one self-contained page;
- ``plots/*.png``: the charts;
- ``orders.csv``: one row per CreateOrder sent: hour, channel, key, status, latency, cost, promised days;
- ``demand.bin``: the exact requests sent, for ``oms simulate --replay`` (recording.py);
- ``scenario.json``: the scenario as run (its base merged in);
- ``serve.log``: the log of the service, when the simulator started it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks.clients import Outcome
from benchmarks.demand import CHANNEL_NAMES, Day

Summary = dict[str, Any]

# (label, path into the summary, kind): the figures a reader looks at first, in the
# console and at the top of the page, and the rows of `oms compare`.
KEY_FIGURES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("orders sent", ("capture", "sent"), "int"),
    ("orders accepted", ("capture", "accepted"), "int"),
    ("retries answered with the same order", ("capture", "replayed"), "int"),
    ("rejected at capture", ("capture", "rejected"), "int"),
    ("throughput (CreateOrder/s)", ("capture", "orders_per_s"), "rate"),
    ("latency p50 (ms)", ("capture", "latency_ms", "p50"), "ms"),
    ("latency p99 (ms)", ("capture", "latency_ms", "p99"), "ms"),
    ("empty gRPC calls/s (ceiling)", ("ceiling_rates", "empty gRPC call"), "rate"),
    ("Ray actor calls/s (ceiling)", ("ceiling_rates", "Ray actor call"), "rate"),
    ("Redis PINGs/s (ceiling)", ("ceiling_rates", "Redis PING"), "rate"),
    ("service / empty gRPC call", ("ratios", "empty gRPC call"), "ratio"),
    ("service / Ray actor call", ("ratios", "Ray actor call"), "ratio"),
    ("service / Redis PING", ("ratios", "Redis PING"), "ratio"),
    ("fill rate (units)", ("sourcing", "fill_rate"), "share"),
    ("orders with backorders", ("sourcing", "backorders"), "int"),
    ("backordered units", ("sourcing", "backordered_units"), "int"),
    ("  of them promised from inbound supply", ("sourcing", "units_promised"), "int"),
    ("orders promised a later date", ("sourcing", "orders_promised"), "int"),
    ("orders told a delivery day", ("sourcing", "delivery_promised_share"), "share"),
    ("  days to the promised day, mean", ("sourcing", "promised_delivery_days", "mean"), "float"),
    ("  days to the promised day, p90", ("sourcing", "promised_delivery_days", "p90"), "float"),
    ("orders asking for a day (express)", ("sourcing", "express", "orders"), "int"),
    ("  promised by the day asked", ("sourcing", "express", "promised_by_the_day_share"), "share"),
    ("  days late priced at, per order", ("sourcing", "express", "late_cost_per_order"), "money"),
    ("orders asking for a carrier service", ("sourcing", "carrier_service", "orders"), "int"),
    ("  told a delivery day", ("sourcing", "carrier_service", "delivery_promised_share"), "share"),
    ("  days to it, mean", ("sourcing", "carrier_service", "promised_delivery_days", "mean"), "float"),
    ("  waiting for stock where it is offered", ("sourcing", "carrier_service", "backorders"), "int"),
    ("split rate (orders)", ("sourcing", "split_rate"), "share"),
    ("shipments per order", ("sourcing", "shipments_per_order"), "float"),
    ("proven optimal sourcing", ("sourcing", "proven_optimal_share"), "share"),
    ("fulfilment cost per order", ("sourcing", "fulfilment_cost_per_order"), "money"),
    ("  vs greedy (offline)", ("versus", "service (live) vs greedy", "fulfilment_cost_per_order"), "change"),
    ("  vs single-first (offline)", ("versus", "service (live) vs single-first", "fulfilment_cost_per_order"), "change"),
    ("cost per order with backorder penalty", ("sourcing", "total_cost_per_order"), "money"),
    ("  vs greedy (offline)", ("versus", "service (live) vs greedy", "total_cost_per_order"), "change"),
    ("  vs single-first (offline)", ("versus", "service (live) vs single-first", "total_cost_per_order"), "change"),
    ("held for review", ("lifecycle", "held"), "int"),
    ("approved in review", ("lifecycle", "approved_in_review"), "int"),
    ("rejected in review", ("lifecycle", "rejected_in_review"), "int"),
    ("declined cards paid with another", ("lifecycle", "cards_replaced"), "int"),
    ("orders noted by service", ("lifecycle", "notes"), "int"),
    ("orders reduced by a unit", ("lifecycle", "reduced"), "int"),
    ("rejected by risk rules", ("lifecycle", "rejected_by_risk_rules"), "int"),
    ("shipments", ("lifecycle", "shipments"), "int"),
    ("units left for lack of capacity", ("lifecycle", "capacity_backlog_units"), "int"),
    ("reported short at picking", ("lifecycle", "shortages"), "int"),
    ("  then shipped in full", ("lifecycle", "shortages_shipped"), "int"),
    ("  of them from other locations only", ("lifecycle", "shortages_shipped_elsewhere"), "int"),
    ("declined by a store (too busy)", ("lifecycle", "declines"), "int"),
    ("  then shipped in full", ("lifecycle", "declines_shipped"), "int"),
    ("  shipments from that store after it declined", ("lifecycle", "declines_shipped_there_after"), "int"),
    ("orders asked to go in one parcel", ("lifecycle", "ship_complete", "orders"), "int"),
    ("  shipped", ("lifecycle", "ship_complete", "shipped"), "int"),
    ("  sent in more than one parcel", ("lifecycle", "ship_complete", "split"), "int"),
    ("orders waiting with no reason named (stuck)", ("lifecycle", "waiting_without_reason"), "int"),
    ("orders for a later day", ("lifecycle", "scheduled", "orders"), "int"),
    ("  waiting for it, reserved", ("lifecycle", "scheduled", "waiting"), "int"),
    ("  released (must leave today to arrive then)", ("lifecycle", "scheduled", "released"), "int"),
    ("  promised the day asked", ("lifecycle", "scheduled", "promised_the_day_asked"), "int"),
    ("  promised before the day asked", ("lifecycle", "scheduled", "promised_earlier"), "int"),
    ("shipments delivered", ("lifecycle", "delivered_shipments"), "int"),
    ("parcels back undelivered or lost", ("lifecycle", "undelivered_shipments"), "int"),
    ("  lost by the carrier", ("lifecycle", "undelivered_lost"), "int"),
    ("  inspected from the desks' lists", ("lifecycle", "undelivered_inspected"), "int"),
    ("shipments confirmed/s (fulfil phase)", ("lifecycle", "shipments_per_s"), "rate"),
    ("deliveries confirmed/s (deliver phase)", ("lifecycle", "deliveries_per_s"), "rate"),
    ("returns", ("lifecycle", "returns_requested"), "int"),
    ("  inspected from the desks' lists", ("lifecycle", "returns_listed"), "int"),
    ("  kept by the customer (keep-it refunds)", ("lifecycle", "returns_kept"), "int"),
    ("  repaired and sent back", ("lifecycle", "repairs_returned"), "int"),
    ("  beyond repair, made good", ("lifecycle", "repairs_unrepairable"), "int"),
    ("  cancelled by the customer", ("lifecycle", "returns_cancelled"), "int"),
    ("  exchanged for another size", ("lifecycle", "returns_by_resolution", "exchange"), "int"),
    ("  refunded, the size wanted sold out", ("lifecycle", "exchanges_sold_out"), "int"),
    ("  lines found worn, a deduction kept", ("lifecycle", "deducted_lines"), "int"),
    ("  kept for wear", ("lifecycle", "deducted_minor"), "money"),
    ("  lines charged a restocking fee", ("lifecycle", "restocking_fee_lines"), "int"),
    ("  kept as restocking fees", ("lifecycle", "restocking_fees_minor"), "money"),
    ("  fees or refunds not as priced", ("lifecycle", "restocking_fee_differences"), "int"),
    ("  replaced with the same item", ("lifecycle", "returns_by_resolution", "replacement"), "int"),
    ("goodwill given (orders)", ("lifecycle", "goodwill"), "int"),
    ("goodwill given", ("lifecycle", "goodwill_minor"), "money"),
    ("payments captured", ("payments", "captured_minor"), "money"),
    ("payments refunded", ("payments", "refunded_minor"), "money"),
    ("shipping charged", ("payments", "shipping_charged_minor"), "money"),
    ("tax invoiced (included in prices)", ("payments", "tax_invoiced_minor"), "money"),
    ("invoices paid on account", ("lifecycle", "invoices_paid"), "int"),
    ("received on account", ("payments", "received_on_account_minor"), "money"),
    ("events published", ("lifecycle", "events_total"), "int"),
    ("stock audit differences", ("lifecycle", "stock_audit", "differences"), "int"),
    ("status index differences (CountOrders)", ("lifecycle", "status_index_differences"), "int"),
    ("returns report differences (GetReturnsReport)", ("lifecycle", "returns_report_differences"), "int"),
    ("parcels delivered late (GetDeliveryReport)", ("lifecycle", "delivery_report", "late"), "int"),
    ("  on time", ("lifecycle", "delivery_report", "on_time"), "int"),
    ("  differences from the orders' shipments", ("lifecycle", "delivery_report_differences"), "int"),
    ("orders with the most ordered SKU (a recall)", ("lifecycle", "recall", "orders"), "int"),
    ("  differences from ListOrders by SKU", ("lifecycle", "recall", "differences"), "int"),
    ("orders late after shortages and carrier delays", ("lifecycle", "late", "late"), "int"),
    ("  delayed by their carrier", ("lifecycle", "late", "carrier_delays"), "int"),
    ("  differences from ListOrders late", ("lifecycle", "late", "differences"), "int"),
    ("order histories read (GetOrderHistory)", ("lifecycle", "histories_read"), "int"),
    ("  not from creation to the last version", ("lifecycle", "history_differences"), "int"),
)


def lookup(summary: Summary, path: Sequence[str]) -> Any:
    value: Any = summary
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def fmt(value: Any, kind: str, currency: str = "") -> str:
    if value is None:
        return "–"
    if kind == "int":
        return f"{value:,.0f}"
    if kind == "rate":
        return f"{value:,.0f}"
    if kind == "ms":
        return f"{value:,.1f}"
    if kind == "share":
        return f"{value:.1%}"
    if kind == "ratio":
        return f"{value:.3f}"
    if kind == "change":
        return f"{value:+.1%}"
    if kind == "money":
        return f"{value / 100:,.2f} {currency}".strip()
    if kind == "float":
        return f"{value:,.3f}"
    return str(value)


def key_rows(summary: Summary) -> list[tuple[str, str]]:
    currency = summary["scenario"].get("currency", "")
    return [(label, fmt(lookup(summary, path), kind, currency)) for label, path, kind in KEY_FIGURES]


def write_orders_csv(path: Path, day: Day, outcomes: Sequence[Outcome]) -> None:
    hours = day.hour_of()
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            ["index", "hour", "channel", "idempotency_key", "code", "order_id", "replayed", "status", "units",
             "allocated", "shipments", "cost_minor", "unit_cost_minor", "shipment_cost_minor", "unfilled_cost_minor",
             "greedy_cost_minor", "optimal", "sent_s", "latency_ms", "allocations", "promised_in_days", "carrier_service",
             "asked_from_in_days"]
        )
        for o in outcomes:
            r = day.requests[o.index]
            w.writerow(
                [o.index, int(hours[o.index]), CHANNEL_NAMES.get(r.channel, r.channel), r.idempotency_key, o.code, o.order_id,
                 int(o.replayed), o.status, o.units, o.allocated, o.shipments, o.cost, o.unit_cost, o.shipment_cost,
                 o.unfilled_cost, o.greedy_cost, int(o.optimal), f"{o.sent_s:.4f}", f"{o.latency_s * 1000:.2f}",
                 " ".join(f"{lid}:{q}" for lid, q in o.allocations), o.delivery_days if o.delivery_days >= 0 else "",
                 o.service, o.asked_from_days if o.asked_from_days >= 0 else ""]
            )


def write_summary(folder: Path, summary: Summary) -> Path:
    path = folder / "summary.json"
    path.write_text(json.dumps(summary, indent=2, sort_keys=False, default=_plain))
    return path


def read_summary(folder: Path) -> Summary:
    path = Path(folder) / "summary.json"
    if not path.exists():
        raise SystemExit(f"{folder}: no summary.json (not a report folder of oms simulate)")
    return json.loads(path.read_text())


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def print_summary(console: Console, summary: Summary, folder: Path) -> None:
    sc = summary["scenario"]
    title = f"{sc['name']}" + (f" (replay of {sc['replay_of']['scenario']})" if sc.get("replay_of") else "")
    table = Table(title=f"Simulation: {title}", show_header=True, header_style="bold")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for label, value in key_rows(summary):
        if value != "–":
            table.add_row(label, value)
    console.print(table)
    policies = summary.get("policies") or []
    if policies:
        t = Table(title="Sourcing policies on the same demand (per order)", header_style="bold")
        for col in ("policy", "fill rate", "promised", "fulfilment cost", "with penalty", "shipments", "split rate"):
            t.add_column(col, justify="right" if col != "policy" else "left")
        currency = sc.get("currency", "")
        for r in policies:
            t.add_row(
                r["policy"], fmt(r["fill_rate"], "share"), fmt(r.get("promise_rate"), "share"),
                fmt(r["fulfilment_cost_per_order"], "money", currency),
                fmt(r["total_cost_per_order"], "money", currency), fmt(r["shipments_per_order"], "float"), fmt(r["split_rate"], "share"),
            )
        console.print(t)
    rejected = lookup(summary, ("capture", "rejected_by_code")) or {}
    if rejected:
        console.print(f"rejected at capture by status: {rejected}")
    console.print(f"report: {folder / 'index.html'}")
