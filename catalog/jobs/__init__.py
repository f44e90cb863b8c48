"""Background jobs behind one small interface: `enqueue(name, **kwargs)`.

Huey on a SQLite file in the data dir by default (no extra server), on Redis when
CATALOG_REDIS_URL is set, and immediate (inline) when JOBS_IMMEDIATE is on, as in tests.
The queue is built per Flask app, never at import.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

from flask import Flask, current_app
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab

from ..extensions import db

log = logging.getLogger(__name__)
_TASKS: dict[str, Callable[..., Any]] = {}
_PERIODIC: dict[str, tuple[Callable[[], Any], dict[str, str]]] = {}


def job(name: str) -> Callable:
    """Register a function as a job; it runs inside an app context of the worker's app."""
    def register(fn: Callable) -> Callable:
        _TASKS[name] = fn
        return fn
    return register


def periodic(name: str, **schedule: str) -> Callable:
    """Register a periodic job (crontab fields, e.g. minute='*/15'); the worker schedules it."""
    def register(fn: Callable) -> Callable:
        _PERIODIC[name] = (fn, schedule)
        return fn
    return register


def _build(app: Flask):
    cfg = app.config
    if cfg.get("JOBS_IMMEDIATE"):
        huey = MemoryHuey("catalog", immediate=True)
    elif cfg.get("REDIS_URL"):
        huey = RedisHuey("catalog", url=cfg["REDIS_URL"])
    else:
        huey = SqliteHuey("catalog", filename=str(Path(cfg["DATA_DIR"]) / "jobs.sqlite3"))
    from . import tasks  # noqa: F401  (registers the jobs)

    def in_app(fn: Callable) -> Callable:
        def run(**kwargs: Any) -> Any:
            with app.app_context():
                return fn(**kwargs)
        return run

    wrapped = {name: huey.task(name=name, retries=2, retry_delay=30)(in_app(fn)) for name, fn in _TASKS.items()}
    for name, (fn, schedule) in _PERIODIC.items():
        huey.periodic_task(crontab(**schedule), name=name)(in_app(fn))
    return huey, wrapped


def queue(app: Flask | None = None):
    app = app or current_app._get_current_object()
    if "catalog_jobs" not in app.extensions:
        app.extensions["catalog_jobs"] = _build(app)
    return app.extensions["catalog_jobs"][0]


def enqueue(name: str, **kwargs: Any) -> None:
    """Queue a job after the caller committed. A queue failure is logged, never raised:
    the rows already say what is pending (e.g. a mirror in state 'queued'), and the
    periodic sweep or `flask catalog fsck --repair` picks it up again."""
    app = current_app._get_current_object()
    huey = queue(app)
    task = app.extensions["catalog_jobs"][1].get(name)
    if task is None:
        raise KeyError(f"unknown job {name}")
    if huey.immediate:
        # The job runs now in a session of its own; end our transaction so that we read
        # what it wrote afterwards instead of an older snapshot.
        db.session.commit()
    try:
        task(**kwargs)
    except Exception:
        log.exception("job %s could not run or be queued", name)
