"""The audit chain with writers on two nodes at once: sequence numbers and prev-hash are taken
under a lock in the database (the head row's FOR UPDATE in the one chain statement at the commit
on PostgreSQL, BEGIN IMMEDIATE on SQLite), so the chain stays gapless and verifies."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.extensions import db
from catalog.models import AuditEvent
from tests.scale.conftest import ROOT

pytestmark = pytest.mark.slow  # nodes are separate processes (a few seconds each to start)

THREADS, EVENTS = 3, 15


def test_concurrent_writers_on_two_nodes_leave_a_gapless_chain_that_audit_verify_accepts(app, nodes, tmp_path):
    go = nodes.path("go")
    writers = [nodes.start("audit_writer", name, go=go, threads=THREADS, count=EVENTS) for name in ("a", "b")]
    Path(go).write_text("")
    answers = [nodes.result(p) for p in writers]
    assert [a["errors"] for a in answers] == [[], []]
    mine = [set(a["seqs"]) for a in answers]
    assert len(mine[0]) == len(mine[1]) == THREADS * EVENTS and mine[0].isdisjoint(mine[1])
    # one chain from both nodes, without a gap or a repeat
    seqs = db.session.execute(db.select(AuditEvent.seq).order_by(AuditEvent.seq)).scalars().all()
    assert seqs == list(range(1, len(seqs) + 1))
    assert mine[0] | mine[1] <= set(seqs)
    pairs = db.session.execute(db.select(AuditEvent.prev_hash, AuditEvent.hash).order_by(AuditEvent.seq)).all()
    assert all(pairs[i].prev_hash == pairs[i - 1].hash for i in range(1, len(pairs)))
    # the real command, from a third process, as an operator runs it
    env = {**os.environ, "CATALOG_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "CATALOG_DATA_DIR": str(tmp_path / "operator"), "CATALOG_SECRET_KEY": "operator-" + "x" * 32,
           "PYTHONPATH": str(ROOT)}
    env.pop("CATALOG_REDIS_URL", None)
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "catalog", "audit-verify"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"audit chain intact: {len(seqs)} events" in done.stdout
