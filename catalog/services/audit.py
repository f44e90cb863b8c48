"""Append events to the hash-chained audit trail and verify the chain."""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import text, update

from ..extensions import db
from ..models import AuditEvent, AuditHead, AuditVerified, User
from ..models.audit import GENESIS_HASH
from ..models.types import MAX_DB_ID, utcnow

SYSTEM_ACTOR = "system"
DIGEST_PURPOSE = b"catalog.audit.private-digest.v1"
LEGACY_DIGEST_SUFFIX = "_sha256"  # unsalted digests: callers' old habit, keyed in record()
KEYED_DIGEST_SUFFIX = "_hmac"
DEFAULT_VERIFY_BATCH = 500


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


def _digest_key() -> bytes:
    """AUDIT_DIGEST_KEY when set, else a key derived from SECRET_KEY for this one purpose only."""
    key = current_app.config.get("AUDIT_DIGEST_KEY") or current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, DIGEST_PURPOSE, hashlib.sha256).digest()


def private_digest(text_value: str | None) -> str | None:
    """A keyed digest of a private value (a deployment's URL, a note) for the audit data.

    HMAC-SHA256 with a server-side key over the value's sha256 hex: without the key nobody can
    test guesses against the public feed, with it an admin can still tell whether a given URL is
    the one recorded. The chain hashes the stored digest string like any other datum, so verifying
    the chain never needs the key, and rotating the key (AUDIT_DIGEST_KEY or SECRET_KEY) breaks
    nothing: older events keep the digests made with the old key and still verify.
    """
    if not text_value:
        return None
    inner = hashlib.sha256(text_value.encode()).hexdigest()
    return hmac.new(_digest_key(), inner.encode(), hashlib.sha256).hexdigest()


