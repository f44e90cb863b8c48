"""The audit feed of the API: every event's chain fields for anyone, private data only for auditors."""
from __future__ import annotations

import json
from typing import Any

from ...extensions import db
from ...models import App, AppState, AuditEvent, User
from .. import audit
from ..permissions import auditor_province_id, is_admin, is_auditor

PUBLIC_APP_STATES = (AppState.PUBLISHED.value, AppState.ARCHIVED.value)
REDACTED_OBJECT = "redacted"


def sees_everything(actor: User | None) -> bool:
    """Admins and national auditors read events as stored; everyone else the public view."""
    return is_admin(actor) or (is_auditor(actor) and auditor_province_id(actor) is None)


def _public_slugs(events: list[AuditEvent]) -> set[str]:
    slugs = {e.object_id for e in events if e.object_type == "app"}
    if not slugs:
        return set()
    stmt = db.select(App.slug).where(App.slug.in_(slugs), App.state.in_(PUBLIC_APP_STATES))
    return set(db.session.execute(stmt).scalars())


def _item(ev: AuditEvent, data: dict[str, Any], obj: str, redacted: bool) -> dict[str, Any]:
    item = {"seq": ev.seq, "at": ev.at.isoformat(timespec="microseconds"), "actor": ev.actor,
            "action": ev.action, "object": obj, "data": data, "prev_hash": ev.prev_hash, "hash": ev.hash}
    if redacted:
        item["redacted"] = True
    return item


def feed(*, actor: User | None, after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    """Events after `after`, oldest first.

    The public view keeps every event's seq, prev_hash and hash, so anyone can follow the links
    and compare a checkpoint; but it withholds (and marks `redacted`) what the catalog does not
    publish: the object and data of events about an entry that is not published (a draft's name),
    and the unsalted `*_sha256` digests of events written before digests were keyed (see
    audit.private_digest). A redacted event cannot be re-hashed from the feed: that check is the
    auditors' (`flask catalog audit-verify`, or this feed read with an admin's or national
    auditor's token, which shows events exactly as stored)."""
    events = audit.list_events(after=after, limit=limit)
    if sees_everything(actor):
        return [_item(e, json.loads(e.data), f"{e.object_type}:{e.object_id}", False) for e in events]
    public_slugs = _public_slugs(events)
    items = []
    for ev in events:
        data = json.loads(ev.data)
        if ev.object_type == "app" and ev.object_id not in public_slugs:
            items.append(_item(ev, {}, f"app:{REDACTED_OBJECT}", True))
            continue
        legacy = [k for k in data if k.endswith(audit.LEGACY_DIGEST_SUFFIX)]
        for key in legacy:
            data[key] = None
        items.append(_item(ev, data, f"{ev.object_type}:{ev.object_id}", bool(legacy)))
    return items
