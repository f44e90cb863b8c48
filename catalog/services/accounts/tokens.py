"""Personal access tokens for the API and git pushes: shown once, stored as SHA-256."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask_babel import gettext as _

from ...extensions import db
from ...models import AccessToken, User
from ...models.types import utcnow
from .. import audit
from ..errors import NotFound, ValidationFailed, require
from ..permissions import can_manage_tokens
from ..tx import write

TOKEN_PREFIX = "kbp_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(owner: User, *, label: str, actor: User,
                 expires_at: datetime | None = None) -> tuple[AccessToken, str]:
    """Return the row and the plain token (never stored). Raises PermissionDenied, ValidationFailed."""
    require(can_manage_tokens(actor, owner))
    label = (label or "").strip()
    if not label or len(label) > 100:
        raise ValidationFailed(_("Label token belum benar."),
                               {"label": _("Isi label 1–100 karakter, misalnya 'laptop kantor'.")})
    if expires_at is not None and expires_at <= utcnow():
        raise ValidationFailed(_("Tanggal kedaluwarsa sudah lewat."), {"expires_at": _("Pilih tanggal di masa depan.")})
    with write():
        plain = TOKEN_PREFIX + secrets.token_urlsafe(30)
        row = AccessToken(user_id=owner.id, label=label, prefix=plain[:12], token_hash=_digest(plain),
                          expires_at=expires_at)
        db.session.add(row)
        db.session.flush()
        audit.record(actor, "token.create", "token", row.id, {"owner": owner.id, "prefix": row.prefix})
    return row, plain


def revoke_token(token_id: int, *, actor: User) -> AccessToken:
    """Raises NotFound, PermissionDenied."""
    with write():
        row = db.session.get(AccessToken, token_id)
        if row is None or not can_manage_tokens(actor, row.user):
            raise NotFound(_("Token tidak ditemukan."))
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            audit.record(actor, "token.revoke", "token", row.id, {"owner": row.user_id, "prefix": row.prefix})
    return row


def list_tokens(owner: User, *, actor: User) -> list[AccessToken]:
    require(can_manage_tokens(actor, owner))
    stmt = db.select(AccessToken).where(AccessToken.user_id == owner.id).order_by(AccessToken.created_at.desc())
    return list(db.session.execute(stmt).scalars())


def user_for_token(plain: str) -> User | None:
    """The active owner of a valid, unexpired, unrevoked token, or None."""
    if not plain or not plain.startswith(TOKEN_PREFIX) or len(plain) > 200:
        return None
    row = db.session.execute(
        db.select(AccessToken).where(AccessToken.token_hash == _digest(plain))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= utcnow():
        return None
    if not row.user.active:
        return None
    return row.user
