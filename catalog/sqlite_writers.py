"""Writers on SQLite wait in a queue instead of polling for the database's one write lock.

SQLite lets one transaction write at a time; a writer that finds the lock taken sleeps in its
busy handler (1, 2, 5, … then 100 ms between tries) and may find it taken again by a newcomer.
In the working-day load test on SQLite the lock was held 62 % of the time, and writers waited
4× longer than a queue with immediate hand-over would make them (p90 1.2 s in the web, 0.5 s in
the job worker behind pushes; bench/bench_sqlite_writers.py measures the queue against the
busy handler alone). So before `BEGIN IMMEDIATE` a writer takes, in turn:

1. its process's lock (a `threading.Lock`: a waiting thread sleeps in the kernel and wakes when
   it is released, with the same 15 s limit as the busy timeout), so that at most one thread per
   process competes for the database;
2. an exclusive `flock` on `<database>-writers.lock`, shared by every process on the file (web
   workers, the job worker, commands). The waiting thread blocks in the kernel, which hands it
   the lock as soon as it is free, even while other threads of its process hold the GIL: tries
   1 ms apart lost the lock to the releasing process again and again (3 processes × 4 writers
   did 6 writes/s that way against 40 with the busy handler alone). The kernel frees the lock
   if its process dies. This wait has no limit of its own, but only one thread per process is
   in it: the others meet the limit of step 1, as SQLite's busy timeout would have failed them.

Both are given back when the transaction ends (commit, rollback, or the connection returning to
the pool), before SQLite's own COMMIT finishes: the next writer then finds the database lock
held for the last fraction of a millisecond and its busy handler's first 1 ms retry gets it.
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
import threading

from prometheus_client import Histogram

TIMEOUT = 15.0        # seconds, as PRAGMA busy_timeout
_KEY = "catalog_sqlite_writer"  # connection.info: the queue whose turn this connection holds
# In /metrics (web processes): how long writes wait for the database; a p95 near a second says
# the install has outgrown one SQLite file (README, "Operations").
WAIT = Histogram("catalog_sqlite_write_wait_seconds", "Time a write transaction waited for SQLite's write lock",
                 buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15), registry=None)


class WriterQueue:
    """The turn to write on one database file, for the threads and processes that use it."""

    def __init__(self, database: str) -> None:
        self.lock_path = f"{database}-writers.lock"
        self._thread_lock = threading.Lock()
        self._fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)

    def acquire(self, timeout: float = TIMEOUT) -> None:
        """Wait for the turn; raises sqlite3.OperationalError('database is locked') when the
        threads of this process ahead in the queue take longer than `timeout`."""
        if not self._thread_lock.acquire(timeout=timeout):
            raise sqlite3.OperationalError("database is locked")
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX)  # in the kernel, without the GIL: see the module's note
        except BaseException:
            self._thread_lock.release()
            raise

    def release(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._thread_lock.release()


_queues: dict[str, WriterQueue] = {}
_queues_lock = threading.Lock()


def _forget_parents_queues() -> None:
    """In a child process (gunicorn forks its workers): the parent's locks and files are its own.
    The child's copies of the files are closed; a lock the parent held stays held by the parent."""
    global _queues, _queues_lock
    for queue in _queues.values():
        os.close(queue._fd)
    _queues, _queues_lock = {}, threading.Lock()


os.register_at_fork(after_in_child=_forget_parents_queues)


def queue_for(database: str | None) -> WriterQueue | None:
    """The queue of a database file; None for an in-memory database (one connection, no rivals)."""
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    path = os.path.abspath(database)
    with _queues_lock:
        if path not in _queues:
            _queues[path] = WriterQueue(path)
        return _queues[path]


def take_turn(conn, database: str | None) -> None:
    """Before BEGIN IMMEDIATE on `conn` (a SQLAlchemy connection): wait for this writer's turn."""
    queue = queue_for(database)
    if queue is not None:
        queue.acquire()
        conn.info[_KEY] = queue


def end_turn(info: dict) -> None:
    """The transaction on the connection owning `info` ended: the next writer's turn."""
    queue = info.pop(_KEY, None)
    if queue is not None:
        queue.release()
