"""One row per sign-in: what the account page lists as a session, and what "end" ends."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class UserSession(db.Model):
    """The cookie carries the session id (`sid`); only its digest is kept here, the same digest
    that users.end_session() remembers, so that ending this row ends the cookie."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    sid_digest: Mapped[str] = mapped_column(String(32), unique=True)
    # the account's session_version at sign-in: a later "sign out everywhere" (or deactivation,
    # or a password change) bumps it and so ends this row too, without touching it
    session_version: Mapped[int] = mapped_column(default=1)
    method: Mapped[str] = mapped_column(String(16))  # password | sso
    device: Mapped[str] = mapped_column(String(120), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
