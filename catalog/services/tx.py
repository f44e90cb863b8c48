"""Transaction helpers: one write transaction per service call."""
from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import inspect

from ..extensions import db, sqlite_write_intent

log = logging.getLogger(__name__)
_ACTIVE = "catalog_write_op"  # session.info: the write() block this session is in


def begin_write(reread: Collection[object] = ()) -> None:
    """Start the service's write transaction.

    On SQLite a reader that later writes can fail with SQLITE_BUSY when another writer
    committed in between; starting with BEGIN IMMEDIATE makes writers queue instead.
    Whatever the request read before is committed (it wrote nothing) and reloads lazily,
    or, given `reread`, only those rows are read again (locked on PostgreSQL) and the rest
    is kept as read.
    """
    session = db.session()
    if db.engine.dialect.name == "sqlite":
        _begin_immediate(session, expire=not reread)
    for obj in reread:  # its columns only: the rows it points to stay as loaded
        session.refresh(obj, [column.key for column in inspect(obj).mapper.column_attrs], with_for_update=True)


def _begin_immediate(session, *, expire: bool) -> None:
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            return
        _commit(session, expire=expire)
    token = sqlite_write_intent.set(True)
    try:
        session.connection()
    finally:
        sqlite_write_intent.reset(token)


class WriteOp:
    """What a `write()` block can ask for besides its rows: undo steps outside the database."""

    def __init__(self) -> None:
        self._undo: list[tuple[Callable[..., Any], tuple, dict]] = []
        self._done: list[tuple[Callable[..., Any], tuple, dict]] = []

    def on_rollback(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run `callback(*args, **kwargs)` if the operation fails after this point (e.g. remove
        a repository made on disk, so that none is left without its row)."""
        self._undo.append((callback, args, kwargs))

    def after_commit(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run `callback(*args, **kwargs)` once the operation has committed, never after a
        rollback (e.g. rewrite a file outside the database that must follow the committed rows).
        A failing callback is logged, not raised: the rows are in, and fsck finds the file."""
        if (callback, args, kwargs) not in self._done:
            self._done.append((callback, args, kwargs))

    def _run_after_commit(self) -> None:
        for callback, args, kwargs in self._done:
            try:
                callback(*args, **kwargs)
            except Exception:  # noqa: BLE001 - the operation itself succeeded
                log.exception("after-commit step %r failed", callback)

    def _run_undo(self) -> None:
        for callback, args, kwargs in reversed(self._undo):  # newest first, as it was built
            try:
                callback(*args, **kwargs)
            except Exception:  # noqa: BLE001 - the operation's own error is the one to raise
                log.exception("undo step %r of a failed write failed", callback)


@contextmanager
def write(*, keep_loaded: bool = False, reread: Collection[object] = ()) -> Iterator[WriteOp]:
    """One write operation: `begin_write()` on entry, one commit on leaving the block, then the
    after-commit steps; on any exception (the commit's included) a rollback, then the undo steps,
    then the exception again.

    A block entered inside another joins it: one transaction, committed or rolled back (with
    every undo step) by the outermost block.

    keep_loaded: the commit does not expire what the block loaded, for a service whose caller
    answers with the rows it just wrote (they hold what was committed). Expiring them made the
    answer of a deployment write reload the row and its four relationships, about a third of
    that request's CPU (bench/bench_request_cpu.py, "API deployment status write").

    reread: the rows the block changes, loaded and checked before it, so that on SQLite the one
    writer's lock is not held while they load; they alone are read again inside the block, and
    what else the request loaded is kept as read: only for blocks that change no other row they
    loaded (new rows, such as events, are fine).
    """
    session = db.session()
    outer = session.info.get(_ACTIVE)
    if outer is not None:
        yield outer
        return
    begin_write(reread)
    op = session.info[_ACTIVE] = WriteOp()
    try:
        yield op
        _commit(session, expire=not keep_loaded)
    except BaseException:
        db.session.rollback()
        op._run_undo()
        raise
    finally:
        session.info.pop(_ACTIVE, None)
    op._run_after_commit()


def _commit(session, *, expire: bool) -> None:
    default = session.expire_on_commit
    session.expire_on_commit = expire and default
    try:
        session.commit()
    finally:
        session.expire_on_commit = default
