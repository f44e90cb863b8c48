"""Deployments: where an organization runs an app, its lifecycle, confirmation and history."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..vocab.deployments import NEXT_STATUSES
from .app import App
from .organization import Organization
from .repository import Fork
from .types import JSONList, UTCDateTime, utcnow
from .user import User


class Deployment(db.Model):
    """One running (or planned) copy of an app in an organization, from upstream or its fork."""

    __tablename__ = "deployment"
    # The public list is newest change first, whole or by status: both read an index in order
    # and stop after one page instead of sorting every deployment.
    __table_args__ = (Index("ix_deployment_org_app", "organization_id", "app_id"),
                      Index("ix_deployment_updated", "updated_at", "id"),
                      Index("ix_deployment_status_updated", "status", "updated_at", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("app.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    fork_id: Mapped[int | None] = mapped_column(ForeignKey("fork.id"), index=True)
    environment: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[str] = mapped_column(String(200))
    version_commit: Mapped[str | None] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(500), default="")
    hosting: Mapped[str] = mapped_column(String(32))
    opd_units: Mapped[list] = mapped_column(JSONList, default=list)
    go_live_on: Mapped[date | None] = mapped_column(Date, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Two-sided confirmation of the current status and version, by the publisher or an auditor.
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    confirmed_role: Mapped[str | None] = mapped_column(String(16))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Version lag, stored when the version is recorded or upstream refreshes; never per page view.
    lag_releases: Mapped[int | None] = mapped_column()
    lag_commits: Mapped[int | None] = mapped_column()
    lag_latest_release: Mapped[str | None] = mapped_column(String(200))
    lag_computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What the running system reported about itself (issue 19): the last accepted heartbeat's
    # time and version. "Observed" evidence means last_seen_at within the last 30 days.
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    observed_version: Mapped[str | None] = mapped_column(String(200))
    observed_url: Mapped[str | None] = mapped_column(String(500))
    observed_info: Mapped[str | None] = mapped_column(Text)  # JSON text of the instance facts
    # Release lag of the reported version, computed by a job when the reported version changes.
    observed_lag_releases: Mapped[int | None] = mapped_column()
    observed_lag_commits: Mapped[int | None] = mapped_column()
    # The deployment's one heartbeat token: SHA-256 of the plain token (shown once), looked up
    # by a unique index so that each heartbeat costs one indexed read and one row update.
    heartbeat_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    heartbeat_token_prefix: Mapped[str | None] = mapped_column(String(16))
    heartbeat_token_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Beats since the last daily audit summary, and when the first of them arrived.
    heartbeat_beats: Mapped[int] = mapped_column(default=0, server_default="0")
    heartbeat_beats_since: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # selectin, not joined: a page of deployments names a few apps and confirmers many times
    # over; a join repeats (and decodes) every app's JSON columns per row, 29 ms for 50 rows.
    app: Mapped[App] = relationship(lazy="selectin")
    organization: Mapped[Organization] = relationship(lazy="joined")
    fork: Mapped[Fork | None] = relationship(lazy="selectin")
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id], lazy="selectin")

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def confirmer_org_name(self) -> str | None:
        """The organization of whoever confirmed, as the pages name it (a `DeploymentRow` reads it
        as a column)."""
        return self.confirmed_by.organization.name if self.confirmed_by else None

    def can_move_to(self, status: str) -> bool:
        return status in NEXT_STATUSES.get(self.status, ())

    def __repr__(self) -> str:
        return f"<Deployment {self.id} app={self.app_id} org={self.organization_id} {self.status}>"


class DeploymentEvent(db.Model):
    """One change of a deployment: who, when, what (status, version, a field), from → to, note."""

    __tablename__ = "deployment_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployment.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(24))
    field: Mapped[str] = mapped_column(String(32), default="")
    from_value: Mapped[str] = mapped_column(Text, default="")
    to_value: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[User | None] = relationship(lazy="joined")
