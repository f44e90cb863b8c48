"""GET /api/v1/audit/events: anyone can re-check the chain."""
from __future__ import annotations

import json

from ...services import audit
from .blueprint import bp
from .common import int_arg


@bp.get("/audit/events")
def audit_events():
    after, limit = int_arg("after", 0, low=0, high=2**62), int_arg("limit", 100, high=1000)
    events = audit.list_events(after=after, limit=limit)
    items = [{"seq": e.seq, "at": e.at.isoformat(timespec="microseconds"), "actor": e.actor,
              "action": e.action, "object": f"{e.object_type}:{e.object_id}", "data": json.loads(e.data),
              "prev_hash": e.prev_hash, "hash": e.hash} for e in events]
    return {"items": items, "next_after": items[-1]["seq"] if items else after}
