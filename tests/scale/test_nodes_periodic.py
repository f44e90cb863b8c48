"""Periodic jobs run once per slot, however many workers schedule them (catalog/jobs/queue.py)."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from catalog.extensions import db
from catalog.models import PeriodicClaim
from tests.scale.conftest import REDIS_URL, redis_up
from tests.scale.node_main import PROBE

pytestmark = pytest.mark.slow  # nodes are separate processes (a few seconds each to start)


def test_two_workers_racing_for_forty_slots_claim_each_exactly_once(app, nodes):
    go = nodes.path("go")
    slots = list(range(29_000_000, 29_000_040))
    racers = [nodes.start("claim_slots", name, go=go, slots=slots) for name in ("w1", "w2")]
    Path(go).write_text("")
    won = [set(nodes.result(p)) for p in racers]
    assert won[0].isdisjoint(won[1])
    assert won[0] | won[1] == set(slots)
    rows = db.session.execute(db.select(PeriodicClaim.slot, PeriodicClaim.node)
                              .where(PeriodicClaim.name == PROBE)).all()
    assert sorted(r.slot for r in rows) == slots
    assert {r.slot for r in rows if r.node == "w1"} == won[0]


def test_old_claims_are_cleared_when_a_later_slot_is_claimed(app, nodes):
    from catalog.jobs.queue import CLAIMS_KEPT_MINUTES

    first = 29_000_000
    nodes.run("claim_slots", "w1", go=None, slots=[first, first + CLAIMS_KEPT_MINUTES + 1])
    slots = db.session.execute(db.select(PeriodicClaim.slot).where(PeriodicClaim.name == PROBE)).scalars().all()
    assert slots == [first + CLAIMS_KEPT_MINUTES + 1]


@pytest.mark.xdist_group("redis")
def test_two_workers_each_scheduling_the_job_run_it_once(app, nodes):
    """Both workers' schedulers enqueue the job into the one Redis queue; both drain it; the
    job's body runs once and the other copy is skipped."""
    if not redis_up():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    from huey import RedisHuey

    RedisHuey("catalog", url=REDIS_URL).flush()
    marker, go, both = nodes.path("ran"), nodes.path("go"), nodes.path("both-enqueued")
    workers = []
    for name in ("w1", "w2"):
        config = nodes.config(name, JOBS_IMMEDIATE=False, REDIS_URL=REDIS_URL)
        workers.append((nodes.start("periodic_worker", name, config, go=go, marker=marker,
                                    ready=nodes.path(f"{name}-ready"), both_enqueued=both), name))
    if time.time() % 60 > 55:  # both must read the crontab within one minute, as schedulers do
        time.sleep(61 - time.time() % 60)
    Path(go).write_text("")
    for proc, name in workers:
        nodes.wait_for(nodes.path(f"{name}-ready"), proc)
    Path(both).write_text("")
    executed = sum(nodes.result(proc)["executed"] for proc, _name in workers)
    assert executed == 2  # two copies were queued and taken
    assert len(Path(marker).read_text().splitlines()) == 1  # one ran
    assert db.session.execute(db.select(db.func.count()).select_from(PeriodicClaim)
                              .where(PeriodicClaim.name == PROBE)).scalar_one() == 1
