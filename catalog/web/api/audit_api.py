"""GET /api/v1/audit/events: anyone can follow the chain; auditors read it as stored."""
from __future__ import annotations

from ...services.oversight import audit_feed
from .blueprint import bp
from .common import api_actor, int_arg


@bp.get("/audit/events")
def audit_events():
    after, limit = int_arg("after", 0, low=0, high=2**62), int_arg("limit", 100, high=1000)
    items = audit_feed.feed(actor=api_actor(), after=after, limit=limit)
    return {"items": items, "next_after": items[-1]["seq"] if items else after}
