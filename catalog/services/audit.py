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
from sqlalchemy import Integer, String, bindparam, event, insert, text, update
from sqlalchemy.orm import Session

from ..extensions import db
from ..jobs.queue import note_write
from ..models import AuditEvent, AuditHead, AuditVerified, User
from ..models.audit import GENESIS_HASH
from ..models.types import MAX_DB_ID, UTCDateTime, utcnow

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


_PENDING = "catalog_audit_pending"  # session.info: events recorded, chained at the commit

# The chain step on PostgreSQL, in one statement right before the commit: lock the head row, take
# the next seq, hash, insert the event, move the head. The head stays locked for this statement
# and the commit only (every writer queues on it), not for the operation's own writes or a
# thread's wait for the GIL between statements. The hash is the verifier's own (`chain_hash`):
# the payload's canonical JSON is sorted by key, so around `at` and `seq` (the last key) it is
# three fixed texts made in Python; `at` is the catalog's clock, read just before the statement.
_PG_APPEND = text("""
WITH old AS MATERIALIZED (
    SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE
), new AS MATERIALIZED (
    SELECT old.seq + 1 AS seq, old.hash AS prev_hash, CAST(:at AS TIMESTAMPTZ) AS at FROM old
), chained AS MATERIALIZED (
    SELECT seq, prev_hash, at, encode(sha256(convert_to(
        prev_hash || :before_at || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')
        || '+00:00' || :before_seq || seq::text || '}', 'UTF8')), 'hex') AS hash
    FROM new
), moved AS (
    UPDATE audit_head SET seq = chained.seq, hash = chained.hash FROM chained WHERE audit_head.id = 1
)
INSERT INTO audit_event (seq, at, actor_id, actor, action, object_type, object_id, data, prev_hash, hash)
SELECT seq, at, CAST(:actor_id AS INTEGER), :actor, :action, :object_type, :object_id, :data, prev_hash, hash
FROM chained
RETURNING seq, at, prev_hash, hash
""").columns(seq=Integer, at=UTCDateTime(), prev_hash=String, hash=String)
_NEW_HEAD = text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :g) ON CONFLICT (id) DO NOTHING")
_HEAD = db.select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)
_MOVE_HEAD = update(AuditHead).where(AuditHead.id == 1).values(seq=bindparam("seq"), hash=bindparam("hash"))
_INSERT_EVENT = insert(AuditEvent)


def record(actor: User | None, action: str, object_type: str, object_id: Any,
           data: dict[str, Any] | None = None) -> AuditEvent:
    """Record one event in the caller's transaction; the caller commits.

    The event is chained when the transaction commits (after the operation's own rows are
    flushed), so its seq, at and hashes are set once the commit has begun; a rollback drops it.
    """
    actor_label = f"user:{actor.id}" if actor else SYSTEM_ACTOR
    ev = AuditEvent(actor_id=actor.id if actor else None, actor=actor_label, action=action,
                    object_type=object_type, object_id=str(object_id),
                    data=canonical_json(_key_digests(data or {})))
    session = db.session()
    if not session.in_transaction():
        session.begin()  # a rollback from here on drops the event, as it would an inserted row
    session.info.setdefault(_PENDING, []).append(ev)
    note_write(session)  # a job queued after this waits for the commit that writes the event
    return ev


def _hash_texts(ev: AuditEvent) -> tuple[str, str]:
    """The payload's canonical JSON before `at`'s value and between it and `seq`'s value."""
    probe = canonical_json({"action": ev.action, "actor": ev.actor, "at": "", "data": json.loads(ev.data),
                            "object": f"{ev.object_type}:{ev.object_id}", "seq": 0})
    cut = probe.index('"at":""') + len('"at":"')
    assert probe.endswith('"seq":0}')
    return probe[:cut], probe[cut:-2]


def _event_row(ev: AuditEvent) -> dict[str, Any]:
    return {"actor_id": ev.actor_id, "actor": ev.actor, "action": ev.action,
            "object_type": ev.object_type, "object_id": ev.object_id, "data": ev.data}


def _append_postgresql(session: Session, ev: AuditEvent) -> None:
    before_at, before_seq = _hash_texts(ev)
    # `at` from the catalog's clock, as on SQLite (the demo's story clock sets it), just before the statement
    params = {**_event_row(ev), "at": utcnow(), "before_at": before_at, "before_seq": before_seq}
    row = session.execute(_PG_APPEND, params).first()
    if row is None:  # the first event ever: make the head, then chain onto it
        session.execute(_NEW_HEAD, {"g": GENESIS_HASH})
        row = session.execute(_PG_APPEND, params).one()
    ev.seq, ev.at, ev.prev_hash, ev.hash = row.seq, row.at, row.prev_hash, row.hash


def _append_locked(session: Session, ev: AuditEvent) -> None:
    """Elsewhere (SQLite) the write transaction began with BEGIN IMMEDIATE: appenders already
    queue on the database's one writer lock."""
    head = session.execute(_HEAD).first()
    if head is None:
        session.execute(_NEW_HEAD, {"g": GENESIS_HASH})
        head = session.execute(_HEAD).one()
    ev.seq, ev.at, ev.prev_hash = head.seq + 1, utcnow(), head.hash
    ev.hash = chain_hash(ev.prev_hash, event_payload(ev.seq, ev.at, ev.actor, ev.action, ev.object_type,
                                                     ev.object_id, ev.data))
    session.execute(_INSERT_EVENT, {**_event_row(ev), "seq": ev.seq, "at": ev.at,
                                    "prev_hash": ev.prev_hash, "hash": ev.hash})
    session.execute(_MOVE_HEAD, {"seq": ev.seq, "hash": ev.hash})


@event.listens_for(Session, "before_commit")
def _chain_pending(session: Session) -> None:
    """Chain the transaction's recorded events, last thing before its commit."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()  # the operation's own rows go first, before the head is locked
    append = _append_postgresql if session.get_bind().dialect.name == "postgresql" else _append_locked
    for ev in pending:
        append(session, ev)


@event.listens_for(Session, "after_transaction_end")
def _drop_pending(session: Session, transaction) -> None:
    """A transaction that ends without its commit (a rollback, a closed session) drops its events."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


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
