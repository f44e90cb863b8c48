"""A push whose refresh a kill lost heals without a person.

git moves the ref; then the web process records the push and queues its refresh, and a worker
takes the job off the queue (for good: the queue keeps no lease). A SIGKILL of the web process
after git moved the ref, or of the worker holding the job, leaves the fork's stored divergence on
an older head. The worker's recovery (at its start, and every two minutes for refs that moved
more than a minute ago) queues the refresh again; fsck --repair recomputes it too.
"""
from __future__ import annotations

import os
import time
from datetime import timedelta

from catalog import vcs
from catalog.extensions import db
from catalog.jobs import queue as jobs
from catalog.jobs.queue import consumer
from catalog.models import AuditEvent
from catalog.models.types import utcnow
from catalog.services import repo_paths
from catalog.services.repos import forks, recovery
from catalog.services.tx import write
from catalog.vcs.errors import SizeLimitExceeded
from catalog.worker import tasks
from tests.repos.gitclient import git, with_token
from tests.repos.killed import server_killed_at

RECORDING = "catalog.services.repos.forks:record_push"  # git has moved the ref and exited
_real_drift_counts = vcs.drift_counts


def _commit(work, name: str) -> str:
    (work / name).write_text(f"<?php // {name}\n")
    git("add", ".", cwd=work)
    git("commit", "-m", f"Tambah {name}", cwd=work)
    return git("rev-parse", "HEAD", cwd=work).stdout.strip()


def _url(base: str, fork, token: str) -> str:
    return with_token(f"{base}/git/{fork.relpath}", token)


def _token(token_for, adopter) -> str:
    return token_for(adopter)["Authorization"].split()[1]


def _too_large(*_args, **_kwargs):
    raise SizeLimitExceeded()


def _stored(fork_id: int):
    db.session.rollback()
    return forks.get_fork(fork_id)


def _pushed_ago(fork, seconds: float) -> None:
    """The ref file as a push that many seconds ago left it."""
    ref = repo_paths.absolute(fork.relpath) / "refs" / "heads" / fork.default_branch
    then = time.time() - seconds
    os.utime(ref, (then, then))


def test_web_process_killed_after_git_moved_the_ref_heals_at_the_workers_start(fork, adopter, token_for, app,
                                                                              tmp_path, work, runner):
    token = _token(token_for, adopter)
    sha = _commit(work, "laporan.php")
    with server_killed_at(app, tmp_path, RECORDING) as (base, server):
        git("push", _url(base, fork, token), "main", cwd=work, check=False)  # answered or cut off: either
        assert server.wait(30) == -9  # SIGKILLed in record_push, after git had finished
    assert vcs.read_branch_head(repo_paths.absolute(fork.relpath), "main") == sha  # the push is in
    stale = _stored(fork.id)
    assert stale.fork_head != sha and stale.ahead == 0  # its refresh is not
    found = runner.invoke(args=["catalog", "fsck", "--min-age", "0"])
    assert found.exit_code == 1 and "stored divergence is for an older head" in found.output

    consumer(app, 1)  # a worker (re)starting queues the recovery (jobs run inline in tests)
    healed = _stored(fork.id)
    assert healed.fork_head == sha and healed.ahead == 1
    assert runner.invoke(args=["catalog", "fsck", "--min-age", "0"]).exit_code == 0


def test_refresh_job_lost_with_its_worker_heals_at_the_periodic_sweep(fork, adopter, token_for, live_server, work,
                                                                      monkeypatch):
    real_send = jobs._send

    def worker_dies_holding(app, name, kwargs):
        if name != "fork.refresh":
            real_send(app, name, kwargs)

    monkeypatch.setattr(jobs, "_send", worker_dies_holding)
    sha = _commit(work, "absen.php")
    git("push", _url(live_server, fork, _token(token_for, adopter)), "main", cwd=work)
    monkeypatch.undo()
    db.session.rollback()
    assert db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "fork.push")).first()  # recorded
    assert _stored(fork.id).fork_head != sha  # but never refreshed

    assert tasks.sweep_recovery()["refreshed"] == 0  # moved just now: its own job may still come
    _pushed_ago(fork, 2 * recovery.PUSH_GRACE)
    assert tasks.sweep_recovery()["refreshed"] == 1
    healed = _stored(fork.id)
    assert healed.fork_head == sha and healed.ahead == 1
    assert tasks.sweep_recovery()["refreshed"] == 0  # nothing left to do


def test_fsck_repair_recomputes_the_stale_divergence(fork, adopter, token_for, live_server, work, monkeypatch,
                                                     runner):
    monkeypatch.setattr(forks, "record_push", lambda *_a, **_k: None)  # the web process killed before recording
    sha = _commit(work, "cuti.php")
    git("push", _url(live_server, fork, _token(token_for, adopter)), "main", cwd=work)
    monkeypatch.undo()
    repaired = runner.invoke(args=["catalog", "fsck", "--repair", "--min-age", "0"])
    assert "divergence recomputed" in repaired.output, repaired.output
    assert _stored(fork.id).fork_head == sha
    assert runner.invoke(args=["catalog", "fsck", "--min-age", "0"]).exit_code == 0


def test_a_fork_that_cannot_be_refreshed_is_not_retried_at_every_sweep(fork, adopter, token_for, live_server,
                                                                       work, monkeypatch):
    """Its refresh failed after the ref moved (a repository too large to diff): the sweep waits
    for the ref to move again rather than run that diff every two minutes."""
    url = _url(live_server, fork, _token(token_for, adopter))
    monkeypatch.setattr(forks, "record_push", lambda *_a, **_k: None)
    _commit(work, "bom.php")
    git("push", url, "main", cwd=work)
    _pushed_ago(fork, 10 * recovery.PUSH_GRACE)
    monkeypatch.setattr(vcs, "drift_counts", _too_large)
    assert tasks.sweep_recovery()["refreshed"] == 1  # tried once, failed: the error is stored
    assert _stored(fork.id).divergence_error
    assert tasks.sweep_recovery()["refreshed"] == 0
    monkeypatch.setattr(vcs, "drift_counts", _real_drift_counts)

    with write():  # the failed attempt was five minutes ago; the region pushes a fix since
        forks.get_fork(fork.id).computed_at = utcnow() - timedelta(seconds=5 * recovery.PUSH_GRACE)
    sha = _commit(work, "perbaikan.php")
    git("push", url, "main", cwd=work)
    _pushed_ago(fork, 2 * recovery.PUSH_GRACE)
    assert tasks.sweep_recovery()["refreshed"] == 1
    healed = _stored(fork.id)
    assert healed.fork_head == sha and not healed.divergence_error
