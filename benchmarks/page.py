"""The report as one self-contained HTML page: tables and the charts embedded as data URIs,
so the file can be mailed or attached to a ticket on its own."""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmarks.report import KEY_FIGURES, fmt, key_rows, lookup

Summary = dict[str, Any]

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
p.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f4f4f4; }
img { max-width: 100%; margin: 0.5em 0; }
.side { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
.worse { color: #b00; } .better { color: #070; }
code { background: #f4f4f4; padding: 0 3px; }
"""


def _img(path: Path | None) -> str:
    if path is None or not Path(path).exists():
        return ""
    data = base64.b64encode(Path(path).read_bytes()).decode()
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(Path(path).stem)}">'


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_cell(v)}" for k, v in value.items()) or "–"
    if value is None:
        return "–"
    return html.escape(str(value))


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    if not rows:
        return "<p>none</p>"
    columns = list(columns or rows[0].keys())
    head = "".join(f"<th>{html.escape(c.replace('_', ' '))}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_cell(r.get(c))}</td>" for c in columns) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def pairs(items: Sequence[tuple[str, Any]]) -> str:
    return table([{"figure": k, "value": v} for k, v in items])


def render(summary: Summary, images: Mapping[str, Path]) -> str:
    sc, run = summary["scenario"], summary["run"]
    currency = sc.get("currency", "")
    replay = sc.get("replay_of")
    title = sc["name"] + (f" — replay of {replay['scenario']}" if replay else "")
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>OMS simulation: {html.escape(title)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>OMS simulation: {html.escape(title)}</h1>",
        f"<p class='meta'>{html.escape(sc.get('description', ''))}</p>",
        f"<p class='meta'>{html.escape(run['started_at'])} · target {html.escape(run['target'])} · {html.escape(run['pacing'])} · "
        f"{run['client_processes']} client processes, {run['concurrency']} calls in flight · {run['cpus']} CPUs · "
        f"demand <code>{run['demand_sha256'][:16]}</code>"
        + (f" recorded in <code>{html.escape(replay['report'])}</code>" if replay else "")
        + "</p>",
        "<h2>Key figures</h2>",
        pairs([(k, v) for k, v in key_rows(summary) if v != "–"]),
        "<h2>Capture: throughput and latency</h2>",
        _img(images.get("capture")),
        "<h2>Ceilings, measured in the same run</h2>",
        "<p>The service's CreateOrder rate as a share of what the parts under it do bare on the same machine.</p>",
        _img(images.get("ceilings")),
        table(
            [{**c, "service / ceiling": summary["ratios"].get(c["name"])} for c in summary.get("ceilings", [])],
            ["name", "rate", "unit", "p50_ms", "p99_ms", "service / ceiling", "how"],
        ),
        "<h2>Demand</h2>",
        _img(images.get("demand")),
        table(summary.get("by_channel", [])),
        "<h2>Sourcing</h2>",
        "<p>The service's decisions at capture beside the same accepted orders sourced offline, one by one in arrival order, "
        "from the scenario's stock under its rules. Costs per order in minor units of " + html.escape(currency) + ".</p>",
        _img(images.get("policies")),
        table(summary.get("policies", [])),
        pairs([(k, f"{v.get('fulfilment_cost_per_order', 0):+.1%} fulfilment cost, {v.get('total_cost_per_order', 0):+.1%} with penalty")
               for k, v in (summary.get("versus") or {}).items()]),
        _img(images.get("hours")),
        "<h2>Locations</h2>",
        _img(images.get("locations")),
        table(summary.get("locations", [])),
    ]
    life = summary.get("lifecycle")
    if life:
        parts += [
            "<h2>The rest of the day</h2>",
            pairs([(k.replace("_", " "), _cell(v)) for k, v in life.items() if k not in ("events", "stock_audit", "phases_s")]),
            "<h3>Calls by RPC</h3>",
            _img(images.get("rpcs")),
            table(summary.get("rpcs", [])),
            "<h3>Payments</h3>",
            _img(images.get("payments")),
            table([{"method": m, **v} for m, v in (summary.get("payments") or {}).get("by_method", {}).items()]),
            "<h3>Events published</h3>",
            pairs(sorted((life.get("events") or {}).items())),
            "<h3>Stock audit after the day</h3>",
            pairs(list((life.get("stock_audit") or {}).items())),
        ]
    parts += [
        "<h2>Run</h2>",
        pairs([(k.replace("_", " "), _cell(v)) for k, v in run.items()]),
        "</body></html>",
    ]
    return "\n".join(parts)


def render_compare(a: Summary, b: Summary, images_a: Mapping[str, Path], images_b: Mapping[str, Path], rows: Sequence[dict[str, str]]) -> str:
    name_a, name_b = _label(a), _label(b)
    head = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>OMS simulations compared: {html.escape(name_a)} vs {html.escape(name_b)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(name_a)} vs {html.escape(name_b)}</h1>",
        f"<p class='meta'>A: {html.escape(a['run']['started_at'])}, demand <code>{a['run']['demand_sha256'][:16]}</code> · "
        f"B: {html.escape(b['run']['started_at'])}, demand <code>{b['run']['demand_sha256'][:16]}</code> · "
        + ("the same requests" if a["run"]["demand_sha256"] == b["run"]["demand_sha256"] else "different requests")
        + "</p>",
        "<h2>Key figures</h2>",
        table(rows, ["figure", "A", "B", "change"]),
        "<h2>Sourcing policies</h2>",
        "<div class='side'><div><h3>A</h3>" + table(a.get("policies", []), _POLICY_COLUMNS) + "</div>"
        "<div><h3>B</h3>" + table(b.get("policies", []), _POLICY_COLUMNS) + "</div></div>",
    ]
    for name in ("capture", "ceilings", "policies", "hours", "locations", "rpcs", "payments", "demand"):
        if name in images_a or name in images_b:
            head.append(f"<h2>{name}</h2><div class='side'><div>{_img(images_a.get(name))}</div><div>{_img(images_b.get(name))}</div></div>")
    head.append("</body></html>")
    return "\n".join(head)


_POLICY_COLUMNS = ["policy", "fill_rate", "promise_rate", "fulfilment_cost_per_order", "total_cost_per_order", "shipments_per_order", "split_rate"]


def _label(s: Summary) -> str:
    replay = s["scenario"].get("replay_of")
    return s["scenario"]["name"] + (f" (replay of {replay['scenario']})" if replay else "")


def compare_rows(a: Summary, b: Summary) -> list[dict[str, str]]:
    """Key figures of two runs side by side, with B's change against A."""
    currency = a["scenario"].get("currency", "")
    rows = []
    for label, path, kind in KEY_FIGURES:
        va, vb = lookup(a, path), lookup(b, path)
        if va is None and vb is None:
            continue
        if isinstance(va, (int, float)) and isinstance(vb, (int, float)):
            if kind in ("share", "change"):
                change = f"{(vb - va) * 100:+.1f} pts"
            elif va:
                change = f"{vb / va - 1:+.1%}"
            else:
                change = "–" if vb == va else "new"
        else:
            change = "–"
        rows.append({"figure": label, "A": fmt(va, kind, currency), "B": fmt(vb, kind, currency), "change": change})
    return rows
