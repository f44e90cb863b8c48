"""Search-index changes waiting to be applied, written in the same transaction as the change.

Append-only from the writers' side: a change INSERTs a row and never reads or updates one, since
the worker may delete any row at any moment (a read-modify-update of a row the worker has just
deleted failed with StaleDataError on PostgreSQL). An app may appear several times; the worker
applies it once and deletes exactly the rows it saw.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class IndexOutbox(db.Model):
    __tablename__ = "index_outbox"
    __table_args__ = (Index("ix_index_outbox_app_id", "app_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int]
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
