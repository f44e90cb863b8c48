"""Single sign-on pages: OpenID Connect's authorization-code flow with PKCE (S256), state and
nonce, through Authlib. The provider's discovery document is fetched once per process, with a
time-out (CATALOG_OIDC_TIMEOUT) like every other call to it; the claims are judged by
services/accounts/single_sign_on.py."""
from __future__ import annotations

import logging

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import current_app, flash, request, session, url_for
from flask_babel import gettext as _
from joserfc.errors import JoseError

from ..services.accounts import single_sign_on
from .sign_in import after_first_factor, bp, login_page

log = logging.getLogger(__name__)
EXTENSION = "catalog_oidc"
SSO_NEXT = "sso_next"  # where to go after signing in, kept in the session across the provider's pages


@bp.record_once
def _register(state) -> None:
    """One OAuth registry per app (never at import); the provider's client is made on first use."""
    oauth = OAuth()
    oauth.init_app(state.app)
    state.app.extensions[EXTENSION] = oauth


def _client():
    oauth, cfg = current_app.extensions[EXTENSION], current_app.config
    client = oauth.create_client("idp") or oauth.register(
        "idp", client_id=cfg["OIDC_CLIENT_ID"], client_secret=cfg["OIDC_CLIENT_SECRET"],
        server_metadata_url=cfg["OIDC_ISSUER"] + "/.well-known/openid-configuration",
        client_kwargs={"scope": cfg["OIDC_SCOPES"], "code_challenge_method": "S256",
                       "default_timeout": cfg["OIDC_TIMEOUT"]})
    metadata = client.load_server_metadata()
    # OpenID Connect Discovery 1.0, 4.3: the document must name the issuer we were configured with
    if str(metadata.get("issuer", "")).rstrip("/") != current_app.config["OIDC_ISSUER"]:
        raise ValueError(f"discovery names issuer {metadata.get('issuer')!r}")
    return client


def _refused(message: str, status: int):
    flash(message, "error")
    return login_page(status=status)


@bp.get("/login/sso")
def sso_start():
    if not single_sign_on.sso_enabled():
        return _refused(_("Single sign-on tidak diaktifkan di Katalog ini."), 404)
    session[SSO_NEXT] = request.args.get("next", "")
    for key in [k for k in session if k.startswith("_state_idp_")]:  # Authlib's earlier, unfinished tries:
        session.pop(key)  # only the latest counts, and the cookie stays small
    try:
        return _client().authorize_redirect(url_for("auth.sso_callback", _external=True))
    except (requests.RequestException, ValueError) as exc:
        log.warning("OpenID provider unreachable at sign-in: %s", exc.__class__.__name__)
        return _refused(_("Penyedia identitas tidak dapat dihubungi. Coba lagi beberapa saat lagi."), 502)


def _claims(client, token: dict) -> dict:
    """The ID token's claims (signature, issuer, audience, expiry and nonce checked by Authlib),
    completed from the UserInfo endpoint when they lack the e-mail, for the same subject only."""
    claims = dict(token.get("userinfo") or {})
    if not claims:
        raise ValueError("no ID token")
    if current_app.config["OIDC_EMAIL_CLAIM"] not in claims:
        extra = dict(client.userinfo(token=token))
        if extra.get("sub") != claims.get("sub"):
            raise ValueError("UserInfo names another subject")
        claims = {**extra, **claims}
    return claims


@bp.get("/login/sso/callback")
def sso_callback():
    if not single_sign_on.sso_enabled():
        return _refused(_("Single sign-on tidak diaktifkan di Katalog ini."), 404)
    try:
        client = _client()
        token = client.authorize_access_token()
        claims = _claims(client, token)
    except MismatchingStateError:
        return _refused(_("Permintaan masuk ini tidak dimulai dari peramban ini atau sudah dipakai (state tidak "
                          "cocok). Mulai lagi dari halaman Masuk."), 400)
    except OAuthError as exc:
        log.info("OpenID sign-in ended by the provider: %s", exc.error)
        return _refused(_("Penyedia identitas tidak mengizinkan masuk (%(error)s). Mulai lagi dari halaman Masuk.",
                          error=exc.error or "-"), 400)
    except JoseError as exc:  # a forged or replayed ID token: wrong signature, issuer, audience, nonce, expiry
        log.warning("OpenID ID token refused: %s", exc.error)
        return _refused(_("Token identitas dari penyedia tidak sah untuk permintaan ini. Mulai lagi dari halaman "
                          "Masuk."), 400)
    except (requests.RequestException, ValueError) as exc:
        log.warning("OpenID provider call failed: %s", exc.__class__.__name__)
        return _refused(_("Penyedia identitas tidak dapat dihubungi. Coba lagi beberapa saat lagi."), 502)
    try:
        user = single_sign_on.account_for_claims(claims)
    except single_sign_on.SignInRefused as exc:
        return _refused(exc.message, exc.status)
    return after_first_factor(user, method="sso", next_url=session.pop(SSO_NEXT, ""))
