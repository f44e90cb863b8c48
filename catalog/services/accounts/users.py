"""Accounts: creation, password checks and sign-in."""
from __future__ import annotations

import hashlib
import re
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam

from ...extensions import db
from ...models import Role, User
from ...models.types import utcnow
from .. import audit
from ..errors import Conflict, PermissionDenied, ValidationFailed
from ..permissions import is_admin
from ..tx import write
from . import notifications, organizations, password_policy

ROLES = tuple(r.value for r in Role)
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,}$")
MIN_PASSWORD = password_policy.MIN_LENGTH


# argon2id at OWASP's recommended floor (19 MiB, 2 passes, 1 lane). The library's default (64 MiB,
# 3 passes, 4 lanes) cost 216 ms of CPU per sign-in against 22 ms here, measured on the 2-core
# server: under a working day's load sign-ins then took a fifth of all CPU, and four lanes buy
# nothing on two cores. Older hashes are upgraded at the next sign-in.
ARGON2_DEFAULTS = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}


def _hasher() -> tuple[PasswordHasher, str]:
    """argon2id (ARGON2_DEFAULTS unless ARGON2_PARAMS says otherwise, as in tests) and a dummy
    hash verified when the e-mail is unknown, so that timing does not reveal accounts."""
    ext = current_app.extensions
    if "password_hasher" not in ext:
        hasher = PasswordHasher(**(current_app.config.get("ARGON2_PARAMS") or ARGON2_DEFAULTS))
        ext["password_hasher"] = (hasher, hasher.hash("not-a-real-password-0"))
    return ext["password_hasher"]


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def create_user(*, email: str, name: str, org_code: str, role: str, password: str,
                actor: User | None = None) -> User:
    """Create an account. Raises ValidationFailed, Conflict, PermissionDenied."""
    if actor is not None and not is_admin(actor):
        raise PermissionDenied(_("Hanya admin yang dapat membuat akun."))
    with write():
        email = (email or "").strip().lower()
        errors = {}
        if not EMAIL_RE.match(email):
            errors["email"] = _("Alamat e-mail tidak valid.")
        if not (name or "").strip():
            errors["name"] = _("Nama wajib diisi.")
        if role not in ROLES:
            errors["role"] = _("Peran harus salah satu dari: %(v)s.", v=', '.join(ROLES))
        if problem := password_policy.problem(password or "", personal=(email, name or "")):
            errors["password"] = problem
        if errors:
            raise ValidationFailed(_("Data akun belum benar."), errors)
        org = organizations.get_by_code(org_code)
        if db.session.execute(db.select(User.id).where(User.email == email)).first():
            raise Conflict(_("E-mail sudah terdaftar."), {"email": _("E-mail sudah terdaftar.")})
        user = User(email=email, name=name.strip(), organization_id=org.id, role=role,
                    password_hash=hash_password(password), active=True)
        user.organization = org
        db.session.add(user)
        db.session.flush()
        audit.record(actor, "user.create", "user", user.id, {"role": role, "org": org.code})
    return user


def verify_password(user: User | None, password: str) -> bool:
    """Whether `password` is the user's; the same argon2 work when there is no user or no
    password yet (an invitation not accepted), so timing reveals neither."""
    hasher, dummy = _hasher()
    stored = user.password_hash if user is not None and user.password_hash else dummy
    try:
        hasher.verify(stored, password or "")
    except (VerificationError, InvalidHashError):
        return False
    return stored is not dummy


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same cost whether or not the e-mail
    exists). Only a first factor: the sign-in is recorded once it is complete (record_sign_in)."""
    email = (email or "").strip().lower()
    user = db.session.execute(db.select(User).where(User.email == email)).scalar_one_or_none()
    if not verify_password(user, password) or not user.active:
        return None
    hasher = _hasher()[0]
    if hasher.check_needs_rehash(user.password_hash):
        with write():
            db.session.get(User, user.id).password_hash = hasher.hash(password)
    return user


def record_sign_in(user: User) -> User:
    """Note a completed sign-in (password or single sign-on, and the code where two-factor is
    on; web/sign_in.finish_sign_in calls it): `last_login_at`, shown and
    filtered on in the people list. No audit event: a sign-in changes no one's data."""
    with write():
        row = db.session.get(User, user.id)
        row.last_login_at = utcnow()
    return row


