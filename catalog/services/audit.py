"""Append events to the hash-chained audit trail and verify the chain."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text

from ..extensions import db
from ..models import AuditEvent, AuditHead, User
from ..models.audit import GENESIS_HASH
from ..models.types import MAX_DB_ID, utcnow

SYSTEM_ACTOR = "system"


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_payload(seq: int, at: datetime, actor: str, action: str, object_type: str,
                  object_id: str, data: str) -> dict[str, Any]:
    return {
        "seq": seq, "at": at.isoformat(timespec="microseconds"), "actor": actor, "action": action,
        "object": f"{object_type}:{object_id}", "data": json.loads(data),
    }


def chain_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(payload)).encode()).hexdigest()


def _lock_head() -> AuditHead:
    """Serialise appenders: an advisory lock on PostgreSQL, BEGIN IMMEDIATE already on SQLite."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(7261001)"))
    head = db.session.get(AuditHead, 1, with_for_update=True, populate_existing=True)
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS_HASH)
        db.session.add(head)
        db.session.flush()
    return head


def record(actor: User | None, action: str, object_type: str, object_id: Any,
           data: dict[str, Any] | None = None) -> AuditEvent:
    """Append one event in the caller's transaction; the caller commits."""
    head = _lock_head()
    seq = head.seq + 1
    at = utcnow()
    actor_label = f"user:{actor.id}" if actor else SYSTEM_ACTOR
    data_json = canonical_json(data or {})
    payload = event_payload(seq, at, actor_label, action, object_type, str(object_id), data_json)
    digest = chain_hash(head.hash, payload)
    event = AuditEvent(
        seq=seq, at=at, actor_id=actor.id if actor else None, actor=actor_label, action=action,
        object_type=object_type, object_id=str(object_id), data=data_json,
        prev_hash=head.hash, hash=digest,
    )
    db.session.add(event)
    head.seq, head.hash = seq, digest
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str = ""


def verify_chain(events: Iterable[AuditEvent], head: AuditHead | None) -> ChainReport:
    """Walk the chain in seq order; name the first event that does not fit."""
    prev_hash, expected_seq, checked = GENESIS_HASH, 1, 0
    for ev in events:
        if ev.seq != expected_seq:
            return ChainReport(False, checked, expected_seq - 1, prev_hash, expected_seq,
                               f"event {expected_seq} is missing")
        payload = event_payload(ev.seq, ev.at, ev.actor, ev.action, ev.object_type, ev.object_id, ev.data)
        if ev.prev_hash != prev_hash or chain_hash(prev_hash, payload) != ev.hash:
            return ChainReport(False, checked, ev.seq - 1, prev_hash, ev.seq,
                               f"event {ev.seq} does not match its hash")
        prev_hash, expected_seq, checked = ev.hash, expected_seq + 1, checked + 1
    head_seq = head.seq if head else 0
    if head_seq != checked or (head and head.hash != prev_hash):
        return ChainReport(False, checked, checked, prev_hash, checked + 1,
                           f"chain ends at event {checked} but the head says {head_seq}")
    return ChainReport(True, checked, checked, prev_hash)


def verify() -> ChainReport:
    events = db.session.execute(db.select(AuditEvent).order_by(AuditEvent.seq)).scalars()
    return verify_chain(events, db.session.get(AuditHead, 1))


def list_events(after: int = 0, limit: int = 100) -> list[AuditEvent]:
    limit = max(1, min(limit, 1000))
    after = min(after, MAX_DB_ID)  # no seq lies beyond the column's range; PostgreSQL refuses larger
    stmt = db.select(AuditEvent).where(AuditEvent.seq > after).order_by(AuditEvent.seq).limit(limit)
    return list(db.session.execute(stmt).scalars())
