"""Several catalog nodes as separate OS processes on the test's database and repositories folder.

Each node (tests/scale/node_main.py) is a process with its own Flask app, data dir and search
index, like a second machine; what they share is what machines share in production: the
database (PostgreSQL when CATALOG_TEST_DATABASE_URL is set, else the test's SQLite file, for
the points that apply to one machine with several processes), the repositories folder and,
for queued jobs, Redis.
"""
from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

import pytest

from catalog.extensions import db
from catalog.services.catalog import apps
from seed.demo_repos import create_demo_repo
from tests.factories import app_payload
from tests.scale.forked_node import ForkedNode, Forker

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/12"
SPEC = {"slug": "simanja", "name": "Simanja", "releases": ["v1.0.0"], "short_description_id": "Kinerja",
        "features": ["Sasaran kinerja"], "category": "employee-management", "license": "MIT",
        "development_status": "stable", "platforms": ["web"]}
JSON_KEYS = ("ENV_NAME", "TESTING", "SECRET_KEY", "JOBS_IMMEDIATE", "ALLOW_LOCAL_REPOS", "WTF_CSRF_ENABLED",
             "ARGON2_PARAMS", "PAGE_CACHE_SETTLE", "PAGE_CACHE_STALE", "FRAGMENT_STALE", "REPORT_MAX_AGE",
             "SQLALCHEMY_DATABASE_URI", "REPOS_DIR")


def on_postgresql(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


def redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


class Nodes:
    """Start nodes sharing `app`'s database and repositories; collect their answers. Each node
    is a process forked by the worker's node forker (tests/scale/node_forker.py), so it starts
    with the catalog imported."""

    def __init__(self, app, tmp_path: Path, forker: Forker) -> None:
        self.app, self.tmp, self.forker = app, tmp_path, forker
        self._running: list[ForkedNode] = []

    def config(self, name: str, **extra) -> dict:
        data_dir = self.tmp / f"node-{name}"
        data_dir.mkdir(exist_ok=True)
        base = {key: self.app.config[key] for key in JSON_KEYS}
        return {**base, "DATA_DIR": str(data_dir), "SEARCH_INDEX_DIR": str(data_dir / "index"),
                "NODE_ID": name, **extra}

    def path(self, name: str) -> str:
        return str(self.tmp / name)

    def start(self, action: str, node: str, config: dict | None = None, **args) -> ForkedNode:
        db.session.commit()  # the test's own transaction holds nothing the nodes wait for
        payload = json.dumps({"config": config or self.config(node), **args})
        proc = self.forker.start([action, payload], {**os.environ, "PYTHONPATH": str(ROOT)}, self.tmp)
        self._running.append(proc)
        return proc

    def result(self, proc: ForkedNode, timeout: float = 240):
        out, err = proc.communicate(timeout=timeout)
        assert proc.returncode == 0, err[-4000:]
        db.session.rollback()  # see what the nodes committed
        return json.loads(out.strip().splitlines()[-1])

    def run(self, action: str, node: str, config: dict | None = None, **args):
        return self.result(self.start(action, node, config, **args))

    def wait_for(self, path: str, proc: ForkedNode, limit: float = 120) -> None:
        end = time.monotonic() + limit
        while not os.path.exists(path):
            if proc.poll() is not None:
                raise AssertionError(f"node ended early: {proc.communicate()[1][-4000:]}")
            assert time.monotonic() < end, f"node never wrote {path}"
            time.sleep(0.02)

    def stop_all(self) -> None:
        for proc in self._running:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()


@pytest.fixture(scope="session")
def node_forker(tmp_path_factory):
    """One process per test worker that forks the nodes (the catalog imported once)."""
    forker = Forker(ROOT, tmp_path_factory.mktemp("forker"))
    yield forker
    forker.stop()


@pytest.fixture
def nodes(app, tmp_path, node_forker):
    group = Nodes(app, tmp_path, node_forker)
    yield group
    group.stop_all()


@pytest.fixture
def published(app, make_user, tmp_path):
    """Simanja published by Provinsi Kepulauan Riau with its mirror fetched (jobs run inline)."""
    source = create_demo_repo(tmp_path / "sources" / "simanja.git", SPEC)
    admin = make_user("admin", "komdigi")
    publisher = make_user("publisher", "21")
    apps.create_app(app_payload(name="Simanja", repo_url=str(source)), actor=admin, org_code="21")
    apps.submit_app("simanja", actor=publisher)
    return apps.publish_app("simanja", actor=admin)
