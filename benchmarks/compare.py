"""``oms compare REPORT_A REPORT_B``: two simulation reports side by side, on the console and as HTML.

Reads each folder's ``summary.json`` and charts; prints the key figures with B's
change against A, and writes one page with both runs' tables and charts next to
each other (default ``reports/compare-<A>-vs-<B>/index.html``). Whether the two
runs sent the same requests is shown from their demand digests: a what-if
comparison is only like for like when they match.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.page import compare_rows, render_compare
from benchmarks.report import read_summary


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("report_a", type=Path, help="a report folder of oms simulate (the baseline)")
    p.add_argument("report_b", type=Path, help="another report folder (the what-if)")
    p.add_argument("--out", type=Path, default=None, help="folder for the comparison page (default: reports/compare-<A>-vs-<B>/)")


def _images(folder: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted((folder / "plots").glob("*.png"))}


def compare(a_dir: Path, b_dir: Path, out: Path | None = None, *, console: Console | None = None) -> Path:
    console = console or Console()
    a, b = read_summary(a_dir), read_summary(b_dir)
    rows = compare_rows(a, b)
    same = a["run"]["demand_sha256"] == b["run"]["demand_sha256"]
    table = Table(title=f"A: {a_dir.name}   B: {b_dir.name}", header_style="bold")
    for col in ("figure", "A", "B", "change"):
        table.add_column(col, justify="left" if col == "figure" else "right")
    for r in rows:
        table.add_row(r["figure"], r["A"], r["B"], r["change"])
    console.print(table)
    console.print("the same requests in both runs" if same else "[yellow]the runs sent different requests: not a like-for-like comparison[/]")
    out = out or a_dir.parent / f"compare-{a_dir.name}-vs-{b_dir.name}"
    out.mkdir(parents=True, exist_ok=True)
    page = out / "index.html"
    page.write_text(render_compare(a, b, _images(a_dir), _images(b_dir), rows))
    console.print(f"comparison: {page}")
    return page


def run(args: argparse.Namespace) -> int:
    compare(args.report_a, args.report_b, args.out)
    return 0
