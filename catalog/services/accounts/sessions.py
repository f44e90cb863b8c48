"""Listed sessions: one row per sign-in, shown on the account page and ended one at a time or all
at once. A row is active while its cookie works: not ended here, not signed out on its device
(users.end_session), not older than the session lifetime, and made under the account's current
session_version (which "sign out everywhere", deactivation and password changes bump)."""
from __future__ import annotations

import hashlib
import time
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _

from ...extensions import db
from ...models import User, UserSession
from ...models.types import utcnow
from .. import audit
from ..errors import NotFound, require
from ..permissions import can_manage_sessions
from ..tx import write
from . import users


def digest(session_id: str) -> str:
    """The same digest users.end_session() keeps for a session signed out on its device."""
    return hashlib.sha256(session_id.encode()).hexdigest()[:32]


def device_name(user_agent: str) -> str:
    """'Firefox 133 · Windows 10' from a User-Agent; the raw text is kept beside it."""
    if not user_agent:
        return ""
    from ua_parser import parse  # ~0.2 s to load its rules: only once a sign-in needs them

    result = parse(user_agent[:300])
    parts = []
    for item in (result.user_agent, result.os):
        if item is not None and item.family != "Other":
            parts.append(" ".join(p for p in (item.family, item.major) if p))
    if result.device is not None and result.device.family not in ("Other", "Spider") and result.device.model:
        parts.append(result.device.family)
    return " · ".join(parts)[:120] or user_agent[:60]


def start_session(user: User, session_id: str, *, method: str, user_agent: str, address: str) -> UserSession:
    """Record a sign-in (called once the person is fully signed in)."""
    with write():
        row = UserSession(user_id=user.id, sid_digest=digest(session_id), session_version=user.session_version,
                          method=method, device=device_name(user_agent), user_agent=(user_agent or "")[:300],
                          address=(address or "")[:64])
        db.session.add(row)
        # rows of sessions that expired long ago go: nothing lists them any more
        stale = utcnow() - 2 * timedelta(seconds=current_app.config["SESSION_MAX_AGE"])
        db.session.execute(db.delete(UserSession).where(UserSession.user_id == user.id,
                                                        UserSession.created_at < stale))
    return row


def touch_session(session_id: str) -> None:
    """Move "last seen" to now: one UPDATE, which the caller makes at most every few minutes."""
    with write():
        db.session.execute(db.update(UserSession).where(UserSession.sid_digest == digest(session_id))
                           .values(last_seen_at=utcnow()))


def _is_active(row: UserSession, user: User, oldest) -> bool:
    ended_here = {e.get("sid") for e in user.ended_sessions or []}
    return (row.ended_at is None and row.session_version == user.session_version
            and row.created_at > oldest and row.sid_digest not in ended_here)


def list_sessions(user: User, *, actor: User) -> list[UserSession]:
    """This person's active sessions, most recently seen first. Raises PermissionDenied."""
    require(can_manage_sessions(actor, user))
    oldest = utcnow() - timedelta(seconds=current_app.config["SESSION_MAX_AGE"])
    rows = db.session.execute(db.select(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None), UserSession.created_at > oldest)
        .order_by(UserSession.last_seen_at.desc())).scalars()
    return [row for row in rows if _is_active(row, user, oldest)]


def _forget(user: User, sid_digest: str) -> None:
    """Make the cookie of this session stop working: the list web/auth.py checks per request."""
    lifetime = current_app.config["SESSION_MAX_AGE"]
    now = time.time()
    kept = [e for e in user.ended_sessions or [] if e.get("until", 0) > now and e.get("sid") != sid_digest]
    user.ended_sessions = [*kept, {"sid": sid_digest, "until": now + lifetime}]


def end_session(session_row_id: int, *, actor: User) -> UserSession:
    """End one listed session: its cookie no longer works. Raises NotFound (also for others')."""
    with write():
        row = db.session.get(UserSession, session_row_id)
        # the account row locked: two sessions ended at once must both land in ended_sessions
        owner = db.session.get(User, row.user_id, with_for_update={"of": User}) if row is not None else None
        if row is None or not can_manage_sessions(actor, owner):
            raise NotFound(_("Sesi tidak ditemukan."))
        if row.ended_at is None:
            row.ended_at = utcnow()
            _forget(owner, row.sid_digest)
            audit.record(actor, "session.end", "user", owner.id, {"session": row.id, "device": row.device})
    return row


def end_this_session(user: User, session_id: str) -> None:
    """"Keluar" on this device: the cookie stops working and its row shows as ended."""
    with write():
        owner = db.session.get(User, user.id, with_for_update={"of": User})
        db.session.execute(db.update(UserSession).where(UserSession.sid_digest == digest(session_id),
                                                        UserSession.ended_at.is_(None)).values(ended_at=utcnow()))
        _forget(owner, digest(session_id))


def end_all_sessions(user: User, *, actor: User) -> None:
    """Every session of this person ends, this one included (tokens stay). Raises PermissionDenied."""
    require(can_manage_sessions(actor, user))
    with write():
        db.session.execute(db.update(UserSession).where(UserSession.user_id == user.id,
                                                        UserSession.ended_at.is_(None)).values(ended_at=utcnow()))
        users.end_sessions(user)  # joins this transaction: the session_version moves on
        audit.record(actor, "session.end_all", "user", user.id, {})
