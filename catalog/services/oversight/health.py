"""For operators: readiness checks (database, job queue, search index, repositories folder), each
bounded in time, and the figures /metrics reads at scrape time (queue, mirrors, audit chain).

Each readiness check runs in a thread of a small per-app pool with its own app context and is
waited for at most READY_TIMEOUT seconds; a check still running from an earlier probe (a hung
NFS mount, a database that stopped answering) is reported failed at once instead of piling up
more threads. Errors name the exception class only: the probe is public, and driver messages
may carry host names and paths (the full error goes to the log).
"""
from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

from flask import Flask, current_app
from sqlalchemy import func, text

from ...extensions import db
from ...jobs.queue import META, queue
from ...models import AuditHead, AuditVerified, Mirror
from .. import repo_paths
from ..catalog import indexing

log = logging.getLogger(__name__)
_POOL_KEY = "catalog_readiness"


@dataclass(frozen=True)
class Check:
    ok: bool
    ms: float
    error: str | None = None


@dataclass(frozen=True)
class Readiness:
    checks: dict[str, Check]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks.values())

    @property
    def failed(self) -> list[str]:
        return [name for name, c in self.checks.items() if not c.ok]


def _database() -> None:
    with db.engine.connect() as conn:
        conn.execute(text("SELECT 1")).scalar_one()


def _queue() -> None:
    queue(current_app._get_current_object()).pending_count()  # SQLite file or Redis, as configured


def _search_index() -> None:
    indexing.backend().doc_count()  # opens (or reuses) a searcher


def _repositories() -> None:
    root = repo_paths.repos_root()
    root.mkdir(parents=True, exist_ok=True)  # a fresh install makes it on the first mirror anyway
    with tempfile.NamedTemporaryFile(dir=root, prefix=".readyz-"):
        pass  # created, then deleted on close


CHECKS: dict[str, Callable[[], None]] = {
    "database": _database, "queue": _queue, "search_index": _search_index, "repositories": _repositories,
}


class _Pool:
    """The checks of one app still running, from this probe or earlier ones."""

    def __init__(self) -> None:
        self.running: dict[str, Future] = {}
        self.lock = threading.Lock()


_lock = threading.Lock()


def _pool(app: Flask) -> _Pool:
    with _lock:
        if _POOL_KEY not in app.extensions:
            app.extensions[_POOL_KEY] = _Pool()
        return app.extensions[_POOL_KEY]


def _start(app: Flask, name: str, check: Callable[[], None]) -> Future:
    """A daemon thread per check: one that hangs never holds up the worker's exit."""
    future: Future = Future()

    def run() -> None:
        with app.app_context():
            try:
                check()
            except Exception as exc:  # noqa: BLE001 - reported through the future
                log.warning("readiness check %s failed", name, exc_info=True)
                future.set_exception(exc)
            else:
                future.set_result(None)

    threading.Thread(target=run, name=f"readyz-{name}", daemon=True).start()
    return future


def readiness(timeout: float | None = None) -> Readiness:
    """Run every check at once; each fails on an exception or after `timeout` seconds
    (READY_TIMEOUT). Never raises."""
    app = current_app._get_current_object()
    timeout = float(app.config.get("READY_TIMEOUT", 2.0) if timeout is None else timeout)
    pool = _pool(app)
    started: dict[str, tuple[Future | None, float]] = {}
    with pool.lock:
        for name, check in CHECKS.items():
            previous = pool.running.get(name)
            if previous is not None and not previous.done():
                started[name] = (None, time.perf_counter())  # still hung from an earlier probe
                continue
            future = _start(app, name, check)
            pool.running[name] = future
            started[name] = (future, time.perf_counter())
    deadline = time.monotonic() + timeout
    results: dict[str, Check] = {}
    for name, (future, t0) in started.items():
        if future is None:
            results[name] = Check(False, 0.0, "still running since an earlier check")
            continue
        try:
            future.result(timeout=max(0.0, deadline - time.monotonic()))
            results[name] = Check(True, _ms(t0))
        except FutureTimeout:
            results[name] = Check(False, _ms(t0), f"no answer within {timeout:g} s")
        except Exception as exc:  # noqa: BLE001 - the class name only; the log has the rest
            results[name] = Check(False, _ms(t0), type(exc).__name__)
    return Readiness(results)


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 1)


@dataclass(frozen=True)
class Figures:
    """What /metrics reads at scrape time; None where a source could not be read."""

    jobs_queued: int | None = None
    oldest_job_age: float | None = None  # seconds; None also when the queue is empty
    mirrors: dict[str, int] = field(default_factory=dict)  # by state
    audit_events: int | None = None
    audit_verified_seq: int | None = None
    audit_verified_at: float | None = None  # Unix seconds
    errors: tuple[str, ...] = ()


def scrape_figures() -> Figures:
    """Cheap reads only: the queue's length and its head, mirrors grouped by state (one row per
    app), and the single rows of the audit head and verified marker. Never raises."""
    values: dict = {}
    errors: list[str] = []
    try:
        huey = queue(current_app._get_current_object())
        values["jobs_queued"] = huey.pending_count()
        head = huey.pending(limit=1)
        queued_at = (head[0].kwargs.get(META) or {}).get("queued_at") if head else None
        values["oldest_job_age"] = max(0.0, time.time() - queued_at) if queued_at else None
    except Exception:  # noqa: BLE001 - a scrape reports what it can
        log.warning("metrics: job queue unreadable", exc_info=True)
        errors.append("queue")
    try:
        rows = db.session.execute(db.select(Mirror.state, func.count()).group_by(Mirror.state))
        values["mirrors"] = {state: n for state, n in rows}
        values["audit_events"] = db.session.execute(
            db.select(AuditHead.seq).where(AuditHead.id == 1)).scalar() or 0
        marker = db.session.execute(db.select(AuditVerified.seq, AuditVerified.verified_at)
                                    .where(AuditVerified.id == 1)).first()
        values["audit_verified_seq"] = marker.seq if marker else 0
        values["audit_verified_at"] = marker.verified_at.timestamp() if marker and marker.verified_at else None
    except Exception:  # noqa: BLE001
        log.warning("metrics: database unreadable", exc_info=True)
        db.session.rollback()
        errors.append("database")
    finally:
        db.session.rollback()  # end the read transaction (SQLite would otherwise hold a snapshot)
    return Figures(**values, errors=tuple(errors))

