"""Search-index changes waiting to be applied, written in the same transaction as the change."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class IndexOutbox(db.Model):
    __tablename__ = "index_outbox"

    app_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
