"""Deployment status writes from several threads at once, through the API: each write's audit
event is chained at its commit (the head locked only for the chain step and the commit), and the
chain stays gapless and verifiable, with its times in the order of its sequence."""
from __future__ import annotations

import threading

import pytest

from catalog.extensions import db
from catalog.models import AuditEvent
from catalog.services import audit
from catalog.services.tx import write
from tests.deployment_world import source_repos, world, world_app, world_template  # noqa: F401  (fixtures)

THREADS, WRITES = 4, 6
REGIONS = ("21.72", "21.01", "21.71", "14.71")


@pytest.fixture
def app(world_app):
    return world_app


def test_concurrent_status_writes_leave_one_gapless_verified_chain(app, world, token_for):
    jobs = []
    for org in REGIONS[:THREADS]:
        dep = world.deploy(org, "simanja")
        jobs.append((dep.id, token_for(world.user("adopter", org))))
    first_seq = audit.list_events(limit=1000)[-1].seq
    db.session.commit()
    answers: list[int] = []
    go = threading.Barrier(THREADS)

    def writer(dep_id: int, headers: dict[str, str]) -> None:
        client = app.test_client()
        go.wait()
        for i in range(WRITES):
            status = "suspended" if i % 2 == 0 else "production"
            r = client.post(f"/api/v1/deployments/{dep_id}/status", json={"status": status}, headers=headers)
            answers.append(r.status_code)

    threads = [threading.Thread(target=writer, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [200] * (THREADS * WRITES)
    events = audit.list_events(after=first_seq, limit=1000)
    assert [e.seq for e in events] == list(range(first_seq + 1, first_seq + 1 + THREADS * WRITES))
    assert [e.action for e in events] == ["deployment.status"] * (THREADS * WRITES)
    assert sorted(e.object_id for e in events) == sorted(str(dep_id) for dep_id, _ in jobs for _ in range(WRITES))
    assert audit.verify().ok


def test_an_event_is_chained_at_the_commit_and_dropped_by_a_rollback(app):
    with app.test_request_context():
        events = audit.list_events(limit=1000)
        head = events[-1].seq if events else 0
        db.session.commit()
        dropped = audit.record(None, "deployment.status", "deployment", 1, {"from": "pilot", "to": "production"})
        db.session.rollback()
        with write():
            # the chain statement hashes the same canonical text as the verifier, whatever it holds
            kept = audit.record(None, "app.update", "app", "simanja-ü", {
                "name": 'Sistem "Kinerja" — Pegawai ü 漢字', "path": "C:\\data\n%(x)s", "n": [1, 2.5, None]})
        assert dropped.seq is None and kept.seq == head + 1
        stored = db.session.get(AuditEvent, kept.seq)
        assert (stored.object_id, stored.prev_hash, stored.hash, stored.at) == (
            "simanja-ü", kept.prev_hash, kept.hash, kept.at)
        assert audit.verify().ok
