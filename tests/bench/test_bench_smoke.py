"""Every benchmark runs end to end at tiny size and prints its figures (timing is never asserted)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_all_benchmarks_run_at_tiny_size(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")}
    env.update(BENCH_OUT=str(tmp_path), PYTHONPATH=str(ROOT))
    run = subprocess.run([sys.executable, "-m", "bench.run_all", "--size", "tiny"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    results = json.loads((tmp_path / "results-tiny.json").read_text())
    names = {(f["bench"], f["name"].split(" ")[0]) for f in results["figures"]}
    for bench in ("data", "search", "reindex", "git", "pages", "writes", "signed_in"):
        assert any(b == bench for b, _ in names), f"no figures from {bench}"
    for figure in results["figures"]:
        assert figure["measured"] == figure["measured"]  # a number, not NaN
        assert figure["name"] in run.stdout
    table = (tmp_path / "results-tiny.md").read_text()
    assert "| search |" in table and "| pages |" in table and "| git |" in table and "| signed_in |" in table


def test_request_cpu_bench_answers_every_kind_of_the_working_day(demo_template: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")}
    run = subprocess.run([sys.executable, "-m", "bench.bench_request_cpu", "--repeat", "2",
                          "--seeded-data", str(demo_template)],  # the run's demo, seeded as the bench seeds it
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    rows = [line.split() for line in run.stdout.splitlines()[1:] if line.strip()]
    assert len(rows) >= 15 and rows[0][0] == "hello"
    assert all(row[-1] in {"200", "201"} for row in rows), run.stdout  # each kind a real answer, not a redirect
