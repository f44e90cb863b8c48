"""The demo's clock: the seed acts through the real services, which stamp rows and audit events
with "now"; the demo tells two years of history, so each step runs at the moment of the story.

Only the seed uses this, before any request is served. It swaps the `utcnow` that catalog modules
imported from catalog.models.types, and stamps the datetime columns that SQLAlchemy fills by
default (created_at, a notification's time), so that audit trail, deployment history, fork
dates and git commit dates tell one story.
"""
from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import event
from sqlalchemy.orm.attributes import flag_modified

from catalog.extensions import db
from catalog.models import types

WIB = timedelta(hours=7)


def at(day: str, hour: int = 9, minute: int = 0) -> datetime:
    """A moment of the story, written as a WIB office time ("2025-03-04", 10) and kept in UTC."""
    local = datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=UTC)
    return local - WIB


def git_time(moment: datetime) -> str:
    """The same moment for git (fast-import): seconds since the epoch and the WIB offset."""
    return f"{int(moment.timestamp())} +0700"


_found: tuple[int, list] = (-1, [])


def _catalog_modules() -> list:
    """The catalog modules that imported `utcnow`; looked up again only when modules were added
    since the last step (a service imports another lazily), not at each of the story's steps."""
    global _found
    if _found[0] != len(sys.modules):
        original = types.utcnow
        _found = (len(sys.modules), [module for name, module in list(sys.modules.items())
                                     if name.startswith("catalog") and getattr(module, "utcnow", None) is original])
    return _found[1]


def _stamp_defaults(moment: datetime):
    def stamp(session, _context, _instances) -> None:
        for obj in list(session.new) + list(session.dirty):
            table = getattr(obj, "__table__", None)
            if table is None:
                continue
            for column in table.columns:
                if not isinstance(column.type, types.UTCDateTime):
                    continue
                key = column.key
                if obj in session.new and column.default is not None and getattr(obj, key, None) is None:
                    setattr(obj, key, moment)
                elif obj in session.dirty and column.onupdate is not None and session.is_modified(obj):
                    # flagged even when unchanged (two steps at one moment): otherwise the
                    # column's onupdate would stamp the real clock's time instead of the story's
                    setattr(obj, key, moment)
                    flag_modified(obj, key)
    return stamp


@contextmanager
def story_time(moment: datetime) -> Iterator[datetime]:
    """Run the block as if it were `moment` (UTC) for every catalog service and default."""
    modules = _catalog_modules()
    original = types.utcnow
    for module in modules:
        module.utcnow = lambda: moment
    listener = _stamp_defaults(moment)
    event.listen(db.session, "before_flush", listener)
    try:
        yield moment
    finally:
        event.remove(db.session, "before_flush", listener)
        for module in modules:
            module.utcnow = original
