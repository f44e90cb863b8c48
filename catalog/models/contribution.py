"""Contributions ("usulan perubahan"): commits a region offers from its fork back to the app's upstream."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .app import App
from .repository import Fork
from .types import JSONList, UTCDateTime, utcnow


class ContributionState(str, enum.Enum):
    OPEN = "open"
    ACCEPTED = "accepted"  # the publisher takes it; it closes as merged once upstream holds it
    DECLINED = "declined"
    MERGED = "merged"  # upstream holds equivalent commits (same patch-id)


class Contribution(db.Model):
    """One offer of a fork's commits to its app's upstream, tied to the upstream revision it was
    made against. `commits` keeps, oldest first, {sha, summary, author, date, note} of each
    offered commit (`note` is the region's reason, shown to the publisher)."""

    __tablename__ = "contribution"
    __table_args__ = (Index("ix_contribution_app_state", "app_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("app.id"))
    fork_id: Mapped[int] = mapped_column(ForeignKey("fork.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default=ContributionState.OPEN.value)
    commits: Mapped[list] = mapped_column(JSONList, default=list)
    upstream_commit: Mapped[str] = mapped_column(String(40))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(Text, default="")
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    merged_release: Mapped[str] = mapped_column(String(200), default="")

    app: Mapped[App] = relationship(lazy="joined")
    fork: Mapped[Fork] = relationship(lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.state == ContributionState.OPEN.value


class AppHotspots(db.Model):
    """What the forks of one app change in common, computed by the worker (never by a page):
    `files` [{path, forks: [fork ids]}], `common_changes` [{patch_id, summary, commits:
    [{fork, sha}], forks: [fork ids]}]. `partial` when the time budget ran out first."""

    __tablename__ = "app_hotspots"

    app_id: Mapped[int] = mapped_column(ForeignKey("app.id"), primary_key=True, autoincrement=False)
    files: Mapped[list] = mapped_column(JSONList, default=list)
    common_changes: Mapped[list] = mapped_column(JSONList, default=list)
    forks_scanned: Mapped[int] = mapped_column(default=0)
    partial: Mapped[bool] = mapped_column(default=False)
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
