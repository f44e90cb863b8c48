"""Single sign-on (OpenID Connect): which account the identity provider's claims open, and which
ways of signing in are open to whom. The protocol itself (discovery, PKCE, state, nonce, the
ID token's signature) is Authlib's, driven by web/sso.py; this module only judges the claims."""
from __future__ import annotations

from collections.abc import Mapping

from flask import current_app
from flask_babel import gettext as _

from ...extensions import db
from ...models import Organization, User
from .. import audit
from ..errors import ServiceError, require
from ..permissions import is_admin
from ..tx import write
from . import organizations, users


class SignInRefused(ServiceError):
    code, status = "sign_in_refused", 403


def sso_enabled() -> bool:
    cfg = current_app.config
    return bool(cfg["SSO_LOGIN"] and cfg["OIDC_ISSUER"] and cfg["OIDC_CLIENT_ID"])


def password_login_enabled() -> bool:
    """Whether the sign-in page offers the password form at all."""
    return bool(current_app.config["PASSWORD_LOGIN"])


def password_login_allowed(user: User) -> bool:
    """Password sign-in for this person: on for the platform and for their organization."""
    return password_login_enabled() and user.organization.password_login


def _verified(claims: Mapping) -> bool:
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.lower() == "true")


def account_for_claims(claims: Mapping) -> User:
    """The active account whose e-mail the provider asserts as verified (and, when
    CATALOG_OIDC_ORG_CLAIM is set, in the organization the provider names). Nobody is created:
    a stranger is refused. Raises SignInRefused."""
    cfg = current_app.config
    email = claims.get(cfg["OIDC_EMAIL_CLAIM"])
    if not isinstance(email, str) or "@" not in email:
        raise SignInRefused(_("Penyedia identitas tidak mengirim alamat e-mail Anda, sehingga akun Katalog "
                              "tidak dapat dikenali. Hubungi admin organisasi Anda."))
    if not _verified(claims):
        raise SignInRefused(_("Alamat e-mail %(email)s belum terverifikasi di penyedia identitas. Verifikasi "
                              "alamat itu di sana terlebih dahulu, lalu masuk lagi.", email=email))
    user = users.get_by_email(email)
    if user is None or not user.active:
        raise SignInRefused(_("Belum ada akun Katalog yang aktif untuk %(email)s. Akun tidak dibuat otomatis: "
                              "minta admin organisasi Anda mengirim undangan.", email=email))
    if cfg["OIDC_ORG_CLAIM"]:
        org_code = claims.get(cfg["OIDC_ORG_CLAIM"])
        if str(org_code or "") != user.organization.code:
            raise SignInRefused(_("Penyedia identitas menyebut organisasi lain (%(given)s) daripada akun Katalog "
                                  "Anda (%(org)s). Hubungi admin organisasi Anda.",
                                  given=org_code or "-", org=user.organization.code))
    return user


def set_password_login(org_code: str, enabled: bool, *, actor: User | None) -> Organization:
    """Turn password sign-in on or off for one organization (platform admin, or the command
    line when `actor` is None). Raises NotFound, PermissionDenied."""
    if actor is not None:
        require(is_admin(actor))
    with write():
        org = organizations.get_by_code(org_code)
        if org.password_login != enabled:
            org = db.session.get(Organization, org.id)
            org.password_login = enabled
            audit.record(actor, "organization.password_login", "organization", org.code, {"enabled": enabled})
    return org

