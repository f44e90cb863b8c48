"""One-time e-mail links: issued with a fresh secret (only its SHA-256 kept), found by that
secret, ended when used, replaced by a later link of the same kind, or cancelled by a password change."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from ...extensions import db
from ...models import AccountLink, LinkKind, User
from ...models.types import utcnow
from .. import audit
from ..tx import write

LIFETIMES = {LinkKind.INVITE.value: timedelta(hours=72), LinkKind.RESET.value: timedelta(hours=1)}
SECRET_BYTES = 32  # 256 bits: unguessable, so the lookup by digest needs no throttle of its own
MAX_SECRET_LENGTH = 100


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(user: User, kind: str) -> tuple[AccountLink, str]:
    """A new link for `user` (ending earlier unused links of the same kind) and its secret,
    which is never stored: the caller mails it at once. Commits."""
    now = utcnow()
    secret = secrets.token_urlsafe(SECRET_BYTES)
    with write():
        ended = end_open_links(user.id, kinds=(kind,), now=now)
        link = AccountLink(user_id=user.id, kind=kind, token_hash=_digest(secret), created_at=now,
                           expires_at=now + LIFETIMES[kind])
        db.session.add(link)
        db.session.flush()
        audit.record(None, f"user.{kind}_link", "user", user.id,
                     {"link": link.id, "expires_at": link.expires_at.isoformat(), "replaced": ended})
    return link, secret


def end_open_links(user_id: int, *, kinds: tuple[str, ...] = tuple(LIFETIMES), now=None) -> int:
    """Cancel the user's unused links of these kinds, in the caller's transaction; how many."""
    result = db.session.execute(
        db.update(AccountLink).where(AccountLink.user_id == user_id, AccountLink.kind.in_(kinds),
                                     AccountLink.used_at.is_(None), AccountLink.revoked_at.is_(None))
        .values(revoked_at=now or utcnow()))
    return result.rowcount or 0


def find_usable(secret: str, kind: str) -> AccountLink | None:
    """The unused, unexpired, not replaced link of `kind` with this secret, whose account is
    active; None for anything else (the page says the same for every such case)."""
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        return None
    link = db.session.execute(db.select(AccountLink).where(AccountLink.token_hash == _digest(secret))
                              ).scalar_one_or_none()
    if link is None or link.kind != kind or not link.usable() or not link.user.active:
        return None
    return link
