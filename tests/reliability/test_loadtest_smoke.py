"""The load test script, briefly: 5 users (3 with API tokens, a staff member and an auditor signed in
through the login form) for a few seconds on the real stack (gunicorn, worker); every acknowledged
write is found, audit-verify and fsck pass, and the report carries offered / served counts and
p50 / p95 / max per request class. Timings are never asserted. The full run is `make loadtest`."""
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


def _database_args(request) -> list[str]:
    """SQLite (a copy of the run's seeded demo, tests/demo_template.py), or the suite's PostgreSQL
    server (a database of its own, seeded by the script) when the suite runs there."""
    if not TEST_DB_URL:
        return ["--db", "sqlite", "--seeded-data", str(request.getfixturevalue("demo_template"))]
    from sqlalchemy.engine import make_url

    url = make_url(TEST_DB_URL)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    return ["--db", "postgres", "--pg-admin-url", admin, "--db-name", "catalog_load_smoke"]


def test_short_load_loses_nothing_and_serves_no_5xx(tmp_path, request):
    out = tmp_path / "load"
    done = subprocess.run([sys.executable, "-m", "loadtest.run", "--users", "5", "--orgs", "1", "--duration", "6",
                           "--signed-in-share", "0.4", "--web-workers", "2", "--threads", "4", "--out", str(out),
                           "--json", "--profile", *_database_args(request)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    report = json.loads((out / "report.json").read_text())
    assert done.returncode == 0 and report["ok"], done.stdout[-3000:] + done.stderr[-3000:]
    load = report["load"]
    assert (load["api_users"], load["staff"], load["auditors"]) == (3, 1, 1)
    assert load["offered"] > 0 and load["server_5xx"] == 0 and load["gunicorn_5xx"] == 0 and load["client_5xx"] == 0
    assert load["offered"] == load["served"] + load["unanswered"]
    assert load["served_by_gunicorn"] >= load["served"] - load["classes"].get("push", {}).get("served", 0)
    classes = load["classes"]
    for kind in ("page", "page_signed_in", "login"):
        assert classes[kind]["served"] > 0, (kind, sorted(classes))
    for kind, f in classes.items():
        assert f["offered"] == f["served"] + f["unanswered"], kind
        assert f["served"] == 0 or {"p50_ms", "p95_ms", "max_ms"} <= {k for k, v in f.items() if v is not None}, kind
    assert sum(f["offered"] for f in classes.values()) == load["offered"]
    # signed in for real: logins accepted, no page bounced to /login, the auditor's pages answered
    assert load["logins"].get("ok", 0) >= 2 and not load["logins"].get("refused") and load["sessions_lost"] == 0
    pages = load["pages"]
    assert any(k.startswith("page_signed_in/") for k in pages), sorted(pages)
    assert all(set(f["statuses"]) <= {"200"} for k, f in pages.items() if k.startswith("page_signed_in/")), pages
    step = report["steps"][0]
    assert step["users"] == 5 and step["offered"] == load["offered"] and "page_signed_in_p95_ms" in step
    for kind, writes in report["writes"].items():
        assert writes["acknowledged"] == writes["found"], (kind, writes["missing"])
    assert report["writes"]["forks"]["acknowledged"] > 0
    # a share of the acknowledged pushes was followed until the fork showed it (or 10 s passed)
    assert load["push_shown"]["pushes"] <= report["writes"]["pushes"]["acknowledged"]
    assert load["push_shown"]["pushes"] == 0 or load["push_shown"]["p95_ms"] is not None
    assert report["audit_verify"]["exit"] == 0 and report["fsck"]["exit"] == 0
    # --profile: CPU per process kind, and the web workers' Python CPU by view (py-spy, requirements-dev)
    assert report["cpu"]["web"]["own_s"] > 0 and report["cpu"]["load clients"]["own_s"] > 0
    views = dict(report["web_cpu_by_view"])
    assert views and any("catalog/web/" in view for view in views), views
    assert 0.99 <= sum(views.values()) <= 1.01 or len(views) == 25
