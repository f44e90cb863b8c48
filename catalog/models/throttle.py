"""Failed sign-in counters, kept in the database so that every worker process sees them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class LoginThrottle(db.Model):
    __tablename__ = "login_throttle"

    # sha256 of "pair:<email>|<addr>" or "ip:<addr>" (catalog/services/accounts/throttle.py)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime())
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
