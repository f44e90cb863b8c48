"""The load test script, briefly: 5 users for a few seconds on the real stack (gunicorn, worker),
then every acknowledged write is found, audit-verify and fsck pass. The full run is `make loadtest`."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEST_DB_URL = os.environ.get("CATALOG_TEST_DATABASE_URL")

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.environ.get("CATALOG_SKIP_LOAD") == "1", reason="load smoke test disabled")]


def _database_args() -> list[str]:
    """SQLite, or the suite's PostgreSQL server (a database of its own) when the suite runs there."""
    if not TEST_DB_URL:
        return ["--db", "sqlite"]
    from sqlalchemy.engine import make_url

    url = make_url(TEST_DB_URL)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    return ["--db", "postgres", "--pg-admin-url", admin, "--db-name", "catalog_load_smoke"]


def test_short_load_loses_nothing_and_serves_no_5xx(tmp_path):
    out = tmp_path / "load"
    done = subprocess.run([sys.executable, "-m", "loadtest.run", "--users", "5", "--orgs", "1", "--duration", "6",
                           "--web-workers", "2", "--threads", "4", "--out", str(out), "--json", *_database_args()],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    report = json.loads((out / "report.json").read_text())
    assert done.returncode == 0 and report["ok"], done.stdout[-3000:] + done.stderr[-3000:]
    load = report["load"]
    assert load["requests_sent"] > 0 and load["gunicorn_5xx"] == 0 and load["client_5xx"] == 0
    assert load["served_by_gunicorn"] >= load["requests_sent"] - load["latency"].get("git_push", {}).get("count", 0)
    for kind, writes in report["writes"].items():
        assert writes["acknowledged"] == writes["found"], (kind, writes["missing"])
    assert report["writes"]["forks"]["acknowledged"] > 0
    assert report["audit_verify"]["exit"] == 0 and report["fsck"]["exit"] == 0
