"""The nodes whose search index follows the change log, and how far each one has applied it.

Each node's follower reports here (`services/catalog/index_follower.py`); pruning keeps every
change that a live node has not applied yet, and `catalog fsck` shows each node's lag. The
node's own truth is the position file in its index directory; this row may lag behind it,
never run ahead of it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class IndexNode(db.Model):
    __tablename__ = "index_node"

    node_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    # every change at or below this id is in the node's index (or never committed)
    applied_id: Mapped[int] = mapped_column(default=0)
    high_id: Mapped[int] = mapped_column(default=0)  # the newest change applied
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    rebuilt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