# Built once: constructing it per request cost as much as running it (0.49 -> 0.25 ms of CPU,
# in-process, SQLite); it runs for every request of a signed-in person.
_SESSION_USER = db.select(User, notifications.unread_count_column(bindparam("user_id"))).where(
    User.id == bindparam("user_id"))


def load_session_user(session_id: str) -> User | None:
    """Flask-Login loader: '<id>:<session_version>', so that logout ends every copy of a session."""
    try:
        user_id, version = (int(part) for part in session_id.split(":", 1))
    except (ValueError, AttributeError):
        return None
    row = db.session.execute(_SESSION_USER, {"user_id": user_id}).first()
    if row is None or not row[0].active or row[0].session_version != version:
        return None
    notifications.remember_unread(row[0], row[1])  # the nav's badge: no second round trip per page
    return row[0]


_SESSION_FACTS = db.select(
    User.id, User.active, User.session_version, User.ended_sessions, User.role, User.organization_id,
    User.locale, User.name, notifications.unread_count_column(bindparam("user_id")).label("unread"),
).where(User.id == bindparam("user_id"))


def _facts(person, unread: int) -> tuple:
    return (person.id, str(person.role), person.organization_id, person.locale, person.name, unread)


def page_facts(user: User) -> tuple:
    """What a signed-in page shows of its person: (id, role, organization, locale, name, unread
    notifications), as `session_facts` reads them."""
    return _facts(user, notifications.unread_count(user))


def session_facts(executor, user_id: int, version: int, session_id: str) -> tuple | None:
    """`page_facts` of a session's person, read through `executor` (a connection of the page
    cache's own); None when this session no longer holds (account off, signed out everywhere or
    on this device)."""
    row = executor.execute(_SESSION_FACTS, {"user_id": user_id}).first()
    if row is None or not row.active or row.session_version != version or _ended(row.ended_sessions, session_id):
        return None
    return _facts(row, row.unread)


def end_sessions(user: User) -> None:
    """Invalidate every session cookie of this user ("Keluar dari semua perangkat")."""
    with write():
        user = db.session.get(User, user.id)
        user.session_version += 1
        user.ended_sessions = []  # the new version ends them all


def _session_digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()[:32]


def end_session(user: User, session_id: str, *, lifetime: float) -> None:
    """Sign out one session (one device): its id is remembered until it would have expired."""
    now = time.time()
    with write():
        row = db.session.get(User, user.id)
        kept = [e for e in row.ended_sessions or [] if e.get("until", 0) > now]
        row.ended_sessions = [*kept, {"sid": _session_digest(session_id), "until": now + lifetime}]


def session_ended(user: User, session_id: str | None) -> bool:
    """Whether this session was signed out (or carries no id: made before sessions had one)."""
    return not session_id or _ended(user.ended_sessions, session_id)


def _ended(ended_sessions: list | None, session_id: str) -> bool:
    digest = _session_digest(session_id)
    return any(e.get("sid") == digest for e in ended_sessions or [])


def get_by_email(email: str) -> User | None:
    return db.session.execute(db.select(User).where(User.email == email.strip().lower())).scalar_one_or_none()


LOCALES = ("id", "en")


def set_locale(user: User, locale: str, *, actor: User) -> User:
    """Remember the user's page language. Raises ValidationFailed, PermissionDenied."""
    if actor.id != user.id and not is_admin(actor):
        raise PermissionDenied(_("Anda hanya dapat mengubah bahasa akun Anda sendiri."))
    if locale not in LOCALES:
        raise ValidationFailed(_("Bahasa tidak dikenal."), {"lang": _("Pilih id atau en.")})
    with write():
        row = db.session.get(User, user.id)
        previous = row.locale
        if previous != locale:
            row.locale = locale
            audit.record(actor, "user.locale", "user", row.id, {"from": previous, "to": locale})
    return row
