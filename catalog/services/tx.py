"""Transaction helpers: one write transaction per service call."""
from __future__ import annotations

from ..extensions import db, sqlite_write_intent


def begin_write() -> None:
    """Start the service's write transaction.

    On SQLite a reader that later writes can fail with SQLITE_BUSY when another writer
    committed in between; starting with BEGIN IMMEDIATE makes writers queue instead.
    Whatever the request read before is committed (it wrote nothing) and reloads lazily.
    """
    session = db.session()
    if db.engine.dialect.name != "sqlite":
        return
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            return
        session.commit()
    token = sqlite_write_intent.set(True)
    try:
        session.connection()
    finally:
        sqlite_write_intent.reset(token)
