"""Personal access tokens for the API and git pushes: shown once, stored as SHA-256, scoped
(`git`, `read`, `write`) and always expiring (default 90 days, at most 365)."""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import bindparam

from ...extensions import db
from ...models import AccessToken, User
from ...models.types import utcnow
from ...models.user import TOKEN_SCOPES
from .. import audit
from ..errors import NotFound, PermissionDenied, Unauthenticated, ValidationFailed, require
from ..permissions import can_manage_tokens
from ..tx import write

TOKEN_PREFIX = "kbp_"
DEFAULT_LIFETIME_DAYS = 90
MAX_LIFETIME_DAYS = 365
LIFETIME_CHOICES = (30, 90, 180, 365)  # what the tokens page offers
SCOPES = TOKEN_SCOPES


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _clean_scopes(scopes: Iterable[str]) -> str:
    chosen = {str(s).strip() for s in scopes if str(s).strip()}
    unknown = sorted(chosen - set(SCOPES))
    if unknown or not chosen:
        raise ValidationFailed(_("Cakupan token belum benar."),
                               {"scopes": _("Pilih sedikitnya satu cakupan: git, read atau write.")})
    return ",".join(s for s in SCOPES if s in chosen)


def create_token(owner: User, *, label: str, actor: User, scopes: Iterable[str] | None = None,
                 lifetime_days: int = DEFAULT_LIFETIME_DAYS) -> tuple[AccessToken, str]:
    """Return the row and the plain token (never stored). `scopes` None gives every scope (the
    command line until it takes `--scope`); otherwise at least one of SCOPES. The token expires
    after `lifetime_days` (1 to MAX_LIFETIME_DAYS). Raises PermissionDenied, ValidationFailed."""
    require(can_manage_tokens(actor, owner))
    label = (label or "").strip()
    if not label or len(label) > 100:
        raise ValidationFailed(_("Label token belum benar."),
                               {"label": _("Isi label 1–100 karakter, misalnya 'laptop kantor'.")})
    scope_text = _clean_scopes(SCOPES if scopes is None else scopes)
    if isinstance(lifetime_days, bool) or not isinstance(lifetime_days, int) \
            or not 1 <= lifetime_days <= MAX_LIFETIME_DAYS:
        raise ValidationFailed(_("Masa berlaku token belum benar."),
                               {"lifetime_days": _("Pilih masa berlaku 1–%(max)s hari.", max=MAX_LIFETIME_DAYS)})
    with write():
        plain = TOKEN_PREFIX + secrets.token_urlsafe(30)
        row = AccessToken(user_id=owner.id, label=label, prefix=plain[:12], token_hash=_digest(plain),
                          scopes=scope_text, expires_at=utcnow() + timedelta(days=lifetime_days))
        db.session.add(row)
        db.session.flush()
        audit.record(actor, "token.create", "token", row.id,
                     {"owner": owner.id, "prefix": row.prefix, "scopes": scope_text,
                      "expires_at": row.expires_at.isoformat()})
    return row, plain


def get_token(token_id: int, *, actor: User) -> AccessToken:
    """A token its owner (or an admin) may manage. Raises NotFound (also for others' tokens)."""
    row = db.session.get(AccessToken, token_id)
    if row is None or not can_manage_tokens(actor, row.user):
        raise NotFound(_("Token tidak ditemukan."))
    return row


def revoke_token(token_id: int, *, actor: User) -> AccessToken:
    """Raises NotFound."""
    with write():
        row = get_token(token_id, actor=actor)
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            audit.record(actor, "token.revoke", "token", row.id, {"owner": row.user_id, "prefix": row.prefix})
    return row


def list_tokens(owner: User, *, actor: User) -> list[AccessToken]:
    require(can_manage_tokens(actor, owner))
    stmt = db.select(AccessToken).where(AccessToken.user_id == owner.id).order_by(AccessToken.created_at.desc())
    return list(db.session.execute(stmt).scalars())


# Built once (with its cache key): every API request and git push with a token looks it up.
_BY_DIGEST = db.select(AccessToken).where(AccessToken.token_hash == bindparam("digest"))


def _lookup(plain: str) -> AccessToken | None:
    if not plain or not plain.startswith(TOKEN_PREFIX) or len(plain) > 200:
        return None
    row = db.session.execute(_BY_DIGEST, {"digest": _digest(plain)}).scalar_one_or_none()
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    return row


def authenticate_token(plain: str, *, scope: str, purpose: str) -> User:
    """The active owner of a valid token that carries `scope` (`write` includes `read`).
    `purpose` names what the caller is doing, for the refusal. Raises Unauthenticated
    (unknown, revoked or expired token; owner deactivated) and PermissionDenied (scope missing)."""
    row = _lookup(plain)
    if row is None:
        raise Unauthenticated(_("Token tidak valid atau sudah dicabut."))
    if row.is_expired():
        raise Unauthenticated(
            _("Token %(prefix)s… sudah kedaluwarsa pada %(date)s. Buat token baru di halaman Token akses.",
              prefix=row.prefix, date=format_date(row.expires_at, "long")),
            extra={"expired_at": row.expires_at.isoformat()})
    if not row.allows(scope):
        raise PermissionDenied(
            _("Token ini tidak memiliki cakupan '%(scope)s' yang diperlukan untuk %(purpose)s "
              "(cakupannya: %(have)s). Buat token dengan cakupan '%(scope)s' di halaman Token akses.",
              scope=scope, purpose=purpose, have=", ".join(row.scope_list)),
            extra={"missing_scope": scope, "token_scopes": row.scope_list})
    return row.user


def user_for_token(plain: str) -> User | None:
    """The active owner of a valid, unexpired, unrevoked token whatever its scopes, or None."""
    row = _lookup(plain)
    if row is None or row.is_expired():
        return None
    return row.user
