"""SQLite writers wait in a queue for the database's write lock (catalog/sqlite_writers.py):
every write from several processes and threads commits, a writer killed in its transaction does
not stop the next, a transaction that ends in any way gives its turn back, and a thread that waits
behind its own process's writer past the limit is told the database is locked, as SQLite's own
busy timeout would tell it."""
from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from catalog import sqlite_writers
from catalog.extensions import db
from catalog.models import LoginThrottle
from catalog.models.types import utcnow
from catalog.services.tx import write
from tests.conftest import TEST_DB_URL

pytestmark = pytest.mark.skipif(bool(TEST_DB_URL), reason="the queue is for SQLite's one writer")

# A process of its own on the test's database: `writes` transactions that each add a row and
# bump a shared counter row (read, then write: a lost turn would lose an increment), or, with
# `hold`, one transaction that says so and then waits to be killed.
WRITER = textwrap.dedent("""
    import sys, time
    from catalog import create_app
    from catalog.extensions import db
    from catalog.models import LoginThrottle
    from catalog.models.types import utcnow
    from catalog.services.tx import write

    data, name, writes = sys.argv[1], sys.argv[2], int(sys.argv[3])
    app = create_app({"DATA_DIR": data, "SECRET_KEY": "t", "ENV_NAME": "testing",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{data}/catalog.sqlite3"})
    with app.app_context():
        for i in range(writes):
            with write():
                db.session.add(LoginThrottle(key=f"{name}-{i}", window_start=utcnow(), failures=1))
                counter = db.session.get(LoginThrottle, "counter")
                counter.failures += 1
                if name == "hold":
                    print("holding", flush=True)
                    time.sleep(600)
""")


def _writer(app, name: str, writes: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, app.config["DATA_DIR"], name, str(writes)],
                            stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])


def _database(app) -> str:
    return str(Path(app.config["DATA_DIR"]) / "catalog.sqlite3")


def _add_counter() -> None:
    with write():
        db.session.add(LoginThrottle(key="counter", window_start=utcnow(), failures=0))


def _counted() -> int:
    db.session.rollback()
    return db.session.get(LoginThrottle, "counter").failures


def test_writers_in_several_processes_and_threads_all_commit(app):
    _add_counter()
    procs = [_writer(app, f"p{n}", 40) for n in range(3)]

    def here(name: str) -> None:
        with app.app_context():
            for i in range(40):
                with write():
                    db.session.add(LoginThrottle(key=f"{name}-{i}", window_start=utcnow(), failures=1))
                    db.session.get(LoginThrottle, "counter").failures += 1
            db.session.remove()

    threads = [threading.Thread(target=here, args=(f"t{n}",)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert [p.wait(120) for p in procs] == [0, 0, 0]
    assert _counted() == 6 * 40
    assert db.session.query(LoginThrottle).count() == 6 * 40 + 1


def test_a_writer_killed_inside_its_transaction_does_not_stop_the_next(app):
    _add_counter()
    holder = _writer(app, "hold", 1)
    done = threading.Event()

    def next_writer() -> None:
        with app.app_context():
            with write():
                db.session.get(LoginThrottle, "counter").failures += 1
            db.session.remove()
        done.set()

    waiting = threading.Thread(target=next_writer)
    try:
        assert holder.stdout.readline().strip() == "holding"
        waiting.start()
        assert not done.wait(1.0)  # in the queue behind the holder (who holds for ten minutes)
        holder.send_signal(signal.SIGKILL)
        holder.wait(30)
    finally:
        holder.kill()
    assert done.wait(30)  # the kernel gave the dead writer's turn to the next
    waiting.join(30)
    assert _counted() == 1  # the killed writer's increment never committed


def test_a_transaction_gives_its_turn_back_however_it_ends(app):
    queue = sqlite_writers.queue_for(_database(app))
    with pytest.raises(LookupError):
        with write():
            db.session.add(LoginThrottle(key="gone", window_start=utcnow(), failures=1))
            raise LookupError
    queue.acquire(timeout=1)  # free after the rollback
    queue.release()
    with write():
        db.session.add(LoginThrottle(key="kept", window_start=utcnow(), failures=1))
    queue.acquire(timeout=1)  # free after the commit
    queue.release()
    assert db.session.get(LoginThrottle, "kept") is not None
    assert db.session.get(LoginThrottle, "gone") is None


def test_a_thread_waiting_past_the_limit_is_told_the_database_is_locked(app):
    queue = sqlite_writers.queue_for(_database(app))
    queue.acquire()
    try:
        failed = []

        def other() -> None:
            try:
                queue.acquire(timeout=0.2)
                queue.release()
            except sqlite3.OperationalError as exc:
                failed.append(str(exc))

        waiter = threading.Thread(target=other)
        waiter.start()
        waiter.join(30)
        assert failed == ["database is locked"]
    finally:
        queue.release()
