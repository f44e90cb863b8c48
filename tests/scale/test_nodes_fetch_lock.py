"""The fetch lock holds across nodes: a PostgreSQL advisory lock keyed by the repository, with
the file lock beneath it for one machine (catalog/services/repos/repo_locks.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from catalog.extensions import db
from catalog.models import Mirror
from catalog.services.repos import repo_locks
from tests.scale.conftest import on_postgresql

pytestmark = pytest.mark.slow  # nodes are separate processes (a few seconds each to start)

BUSY = "Pembaruan mirror ini sedang berjalan."


def _mirror(app_id: int) -> Mirror:
    return db.session.execute(db.select(Mirror).where(Mirror.app_id == app_id)).scalar_one()


def test_a_fetch_on_node_b_waits_for_the_lock_node_a_holds_in_the_database(app, nodes, published):
    if not on_postgresql(app):
        pytest.skip("advisory locks are PostgreSQL's; SQLite installs (one machine) keep the file lock")
    mirror = _mirror(published.id)
    assert mirror.state == "ready"
    ready, release = nodes.path("a-ready"), nodes.path("a-release")
    # Node A holds only the database lock: no file lock anywhere, so what stops node B is the
    # database alone, as it would be on storage whose mount does not carry flock.
    holder = nodes.start("hold_repo_lock", "a", relpath=mirror.relpath, names=[repo_locks.FETCH],
                         ready=ready, release=release)
    nodes.wait_for(ready, holder)
    refused = nodes.run("fetch", "b", app_id=published.id)
    assert refused == {"state": "failed", "error": BUSY}
    assert nodes.run("try_repo_lock", "b", relpath=mirror.relpath, names=[repo_locks.FETCH]).startswith("busy")
    Path(release).write_text("")
    assert nodes.result(holder) == "released"
    assert nodes.run("fetch", "b", app_id=published.id) == {"state": "ready", "error": ""}
    # Locks are per repository and per purpose: another repository, or the prune lock, is free.
    assert nodes.run("try_repo_lock", "b", relpath="upstream/lain.git", names=[repo_locks.FETCH]) == "held"


def test_a_prune_lock_held_on_one_node_is_seen_by_another(app, nodes, published):
    if not on_postgresql(app):
        pytest.skip("advisory locks are PostgreSQL's")
    relpath = _mirror(published.id).relpath
    ready, release = nodes.path("a-ready"), nodes.path("a-release")
    holder = nodes.start("hold_repo_lock", "a", relpath=relpath, names=[repo_locks.PRUNE], ready=ready,
                         release=release)
    nodes.wait_for(ready, holder)
    answer = nodes.run("try_repo_lock", "b", relpath=relpath, names=[repo_locks.PRUNE])
    assert answer == "busy: Pembersihan repositori ini sedang berjalan. Coba lagi beberapa saat lagi."
    Path(release).write_text("")
    nodes.result(holder)
    assert nodes.run("try_repo_lock", "b", relpath=relpath, names=[repo_locks.PRUNE]) == "held"


def test_the_file_lock_holds_between_processes_on_one_machine(app, nodes, published):
    """SQLite installs (and every node, beneath the database lock): the flock in the repository."""
    mirror = _mirror(published.id)
    path = Path(app.config["REPOS_DIR"]) / mirror.relpath
    ready, release = nodes.path("a-ready"), nodes.path("a-release")
    holder = nodes.start("hold_fetch_flock", "a", path=str(path), ready=ready, release=release)
    nodes.wait_for(ready, holder)
    assert nodes.run("fetch", "b", app_id=published.id) == {"state": "failed", "error": BUSY}
    Path(release).write_text("")
    nodes.result(holder)
    assert nodes.run("fetch", "b", app_id=published.id) == {"state": "ready", "error": ""}
