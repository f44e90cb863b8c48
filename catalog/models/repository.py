"""Source repositories: the upstream mirror of each app, its releases, and regional forks."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .app import App
from .organization import Organization
from .types import JSONList, UTCDateTime, utcnow


class MirrorState(str, enum.Enum):
    QUEUED = "queued"
    FETCHING = "fetching"
    READY = "ready"
    FAILED = "failed"


class Mirror(db.Model):
    """The catalog's bare copy of an app's upstream repository (read-only over HTTP)."""

    __tablename__ = "mirror"

    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("app.id"), unique=True)
    relpath: Mapped[str] = mapped_column(String(200), unique=True)
    state: Mapped[str] = mapped_column(String(16), default=MirrorState.QUEUED.value)
    progress: Mapped[int] = mapped_column(default=0)
    progress_text: Mapped[str] = mapped_column(String(200), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    head: Mapped[str | None] = mapped_column(String(40))
    default_branch: Mapped[str | None] = mapped_column(String(200))
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    readme: Mapped[str] = mapped_column(Text, default="")
    publiccode_yml: Mapped[str] = mapped_column(Text, default="")
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    app: Mapped[App] = relationship(backref=db.backref("mirror", uselist=False, lazy="select"))


class Release(db.Model):
    """A tag of the upstream repository."""

    __tablename__ = "release"
    __table_args__ = (UniqueConstraint("app_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("app.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    commit: Mapped[str] = mapped_column(String(40))
    date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    message: Mapped[str] = mapped_column(Text, default="")


class Fork(db.Model):
    """A region's own copy of an app, sharing objects with the upstream mirror."""

    __tablename__ = "fork"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("app.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    relpath: Mapped[str] = mapped_column(String(200), unique=True)
    default_branch: Mapped[str] = mapped_column(String(200))
    base_commit: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Divergence from upstream, stored so that pages never run git for lists.
    ahead: Mapped[int] = mapped_column(default=0)
    behind: Mapped[int] = mapped_column(default=0)
    merge_base: Mapped[str | None] = mapped_column(String(40))
    files_changed: Mapped[int] = mapped_column(default=0)
    insertions: Mapped[int] = mapped_column(default=0)
    deletions: Mapped[int] = mapped_column(default=0)
    files_differing_from_upstream: Mapped[int] = mapped_column(default=0)
    upstream_head: Mapped[str | None] = mapped_column(String(40))
    fork_head: Mapped[str | None] = mapped_column(String(40))
    own_commits: Mapped[list] = mapped_column(JSONList, default=list)
    releases_since_base: Mapped[list] = mapped_column(JSONList, default=list)
    # Commits of the fork that upstream holds too (same patch-id): no longer the region's own
    # modifications; each {sha, summary, upstream_sha, release} (release: first tag holding it).
    upstreamed_commits: Mapped[list] = mapped_column(JSONList, default=list, server_default="[]")
    divergence_error: Mapped[str] = mapped_column(Text, default="")
    # The counts above are newer than merge_base, own commits and releases: the details job is due.
    details_pending: Mapped[bool] = mapped_column(default=False, server_default=false())
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # selectin: a joined app repeats (and decodes) its JSON columns on every fork row.
    app: Mapped[App] = relationship(lazy="selectin")
    organization: Mapped[Organization] = relationship(lazy="joined")
