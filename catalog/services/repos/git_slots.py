"""At most GIT_MAX_PER_CLIENT running git processes per client address, across every web node.

A count kept in process memory would hold per process: with several gunicorn workers on several
nodes an address could hold limit × processes. Here each running `git http-backend` is a row
(`git_client_slot`), taken in a short transaction that first serialises on the address (an
advisory transaction lock on PostgreSQL, BEGIN IMMEDIATE on SQLite) and counts the address's
live rows. A row names its node and process and expires when git would have been killed
(GIT_HTTP_TIMEOUT, plus a margin); a slot left by a process that died without releasing it is
freed early when it belongs to this node and its process is gone, or at its expiry otherwise.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, text
from sqlalchemy.engine import Engine

from ...extensions import db, sqlite_write_intent
from ...jobs.queue import node_name
from ...models import GitClientSlot
from ...models.types import utcnow

EXPIRY_MARGIN = timedelta(seconds=60)
log = logging.getLogger(__name__)


def _client_key(address: str) -> str:
    return hashlib.sha256(f"git-client:{address or '-'}".encode()).hexdigest()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process holds the number: alive
        return True
    return True


class SharedClientSlots:
    """`vcs.http.ClientSlots`, counted in the database every node shares."""

    def __init__(self, engine: Engine, limit: int, lifetime: float, node: str) -> None:
        self.limit, self.engine, self.node = int(limit), engine, node
        self.lifetime = timedelta(seconds=float(lifetime)) + EXPIRY_MARGIN

    def _begin(self):
        token = sqlite_write_intent.set(True)  # SQLite: BEGIN IMMEDIATE, writers queue
        try:
            conn = self.engine.connect()
            conn.begin()
        finally:
            sqlite_write_intent.reset(token)
        if conn.dialect.name == "postgresql":
            # A slot row lost in a crash only holds until it expires: its two commits per git
            # request need not wait for the WAL to reach the disk.
            conn.execute(text("SET LOCAL synchronous_commit TO OFF"))
        return conn

    def held(self, address: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(db.select(func.count()).select_from(GitClientSlot).where(
                GitClientSlot.client == _client_key(address), GitClientSlot.expires_at > utcnow())).scalar_one()

    def acquire(self, address: str) -> Callable[[], None] | None:
        if self.limit <= 0:
            return lambda: None
        client, now, pid = _client_key(address), utcnow(), os.getpid()
        conn = self._begin()
        try:
            if conn.dialect.name == "postgresql":
                key = int.from_bytes(bytes.fromhex(client)[:8], "big", signed=True)
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
            rows = conn.execute(db.select(GitClientSlot.id, GitClientSlot.node, GitClientSlot.pid,
                                          GitClientSlot.expires_at)
                                .where(GitClientSlot.client == client)).all()
            gone = [r.id for r in rows if r.expires_at <= now
                    or (r.node == self.node and r.pid != pid and not _pid_alive(r.pid))]
            if gone:
                conn.execute(db.delete(GitClientSlot).where(GitClientSlot.id.in_(gone)))
            if len(rows) - len(gone) >= self.limit:
                conn.commit()
                return None
            slot_id = conn.execute(db.insert(GitClientSlot).values(
                client=client, node=self.node, pid=pid, expires_at=now + self.lifetime)
                .returning(GitClientSlot.id)).scalar_one()
            conn.commit()
        finally:
            conn.close()
        return self._releaser(slot_id)

    def _releaser(self, slot_id: int) -> Callable[[], None]:
        released = threading.Event()

        def release() -> None:  # may run in another thread, after the request has ended
            if released.is_set():
                return
            released.set()
            try:
                conn = self._begin()
                try:
                    conn.execute(db.delete(GitClientSlot).where(GitClientSlot.id == slot_id))
                    conn.commit()
                finally:
                    conn.close()
            except Exception:  # the row then holds until it expires; the response is not affected
                log.exception("git slot %s could not be released", slot_id)
        return release


def client_slots() -> SharedClientSlots:
    """This app's slots (one object per app; the rows are what is shared)."""
    app = current_app._get_current_object()
    slots = app.extensions.get("git_client_slots")
    if slots is None:
        slots = app.extensions.setdefault("git_client_slots", SharedClientSlots(
            db.engine, app.config["GIT_MAX_PER_CLIENT"], app.config["GIT_HTTP_TIMEOUT"], node_name(app)))
    return slots
