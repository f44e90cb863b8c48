"""The vitality index of an app: one row per app, written by the worker, read by lists and pages.

Stored rather than computed per view: it needs git history of the mirror and of every fork.
The score column is indexed so that "paling hidup" and "vitalitas minimal" are index reads.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .app import App
from .types import UTCDateTime


class AppVitality(db.Model):
    """Score 0–100, the facts and points behind it, and commits per month for a sparkline."""

    __tablename__ = "app_vitality"
    __table_args__ = (Index("ix_app_vitality_score", "score", "app_id"),)

    app_id: Mapped[int] = mapped_column(ForeignKey("app.id", ondelete="CASCADE"), primary_key=True)
    score: Mapped[int] = mapped_column()
    components: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    # [{"month": "2026-07", "commits": 3}, ...] oldest first, six calendar months.
    series: Mapped[list] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    error: Mapped[str] = mapped_column(Text, default="", server_default="")

    app: Mapped[App] = relationship(backref=db.backref("vitality", uselist=False, lazy="select",
                                                       passive_deletes=True))
