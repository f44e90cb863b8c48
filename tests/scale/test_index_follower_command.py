"""`flask --app wsgi catalog follow-index`, run for real: one pass with --once, and the loop that a
node's systemd unit starts, stopped with SIGTERM."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from catalog import ROOT
from catalog.extensions import db
from catalog.models import IndexNode
from catalog.models.index_position import read_position
from catalog.services.catalog import apps, indexing
from tests.factories import app_payload


@pytest.fixture
def node_env(app, tmp_path, monkeypatch):
    """The environment of a node process on the test's database, with an index of its own."""
    monkeypatch.setattr(indexing, "apply_soon", lambda: None)
    index_dir = tmp_path / "index-node-c"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
        "CATALOG_DATA_DIR": app.config["DATA_DIR"], "CATALOG_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "CATALOG_INDEX_DIR": str(index_dir), "CATALOG_NODE_ID": "node-c", "CATALOG_ENV": "development",
    }
    return env, index_dir


def _flask(*args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "catalog", *args]


def _publish(make_user, slug: str) -> int:
    publisher, admin = make_user("publisher", "21"), make_user("admin", "komdigi")
    apps.create_app(app_payload(name=f"Aplikasi {slug}", slug=slug), actor=publisher)
    apps.submit_app(slug, actor=publisher)
    return apps.publish_app(slug, actor=admin).id


def test_follow_index_once_builds_then_follows(app, make_user, node_env):
    env, index_dir = node_env
    _publish(make_user, "srikandi")
    first = subprocess.run(_flask("follow-index", "--once"), cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=300)
    assert first.returncode == 0, first.stderr
    assert "node node-c: index rebuilt from the database, since no position file" in first.stdout
    _publish(make_user, "simpeg")
    second = subprocess.run(_flask("follow-index", "--once"), cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    assert second.returncode == 0, second.stderr
    assert "rebuilt" not in second.stdout and "(1 apps)" in second.stdout
    db.session.rollback()
    node = db.session.get(IndexNode, "node-c")
    assert node is not None and node.applied_id == read_position(index_dir).high


def test_follow_index_loop_applies_changes_and_stops_on_sigterm(app, make_user, node_env):
    env, index_dir = node_env
    loop = subprocess.Popen(_flask("follow-index", "--interval", "0.2"), cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while read_position(index_dir) is None and time.monotonic() < deadline and loop.poll() is None:
            time.sleep(0.1)
        built = read_position(index_dir)
        assert built is not None, "the follower never built its index"
        _publish(make_user, "srikandi")
        db.session.rollback()
        while (read_position(index_dir).high == built.high and time.monotonic() < deadline
               and loop.poll() is None):
            time.sleep(0.1)
        assert read_position(index_dir).high > built.high  # the loop applied the publish
        loop.send_signal(signal.SIGTERM)
        out, err = loop.communicate(timeout=60)
    finally:
        if loop.poll() is None:
            os.killpg(loop.pid, signal.SIGKILL)
            loop.wait()
    assert loop.returncode == 0, err
    assert "follower stopped" in out
