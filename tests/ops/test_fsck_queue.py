"""fsck and the job queue: jobs an earlier release queued under its own names are renamed, not lost.

The first release registered its jobs from `catalog.jobs`, so huey queued them as
`catalog.jobs.<job>`; this release's worker knows them as `catalog.jobs.queue.<job>` and would
drop the old ones unread. tests/ops/test_upgrade.py meets such jobs made by the old release
itself; this test puts one in the queue as that release wrote it (same huey, same serializer).
"""
from __future__ import annotations

from huey.registry import Message

from catalog.jobs.queue import queue


def test_fsck_repair_renames_a_job_an_earlier_release_queued(app, runner):
    app.config["JOBS_IMMEDIATE"] = False  # the queue in the data dir, as in production
    app.extensions.pop("catalog_jobs", None)
    huey = queue(app)
    old = Message(id="rilis-lama-1", name="catalog.jobs.index.apply", eta=None, retries=2, retry_delay=30,
                  priority=None, args=(), kwargs={})
    huey.storage.enqueue(huey.serializer.serialize(old))

    checked = runner.invoke(args=["catalog", "fsck"])
    assert checked.exit_code == 1
    assert "job queue: 1 queued jobs this release cannot run (catalog.jobs.index.apply)" in checked.output
    repaired = runner.invoke(args=["catalog", "fsck", "--repair"])
    assert repaired.exit_code == 0, repaired.output
    assert "job queue: 1 jobs of an earlier release renamed for this one" in repaired.output

    task = huey.dequeue()  # what the worker does: it now finds the job in its registry
    assert (task.id, task.name) == ("rilis-lama-1", "index.apply")
    assert huey.dequeue() is None
    assert runner.invoke(args=["catalog", "fsck"]).exit_code == 0
