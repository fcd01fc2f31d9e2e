"""benchmarks.alternate against real services: another checkout's service runs from there,
and a short alternation of two sides runs both and sets their figures side by side."""

from __future__ import annotations

import shutil
from pathlib import Path

import psutil
import pytest

from benchmarks import alternate
from benchmarks.service import start, stop_service

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


def _checkout(dest: Path) -> Path:
    """The project's packages copied elsewhere: a checkout other than the one running the tests."""
    for package in ("gateway", "oms_actors", "optimizer", "protos", "benchmarks"):
        shutil.copytree(REPO / package, dest / package, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def test_a_service_of_another_checkout_runs_its_gateway_and_actors_from_there(tmp_path):
    other = _checkout(tmp_path / "other").resolve()
    service = start(tmp_path / "data", extra=["--bench-empty"], code=other, env={"OMS_GC_THRESHOLD": "20000"})
    try:
        root = psutil.Process(service.proc.pid)
        actors = [p for p in root.children(recursive=True) if "ray::OrderShard" in " ".join(p.cmdline())]
        assert actors, "no order shard started"
        for proc in (root, *actors):
            # -m imports from the working directory first, then PYTHONPATH, then the installed project.
            assert Path(proc.cwd()) == other
            assert proc.environ()["PYTHONPATH"].split(":")[0] == str(other)
            assert proc.environ()["OMS_GC_THRESHOLD"] == "20000"  # the side's environment reaches the actors
    finally:
        stop_service(service.proc)


def test_two_sides_run_in_turns_and_their_figures_are_compared(tmp_path, capsys):
    code = alternate.main([
        "--pairs", "1", "--duration", "1", "--concurrency", "2", "--load-fractions", "", "--processes", "1",
        "--batch-size", "10", "--batch-concurrency", "1", "--data-dir", str(tmp_path / "data"),
        "--b-serve-arg=--max-inflight=2",
    ])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "oms serve --bench-empty --max-inflight=2" in out  # side B as described
    assert out.index("A1 c=   2") < out.index("B1 c=   2")  # A first in the first pair
    assert "A against B, 1 pair, alternating" in out
    for figure in ("2 clients: CreateOrder/s", "batch RPC: orders/s", "2 clients: order shards CPU ms/order"):
        line = next(line for line in out.splitlines() if figure in line)
        assert line.count("(") == 2 and "of 1" in line  # both sides measured, one pair compared
