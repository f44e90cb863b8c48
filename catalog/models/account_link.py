"""One-time links sent by e-mail: invitations (72 h) and password resets (1 h)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow
from .user import User


class LinkKind(str, enum.Enum):
    INVITE = "invite"
    RESET = "reset"


class AccountLink(db.Model):
    """Only the SHA-256 of the link's secret is kept; the secret itself exists only in the e-mail.
    A link ends when used, when a later link of its kind is sent, or when the password changes."""

    __tablename__ = "account_link"
    __table_args__ = (Index("ix_account_link_user_kind", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(8))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined")

    def usable(self, now: datetime | None = None) -> bool:
        return self.used_at is None and self.revoked_at is None and (now or utcnow()) < self.expires_at
