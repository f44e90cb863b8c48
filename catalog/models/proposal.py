"""Changes harvested from an upstream publiccode.yml, waiting for the publisher's decision."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .app import App
from .types import JSONList, UTCDateTime, utcnow


class ProposalStatus(str, enum.Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # a newer file arrived before anyone decided


class Proposal(db.Model):
    """`changes` is a list of {field, current, proposed} (field is an app field or `extras.<key>`);
    `errors`/`warnings` are {path, message} items of the harvested file."""

    __tablename__ = "publiccode_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("app.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True, default=ProposalStatus.PENDING.value)
    source_head: Mapped[str | None] = mapped_column(String(40))
    changes: Mapped[list] = mapped_column(JSONList, default=list)
    extras: Mapped[dict] = mapped_column(JSON, default=dict)
    errors: Mapped[list] = mapped_column(JSONList, default=list)
    warnings: Mapped[list] = mapped_column(JSONList, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(Text, default="")

    app: Mapped[App] = relationship(lazy="joined")

    @property
    def pending(self) -> bool:
        return self.status == ProposalStatus.PENDING.value
