"""Background jobs through a real queue: Huey on SQLite (default) and on Redis when reachable."""
from __future__ import annotations

import socket

import pytest

from catalog.extensions import db
from catalog.jobs.queue import queue
from catalog.services.catalog import apps
from catalog.services.repos import mirrors
from seed.demo_repos import create_demo_repo
from tests.factories import app_payload

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


# The Redis cases share one Redis database (and flush it): one xdist worker runs them all.
@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.xdist_group("redis"))])
def queued_app(request, app):
    """The test app with jobs queued for a worker instead of run inline."""
    if request.param == "redis":
        if not _redis_up():
            pytest.skip("Redis is not reachable on 127.0.0.1:6379")
        app.config["REDIS_URL"] = REDIS_URL
    app.config["JOBS_IMMEDIATE"] = False
    app.extensions.pop("catalog_jobs", None)
    huey = queue(app)
    huey.flush()
    yield app, huey
    huey.flush()


def _drain(huey) -> int:
    """Be the worker: run what is queued (each job in its own app context and session)."""
    done = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        done += 1
    db.session.rollback()  # read what the jobs committed
    return done


def test_publish_queues_mirror_fetch_until_a_worker_runs_it(queued_app, make_user, tmp_path):
    app, huey = queued_app
    source = create_demo_repo(tmp_path / "src.git", {"slug": "siap", "name": "SIAP", "releases": ["v1.0.0"],
                                                     "short_description_id": "Presensi", "category": "time-tracking",
                                                     "license": "MIT", "development_status": "stable"})
    admin = make_user("admin", "komdigi")
    apps.create_app(app_payload(name="SIAP", repo_url=str(source)), actor=admin, org_code="21.72")
    apps.submit_app("siap", actor=admin)
    published = apps.publish_app("siap", actor=admin)
    assert mirrors.get_mirror(published).state == "queued"
    assert huey.pending_count() >= 1
    assert _drain(huey) >= 1
    assert mirrors.get_mirror_by_slug("siap").state == "ready"
