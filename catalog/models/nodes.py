"""Rows that let several web nodes and job workers share what one process used to keep alone."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class PeriodicClaim(db.Model):
    """One row per periodic job and minute it was scheduled for: every worker's scheduler
    enqueues each periodic job, and only the worker whose INSERT succeeds runs it
    (catalog/jobs/queue.py)."""

    __tablename__ = "periodic_claim"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # minutes since 1970 (UTC)
    node: Mapped[str] = mapped_column(String(100), default="")
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
