"""The job queue behind one small interface: `enqueue(name, **kwargs)`, `job`, `periodic`.

Huey on a SQLite file in the data dir by default (no extra server), on Redis when
CATALOG_REDIS_URL is set, and immediate (inline) when JOBS_IMMEDIATE is on, as in tests.
The queue is built per Flask app, never at import; it imports no service, so services may
use it. The task registry (`catalog.worker.tasks`) is loaded by the app factory.

Several workers (on one machine or several, sharing Redis) each run Huey's scheduler, and each
enqueues every periodic job once a minute. So that a job runs once per slot and not once per
worker, the run first claims (job name, scheduled minute) with an INSERT into `periodic_claim`
that does nothing on conflict: the worker whose INSERT wrote the row runs the job, the others
skip it. The database decides, as it already holds every other shared state; a lock in Redis
would not exist on installs without Redis (several SQLite-queue workers on one machine).

A job taken off the queue is gone from it (Redis BRPOP, a deleted SQLite row): no lease, no
acknowledgement, and `retries` covers only a job that raised. A worker SIGKILLed while it holds
a job loses it. What a lost job leaves must therefore be found from the rows and the disk: the
periodic sweeps do (repo.recover_sweep for a lost push refresh), and jobs registered with
`at_worker_start` run as each worker starts, so a node restarted after a crash heals at once.
"""
from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_request_context, request
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.signals import SIGNAL_ENQUEUED
from sqlalchemy import DateTime, Integer, String, column, event, table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..extensions import db

