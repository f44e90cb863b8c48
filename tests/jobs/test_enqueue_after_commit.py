"""A job asked for inside a writing transaction starts after its commit, never before, and never
commits for its caller: the same in immediate mode (tests) as through a real queue."""
from __future__ import annotations

import pytest

from catalog.extensions import db
from catalog.jobs.queue import enqueue, job, queue
from catalog.models import Organization

SEEN: list[tuple[str, bool]] = []


@job("test.probe_organization")
def probe_organization(code: str) -> None:
    """Record whether the job, in a session of its own, sees the organization committed."""
    found = db.session.execute(db.select(Organization.id).where(Organization.code == code)).first()
    SEEN.append((code, found is not None))


@pytest.fixture(autouse=True)
def _clean():
    SEEN.clear()
    yield
    SEEN.clear()


def _add_org(code: str) -> None:
    db.session.add(Organization(code=code, slug=f"uji-{code}", name=f"Organisasi uji {code}", kind="agency"))


@pytest.mark.parametrize("flushed", [False, True])
def test_job_waits_for_the_callers_commit(app, flushed):
    _add_org("uji1")
    if flushed:
        db.session.flush()
    enqueue("test.probe_organization", code="uji1")
    assert SEEN == []
    db.session.commit()
    assert SEEN == [("uji1", True)]


def test_job_is_dropped_when_the_caller_rolls_back(app):
    _add_org("uji2")
    db.session.flush()
    enqueue("test.probe_organization", code="uji2")
    db.session.rollback()
    db.session.commit()  # a later, empty transaction does not revive it
    assert SEEN == []
    assert db.session.execute(db.select(Organization).where(Organization.code == "uji2")).first() is None


def test_the_queue_never_commits_for_its_caller(app):
    _add_org("uji3")
    enqueue("test.probe_organization", code="uji3")
    db.session.rollback()
    assert db.session.execute(db.select(Organization).where(Organization.code == "uji3")).first() is None


def test_a_job_asked_for_outside_a_write_runs_at_once(app):
    db.session.execute(db.select(Organization.id).limit(1)).first()  # a read-only transaction
    enqueue("test.probe_organization", code="31")
    assert SEEN == [("31", True)]


def test_one_job_per_commit_however_often_it_is_asked_for(app):
    _add_org("uji4")
    for _ in range(3):
        enqueue("test.probe_organization", code="uji4")
    db.session.commit()
    assert SEEN == [("uji4", True)]


def test_a_real_queue_also_receives_the_job_only_after_commit(app):
    app.config["JOBS_IMMEDIATE"] = False
    app.extensions.pop("catalog_jobs", None)
    huey = queue(app)
    huey.flush()
    _add_org("uji5")
    enqueue("test.probe_organization", code="uji5")
    assert huey.pending_count() == 0
    db.session.commit()
    assert huey.pending_count() == 1
    huey.execute(huey.dequeue())
    assert SEEN == [("uji5", True)]
    huey.flush()


def test_unknown_job_names_fail_loudly(app):
    with pytest.raises(KeyError):
        enqueue("test.no_such_job")