def _key_digests(data: dict[str, Any]) -> dict[str, Any]:
    """`<name>_sha256: sha256(value)` from a caller becomes `<name>_hmac: private_digest(value)`
    before the event is stored: an unsalted digest never enters the chain or the public feed."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key.endswith(LEGACY_DIGEST_SUFFIX):
            keyed = None
            if isinstance(value, str) and value:
                keyed = hmac.new(_digest_key(), value.encode(), hashlib.sha256).hexdigest()
            out[key[: -len(LEGACY_DIGEST_SUFFIX)] + KEYED_DIGEST_SUFFIX] = keyed
        else:
            out[key] = value
    return out


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
    # The caller's own rows go to the database first: the head stays locked only for the event
    # itself and the commit, not for the operation's other writes (every writer queues on it).
    db.session.flush()
    head = _lock_head()
    seq = head.seq + 1
    at = utcnow()
    actor_label = f"user:{actor.id}" if actor else SYSTEM_ACTOR
    data_json = canonical_json(_key_digests(data or {}))
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
    # verify_incremental: the stored marker the walk started from, for the caller's compare-and-set
    marker: tuple[int, str] | None = None


def _walk(events: Iterable[AuditEvent], prev_hash: str, expected_seq: int
          ) -> tuple[int, int, str, int | None, str]:
    """Check events in seq order from (prev_hash, expected_seq): (checked, last seq, last hash,
    first bad seq or None, problem)."""
    checked = 0
    for ev in events:
        if ev.seq != expected_seq:
            return checked, expected_seq - 1, prev_hash, expected_seq, f"event {expected_seq} is missing"
        payload = event_payload(ev.seq, ev.at, ev.actor, ev.action, ev.object_type, ev.object_id, ev.data)
        if ev.prev_hash != prev_hash or chain_hash(prev_hash, payload) != ev.hash:
            return checked, ev.seq - 1, prev_hash, ev.seq, f"event {ev.seq} does not match its hash"
        prev_hash, expected_seq, checked = ev.hash, expected_seq + 1, checked + 1
    return checked, expected_seq - 1, prev_hash, None, ""


def verify_chain(events: Iterable[AuditEvent], head: AuditHead | None) -> ChainReport:
    """Walk the chain in seq order; name the first event that does not fit."""
    checked, last_seq, last_hash, bad, problem = _walk(events, GENESIS_HASH, 1)
    if bad is not None:
        return ChainReport(False, checked, last_seq, last_hash, bad, problem)
    head_seq = head.seq if head else 0
    if head_seq != checked or (head and head.hash != last_hash):
        return ChainReport(False, checked, checked, last_hash, checked + 1,
                           f"chain ends at event {checked} but the head says {head_seq}")
    return ChainReport(True, checked, checked, last_hash)


def verify() -> ChainReport:
    """The full check from event 1, read-only; `mark_full_check` records its outcome."""
    events = db.session.execute(db.select(AuditEvent).order_by(AuditEvent.seq)).scalars()
    return verify_chain(events, db.session.get(AuditHead, 1, populate_existing=True))


def _head() -> tuple[int, str]:
    row = db.session.execute(db.select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).first()
    return (row.seq, row.hash) if row else (0, GENESIS_HASH)


def verified_marker() -> tuple[int, str] | None:
    """(seq, hash) of the newest event known intact; None before the row exists."""
    row = db.session.execute(db.select(AuditVerified.seq, AuditVerified.hash)
                             .where(AuditVerified.id == 1)).first()
    return (row.seq, row.hash) if row else None


def _ensure_marker_row() -> None:
    """Two first requests may both find no row: the second insert is a no-op, not an error."""
    db.session.execute(text("INSERT INTO audit_verified (id, seq, hash) VALUES (1, 0, :g) "
                            "ON CONFLICT (id) DO NOTHING"), {"g": GENESIS_HASH})


def advance_marker(report: ChainReport) -> bool:
    """Compare-and-set, inside the caller's write transaction: the marker moves from the one the
    report started from to the report's head, or not at all, so two requests verifying at once
    cannot leave it on a hash that does not belong to its seq (the loser changes nothing)."""
    if not report.ok or report.marker is None or report.marker[0] == report.head_seq:
        return False
    _ensure_marker_row()
    old_seq, old_hash = report.marker
    done = db.session.execute(
        update(AuditVerified)
        .where(AuditVerified.id == 1, AuditVerified.seq == old_seq, AuditVerified.hash == old_hash)
        .values(seq=report.head_seq, hash=report.head_hash, verified_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    return done == 1


def verify_incremental(limit: int | None = None) -> ChainReport:
    """Verify only what came after the marker, at most `limit` events per call (AUDIT_VERIFY_BATCH).
    Read-only: the caller moves the marker with `advance_marker` in a write of its own. Cost is
    bounded whatever the chain's length.

    Besides the new events it re-hashes the marker's own event and compares the head, so a rewrite
    of that event, a truncated tail or a head moved backwards is seen at once. An event edited
    below the marker is found by the full check (`flask catalog audit-verify`, `mark_full_check`),
    which then moves the marker back so that requests stop vouching for the chain.

    The report's head_seq/head_hash are the newest verified event (the head itself when the walk
    caught up); `checked` counts the events hashed in this call.
    """
    limit = limit or int(current_app.config.get("AUDIT_VERIFY_BATCH", DEFAULT_VERIFY_BATCH))
    head_seq, head_hash = _head()
    stored = verified_marker()
    marker = stored or (0, GENESIS_HASH)
    m_seq, m_hash = marker
    if m_seq > head_seq:
        return ChainReport(False, 0, head_seq, head_hash, head_seq + 1,
                           f"chain ends at event {head_seq} but event {m_seq} was verified before")
    if m_seq:
        ev = db.session.get(AuditEvent, m_seq, populate_existing=True)
        if ev is None:
            return ChainReport(False, 0, m_seq - 1, "", m_seq, f"event {m_seq} is missing")
        payload = event_payload(ev.seq, ev.at, ev.actor, ev.action, ev.object_type, ev.object_id, ev.data)
        if ev.hash != m_hash or chain_hash(ev.prev_hash, payload) != m_hash:
            return ChainReport(False, 0, m_seq - 1, ev.prev_hash, m_seq, f"event {m_seq} does not match its hash")
    if m_seq == head_seq:
        if head_hash != m_hash:
            return ChainReport(False, 0, m_seq, m_hash, m_seq + 1,
                               f"the head's hash differs from event {m_seq}'s")
        return ChainReport(True, 0, m_seq, m_hash, marker=marker)
    events = list(db.session.execute(
        db.select(AuditEvent).where(AuditEvent.seq > m_seq).order_by(AuditEvent.seq).limit(limit)
        .execution_options(populate_existing=True)).scalars())
    checked, last_seq, last_hash, bad, problem = _walk(events, m_hash, m_seq + 1)
    if bad is not None:
        return ChainReport(False, checked, last_seq, last_hash, bad, problem)
    if len(events) < limit and last_seq < head_seq:  # the walk ran out before the head
        return ChainReport(False, checked, last_seq, last_hash, last_seq + 1,
                           f"chain ends at event {last_seq} but the head says {head_seq}")
    if last_seq == head_seq and last_hash != head_hash:
        return ChainReport(False, checked, last_seq, last_hash, last_seq + 1,
                           f"chain ends at event {last_seq} but the head's hash differs")
    return ChainReport(True, checked, last_seq, last_hash, marker=marker)


def mark_full_check(report: ChainReport) -> None:
    """After the full check (`verify`), in the caller's write transaction. Intact: the marker moves
    up to the head. Broken: it moves back to the last good event, so that the public checkpoint and
    the incremental check refuse from then on instead of vouching for a chain known to be broken."""
    _ensure_marker_row()
    where = (AuditVerified.seq < report.head_seq) if report.ok else (AuditVerified.seq > report.head_seq)
    db.session.execute(update(AuditVerified).where(AuditVerified.id == 1, where)
                       .values(seq=report.head_seq, hash=report.head_hash, verified_at=utcnow())
                       .execution_options(synchronize_session=False))


def list_events(after: int = 0, limit: int = 100) -> list[AuditEvent]:
    limit = max(1, min(limit, 1000))
    after = min(after, MAX_DB_ID)  # no seq lies beyond the column's range; PostgreSQL refuses larger
    stmt = db.select(AuditEvent).where(AuditEvent.seq > after).order_by(AuditEvent.seq).limit(limit)
    return list(db.session.execute(stmt).scalars())
