"""The search index's change log: one row per change of an app, written in the same transaction.

Append-only: writers only INSERT (never read and update a row), and no follower deletes what it
applied, since every node's index follows the same log (`services/catalog/index_follower.py`).
Rows go only when every live node is past them (pruning), which then records how far it went in
`IndexChangePruned`, so a node that was away longer can tell that it missed rows and rebuild.

SQLite needs AUTOINCREMENT here: without it a new row may take the id of pruned ones, and a node
that had applied that id would skip the new change. PostgreSQL's sequence never goes back (but
may commit out of order, which the follower allows for).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class IndexChange(db.Model):
    __tablename__ = "index_change"
    __table_args__ = (Index("ix_index_change_app_id", "app_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int]
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IndexChangePruned(db.Model):
    """One row: every change with an id at or below `through_id` has been deleted."""
    __tablename__ = "index_change_pruned"

    id: Mapped[int] = mapped_column(primary_key=True)
    through_id: Mapped[int] = mapped_column(default=0)
    pruned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


