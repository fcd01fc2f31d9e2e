"""`python -m optimizer solve`: one line per good file, in order; bad files named on stderr."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from optimizer.cli import main

from .checks import answer_cost, answer_violations
from .test_format import TINY


def _write(tmp_path: Path, name: str, data) -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def test_bad_files_are_named_and_good_ones_still_answered(tmp_path: Path) -> None:
    bad = json.loads(json.dumps(TINY))
    bad["orders"][0]["lines"][1]["qty"] = 0
    files = [
        _write(tmp_path, "good.json", TINY),
        _write(tmp_path, "bad.json", bad),
        _write(tmp_path, "broken.json", "{not json"),
        str(tmp_path / "missing.json"),
        _write(tmp_path, "again.json", TINY),
    ]
    out, err = io.StringIO(), io.StringIO()
    assert main(["solve", *files], stdout=out, stderr=err) == 1
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [a["file"] for a in answers] == [files[0], files[4]]
    for answer in answers:
        assert answer["status"] == "OPTIMAL" and answer["objective"] == 1045
        assert answer_cost(TINY, answer) == 1045 and answer_violations(TINY, answer) == []
    messages = err.getvalue().splitlines()
    assert messages[0] == f"{files[1]}: orders[0].lines[1].qty: must be a positive integer"
    assert messages[1].startswith(f"{files[2]}: not valid JSON")
    assert messages[2].startswith(f"{files[3]}: cannot read")


def test_policies_and_explanation_fields(tmp_path: Path) -> None:
    path = _write(tmp_path, "tiny.json", TINY)
    for policy in ("optimal", "greedy", "single-first"):
        out = io.StringIO()
        assert main(["solve", "--policy", policy, path], stdout=out, stderr=io.StringIO()) == 0
        answer = json.loads(out.getvalue())
        assert set(answer) >= {"status", "objective", "bound", "cost", "greedy_objective", "solver", "orders"}
        assert sum(answer["cost"].values()) == answer["objective"] == answer_cost(TINY, answer)
        assert answer["bound"] <= 1045 <= answer["objective"]


def test_runs_as_a_module(tmp_path: Path) -> None:
    path = _write(tmp_path, "tiny.json", TINY)
    done = subprocess.run(
        [sys.executable, "-m", "optimizer", "solve", path],
        capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["objective"] == 1045
