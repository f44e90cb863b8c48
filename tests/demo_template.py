"""The demo catalog seeded once per test run, the way `make run` seeds it (`flask db upgrade`, then
`flask catalog seed --demo`, SQLite in a data dir of its own), for the system tests that start
the real stack on it (crash, behind nginx, load smoke): each copies it (seed/demo_copy.py)
instead of seeding again, ~10 s of CPU each. Tests of the seed itself still seed.

Under pytest-xdist the workers share one template: the first to ask builds it under an
exclusive lock in the run's own temp dir, the others wait and copy.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from seed.demo_copy import checkpoint

ROOT = Path(__file__).resolve().parents[1]


def demo_env(data_dir: Path) -> dict[str, str]:
    """The environment the template is seeded in: no CATALOG_* setting of the test run (its
    database, Redis, node...), a development install that lets the demo's local sources in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")}
    env.update(CATALOG_DATA_DIR=str(data_dir), CATALOG_ENV="development", CATALOG_ALLOW_LOCAL_REPOS="1")
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return env


def seed_like_make_run(data_dir: Path) -> None:
    """`flask db upgrade` and `flask catalog seed --demo` into a new data dir, as `make run` does."""
    data_dir.mkdir(parents=True)
    for step in (("db", "upgrade"), ("catalog", "seed", "--demo")):
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *step], cwd=ROOT,
                              env=demo_env(data_dir), capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"flask {' '.join(step)}:\n{done.stdout}\n{done.stderr}"
    checkpoint(data_dir)


def _run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temp dir of this whole run: shared by its xdist workers, new for every run."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def build_demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded template data dir of this run, built by whichever worker asks first (seeded
    in place: the demo's source paths in the database name it; copy_demo_data moves them)."""
    home = _run_dir(tmp_path_factory) / "demo-template"
    template, ready = home / "data", home / "ready"
    with open(home.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not ready.exists():
                shutil.rmtree(home, ignore_errors=True)  # what a worker that failed here left
                seed_like_make_run(template)
                ready.touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return template
