"""Two-factor sign-in: a person's TOTP secret and their one-time recovery codes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class TwoFactor(db.Model):
    """At most one per account. Until `confirmed_at` is set (the first correct code) it is an
    enrolment in progress and does not guard sign-in."""

    __tablename__ = "two_factor"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    # the base32 secret, encrypted with a key derived from SECRET_KEY (services/accounts/two_factor.py)
    secret: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the 30-second step of the last accepted code: a code is never accepted twice
    last_step: Mapped[int] = mapped_column(default=0)
    # wrong codes in the current window, for this account from any address (see the service)
    failures: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RecoveryCode(db.Model):
    """A one-time code for when the authenticator is lost: shown once, only its SHA-256 kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
