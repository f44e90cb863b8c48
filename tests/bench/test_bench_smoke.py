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


# Two halves of `bench.run_all`, side by side, each on a data set of its own (tiny: built in ~2 s):
# their server runs last fixed times and wait on git, so together they take ~22 s instead of ~34 s.
HALVES = (("search", "git", "writes", "scaleout"), ("pages", "signed_in"))


def test_all_benchmarks_run_at_tiny_size(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")}
    runs = []
    for number, only in enumerate(HALVES):
        out = tmp_path / f"half-{number}"
        out.mkdir()
        with open(out / "stdout", "w") as stdout, open(out / "stderr", "w") as stderr:  # no pipe to fill
            runs.append((out, subprocess.Popen(
                [sys.executable, "-m", "bench.run_all", "--size", "tiny", "--only", *only], cwd=ROOT,
                env={**env, "BENCH_OUT": str(out), "PYTHONPATH": str(ROOT)}, stdout=stdout, stderr=stderr)))
    names = set()
    try:
        for out, run in runs:
            run.wait(timeout=240)
            stdout, stderr = (out / "stdout").read_text(), (out / "stderr").read_text()
            assert run.returncode == 0, stdout[-3000:] + stderr[-3000:]
            results = json.loads((out / "results-tiny.json").read_text())
            names |= {(f["bench"], f["name"].split(" ")[0]) for f in results["figures"]}
            for figure in results["figures"]:
                assert figure["measured"] == figure["measured"]  # a number, not NaN
                assert figure["name"] in stdout
    finally:
        for _out, run in runs:  # the other half, when one failed or ran out of time
            if run.poll() is None:
                run.kill()
                run.wait()
    for bench in ("data", "search", "reindex", "git", "pages", "writes", "signed_in"):
        assert any(b == bench for b, _ in names), f"no figures from {bench}"
    first, second = ((out / "results-tiny.md").read_text() for out, _run in runs)
    assert "| search |" in first and "| git |" in first and "| writes |" in first
    assert "| pages |" in second and "| signed_in |" in second


def test_request_cpu_bench_answers_every_kind_of_the_working_day(demo_template: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")}
    run = subprocess.run([sys.executable, "-m", "bench.bench_request_cpu", "--repeat", "2",
                          "--seeded-data", str(demo_template)],  # the run's demo, seeded as the bench seeds it
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    rows = [line.split() for line in run.stdout.splitlines()[1:] if line.strip()]
    assert len(rows) >= 15 and rows[0][0] == "hello"
    assert all(row[-1] in {"200", "201"} for row in rows), run.stdout  # each kind a real answer, not a redirect