log = logging.getLogger(__name__)
_TASKS: dict[str, Callable[..., Any]] = {}
_PERIODIC: dict[str, tuple[Callable[[], Any], dict[str, str]]] = {}
_AT_START: dict[str, dict[str, Any]] = {}  # jobs each worker queues as it starts, with their arguments
_WROTE = "catalog_jobs_wrote"        # session.info: this transaction flushed writes
_PENDING = "catalog_jobs_pending"    # session.info: jobs waiting for this transaction's commit
# Logs (README, "Operations"): a job carries the id of the request that queued it, and when it
# entered the queue (for the age of the oldest queued job in /metrics), in one extra keyword
# argument that the wrapper below takes off before the job function runs.
META = "_catalog_meta"
REQUEST_ID_ENV = "catalog.request_id"  # request.environ: set by web/observe.py
_job_request_id: ContextVar[str | None] = ContextVar("catalog_job_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being served, or of the request that queued the running job."""
    if has_request_context():
        return request.environ.get(REQUEST_ID_ENV)
    return _job_request_id.get()


def job(name: str, *, at_worker_start: dict[str, Any] | None = None) -> Callable:
    """Register a function as a job; it runs inside an app context of the worker's app.

    at_worker_start: arguments with which every worker queues it once as it starts (recovery
    from a crash: a job a killed worker had taken is gone, since the queue keeps no lease)."""
    def register(fn: Callable) -> Callable:
        _TASKS[name] = fn
        if at_worker_start is not None:
            _AT_START[name] = dict(at_worker_start)
        return fn
    return register


def periodic(name: str, **schedule: str) -> Callable:
    """Register a periodic job (crontab fields, e.g. minute='*/15'); the worker schedules it."""
    def register(fn: Callable) -> Callable:
        _PERIODIC[name] = (fn, schedule)
        return fn
    return register


# The table is catalog.models.nodes.PeriodicClaim; named here in core terms because this
# module sits beside the models layer, not above it.
_CLAIMS = table("periodic_claim", column("name", String), column("slot", Integer),
                column("node", String), column("claimed_at", DateTime(timezone=True)))
CLAIMS_KEPT_MINUTES = 2 * 24 * 60


def node_name(app: Flask) -> str:
    """This machine's name among the nodes sharing one database (CATALOG_NODE_ID, else the host)."""
    return str(app.config.get("NODE_ID") or socket.gethostname())[:100]


def claim_slot(app: Flask, name: str, queued_at: float) -> bool:
    """True for the one worker that claims (name, minute the job was scheduled for).

    The minute comes from when the scheduler enqueued the job (Huey's scheduler reads the
    crontab once a minute, at an offset of its own per worker), not from when a worker picks
    it up, so a backlog cannot turn one slot into two."""
    slot = int(queued_at // 60)
    engine = db.engine
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(_CLAIMS).values(name=name, slot=slot, node=node_name(app), claimed_at=datetime.now(UTC))
    with engine.begin() as conn:
        stmt = stmt.on_conflict_do_nothing(index_elements=["name", "slot"]).returning(_CLAIMS.c.slot)
        won = conn.execute(stmt).scalar() is not None  # a row back only when this INSERT wrote it
        if won:  # the claims of two days are plenty to show who ran what; older ones go
            conn.execute(_CLAIMS.delete().where(_CLAIMS.c.name == name,
                                                _CLAIMS.c.slot < slot - CLAIMS_KEPT_MINUTES))
    return won


def _build(app: Flask):
    cfg = app.config
    if cfg.get("JOBS_IMMEDIATE"):
        huey = MemoryHuey("catalog", immediate=True)
    elif cfg.get("REDIS_URL"):
        huey = RedisHuey("catalog", url=cfg["REDIS_URL"])
    else:
        huey = SqliteHuey("catalog", filename=str(Path(cfg["DATA_DIR"]) / "jobs.sqlite3"))

    def in_app(name: str, fn: Callable, *, once_per_slot: bool = False) -> Callable:
        def run(**kwargs: Any) -> Any:
            meta = kwargs.pop(META, None) or {}
            token = _job_request_id.set(meta.get("request_id"))
            started, outcome = time.monotonic(), "failed"
            waited = time.time() - meta["queued_at"] if meta.get("queued_at") else None
            try:
                with app.app_context():
                    if once_per_slot and not claim_slot(app, name, meta.get("queued_at") or time.time()):
                        outcome = "skipped"  # another worker claimed this slot
                        return None
                    result = fn(**kwargs)
                outcome = "done"
                return result
            finally:
                log.info("job %s %s", name, outcome, extra={
                    "job": name, "outcome": outcome, "request_id": meta.get("request_id"),
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    "waited_ms": None if waited is None else round(waited * 1000, 1)})
                _job_request_id.reset(token)
        return run

    @huey.signal(SIGNAL_ENQUEUED)
    def _stamp(_signal, task, *_args, **_kwargs) -> None:  # every enqueue: ours, periodic, retries
        task.kwargs[META] = {**(task.kwargs.get(META) or {}), "queued_at": time.time()}

    wrapped = {name: huey.task(name=name, retries=2, retry_delay=30)(in_app(name, fn)) for name, fn in _TASKS.items()}
    for name, (fn, schedule) in _PERIODIC.items():
        huey.periodic_task(crontab(**schedule), name=name)(in_app(name, fn, once_per_slot=True))
    return huey, wrapped


def queue(app: Flask | None = None):
    app = app or current_app._get_current_object()
    if "catalog_jobs" not in app.extensions:
        app.extensions["catalog_jobs"] = _build(app)
    return app.extensions["catalog_jobs"][0]


# Huey's consumer polls a queue that cannot block (SQLite) with a delay that grows by 1.15 per
# empty poll up to 10 s: after a quiet minute the next push's refresh waited up to 10 s before a
# worker looked, and the fork page showed the push that much later. One empty poll costs about
# 6 µs of CPU here, so two threads polling at most every 0.2 s cost nothing measurable
# (bench/bench_job_pickup.py has the figures). Redis blocks on the list and is not polled.
POLL_MAX_DELAY = 0.2


def consumer(app: Flask, workers: int):
    """The worker's Huey consumer: `workers` threads and the periodic scheduler; first the jobs
    registered to run at a worker's start are queued (any worker takes them)."""
    built = queue(app).create_consumer(workers=workers, worker_type="thread", periodic=True,
                                       max_delay=POLL_MAX_DELAY)
    with app.app_context():
        for name, kwargs in _AT_START.items():
            _send(app, name, kwargs)
    return built


def enqueue(name: str, **kwargs: Any) -> None:
    """Queue a job once the caller's writes are committed; drop it if they roll back.

    The job never runs against rows that may still vanish, and the queue never commits for
    its caller: in every mode a job requested inside a writing transaction starts after that
    transaction's commit. A queue failure is logged, never raised: the rows already say what
    is pending (e.g. a mirror in state 'queued'), and the periodic sweep or
    `flask catalog fsck --repair` picks it up again.
    """
    app = current_app._get_current_object()
    if name not in _TASKS:
        raise KeyError(f"unknown job {name}")
    session = db.session()
    if session.in_transaction() and (session.info.get(_WROTE) or session.new or session.dirty or session.deleted):
        pending = session.info.setdefault(_PENDING, [])
        if (name, kwargs) not in pending:
            pending.append((name, kwargs))
        return
    if queue(app).immediate and session.in_transaction():
        # Inline, the job commits in a session of its own; a read-only snapshot held here
        # (it wrote nothing) would hide that result from the caller, as the next request sees it.
        session.rollback()
    _send(app, name, kwargs)


def _send(app: Flask, name: str, kwargs: dict[str, Any]) -> None:
    queue(app)
    task = app.extensions["catalog_jobs"][1][name]
    try:
        task(**kwargs, **{META: {"request_id": current_request_id()}})
    except Exception:
        log.exception("job %s could not run or be queued", name)


@event.listens_for(Session, "after_flush")
def _mark_written(session: Session, _context) -> None:
    session.info[_WROTE] = True


def note_write(session: Session) -> None:
    """A write the session makes only at its commit (an audit event, chained then): jobs queued
    after it wait for that commit, as they do after a flush."""
    session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
def _send_pending(session: Session) -> None:
    session.info.pop(_WROTE, None)
    pending = session.info.pop(_PENDING, [])
    if not pending:
        return
    app = current_app._get_current_object()
    # A fresh app context keeps the jobs' sessions apart from the one finishing its commit.
    with app.app_context():
        for name, kwargs in pending:
            _send(app, name, kwargs)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_WROTE, None)
    session.info.pop(_PENDING, None)
