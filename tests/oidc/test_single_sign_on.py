"""Single sign-on against a real OpenID Connect provider (npm's oidc-provider) on loopback: the
authorization-code flow with PKCE through the real pages, and every refusal a relying party owes."""
from __future__ import annotations

import base64
import hashlib
import socket
from urllib.parse import parse_qs, urlencode, urlsplit

import pyotp
import pytest
import requests

from catalog.services.accounts import single_sign_on, two_factor
from tests.oidc.loopback_idp import CLIENT_ID, running_idp, sign_in_at_idp

# A Node.js process (the provider) per module: `make test` runs these, `make test-fast` does not.
pytestmark = pytest.mark.slow
CALLBACK = "http://localhost/login/sso/callback"
ACCOUNTS = {
    "budi": {"email": "budi@bintankab.go.id", "email_verified": True, "name": "Budi", "org_code": "21.01"},
    "asing": {"email": "orang.asing@contoh.go.id", "email_verified": True, "org_code": "21.01"},
    "belum": {"email": "belum@bintankab.go.id", "email_verified": False, "org_code": "21.01"},
    "lain": {"email": "lain@bintankab.go.id", "email_verified": True, "org_code": "21.72"},
}


@pytest.fixture(scope="module")
def idp(tmp_path_factory):
    with running_idp(tmp_path_factory.mktemp("idp"), redirect_uris=[CALLBACK], accounts=ACCOUNTS) as provider:
        yield provider


@pytest.fixture
def sso(app, idp):
    app.config.update(idp.config())
    return app


def start(client, **query) -> str:
    response = client.get("/login/sso" + (f"?{urlencode(query)}" if query else ""))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def signed_in(client) -> bool:
    return client.get("/account/tokens").status_code == 200


def test_code_flow_with_pkce_signs_in_the_account_with_that_verified_email(sso, idp, client, make_user):
    user = make_user("adopter", "21.01", email="budi@bintankab.go.id")
    authorize = start(client)
    query = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(idp.issuer + "/auth?")
    assert query["response_type"] == ["code"] and query["client_id"] == [CLIENT_ID]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0] and "openid" in query["scope"][0].split()
    response = client.get(sign_in_at_idp(authorize, "budi"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/my/region")
    assert signed_in(client)
    sessions_page = client.get("/account/sessions").get_data(as_text=True)
    assert "single sign-on" in sessions_page
    from catalog.extensions import db
    db.session.refresh(user)
    assert user.last_login_at is not None


def test_invited_account_signs_in_without_ever_setting_a_password(sso, client, make_user):
    from catalog.services.accounts import people
    org_admin = make_user("org_admin", "21.01")
    invited = people.invite(org_admin, email="budi@bintankab.go.id", name="Budi", org_code="21.01", role="adopter")
    assert invited.invitation_pending
    response = client.get(sign_in_at_idp(start(client), "budi"))
    assert response.status_code == 302 and signed_in(client)


def test_next_page_survives_the_trip_to_the_provider(sso, client, make_user):
    make_user("adopter", "21.01", email="budi@bintankab.go.id")
    response = client.get(sign_in_at_idp(start(client, next="/deployments"), "budi"))
    assert response.headers["Location"].endswith("/deployments")


def test_state_mismatch_is_refused(sso, client, make_user):
    make_user("adopter", "21.01", email="budi@bintankab.go.id")
    callback = sign_in_at_idp(start(client), "budi")
    parts = urlsplit(callback)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["state"] = "bukan-state-dari-peramban-ini"
    response = client.get(f"{parts.path}?{urlencode(query)}")
    assert response.status_code == 400
    assert "state tidak cocok" in response.get_data(as_text=True)
    assert not signed_in(client)


def test_callback_in_another_browser_is_refused(sso, app, client, make_user):
    """A code sent to someone else's browser (login CSRF): that browser never asked for it."""
    make_user("adopter", "21.01", email="budi@bintankab.go.id")
    callback = sign_in_at_idp(start(client), "budi")
    other = app.test_client()
    response = other.get(callback)
    assert response.status_code == 400
    assert other.get("/account/tokens").status_code == 302


def test_nonce_mismatch_is_refused(sso, idp, client, make_user):
    """An authorization code obtained with another nonce (an injected code) is refused even though
    state and PKCE match: the ID token's nonce is not the one this browser sent."""
    make_user("adopter", "21.01", email="budi@bintankab.go.id")
    ours = parse_qs(urlsplit(start(client)).query)
    state = ours["state"][0]
    with client.session_transaction() as sess:
        verifier = next(v["data"]["code_verifier"] for k, v in sess.items() if k.endswith(state))
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    forged = idp.issuer + "/auth?" + urlencode({
        "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": ours["redirect_uri"][0],
        "scope": ours["scope"][0], "state": state, "nonce": "nonce-milik-penyerang",
        "code_challenge": challenge, "code_challenge_method": "S256"})
    response = client.get(sign_in_at_idp(forged, "budi"))
    assert response.status_code == 400
    assert "Token identitas dari penyedia tidak sah" in response.get_data(as_text=True)
    assert not signed_in(client)


def test_unknown_person_is_refused_and_no_account_is_made(sso, client):
    from catalog.services.accounts import users
    response = client.get(sign_in_at_idp(start(client), "asing"))
    assert response.status_code == 403
    assert "Akun tidak dibuat otomatis" in response.get_data(as_text=True)
    assert users.get_by_email("orang.asing@contoh.go.id") is None
    assert not signed_in(client)


def test_unverified_email_is_refused(sso, client, make_user):
    make_user("adopter", "21.01", email="belum@bintankab.go.id")
    response = client.get(sign_in_at_idp(start(client), "belum"))
    assert response.status_code == 403
    assert "belum terverifikasi" in response.get_data(as_text=True)
    assert not signed_in(client)


def test_organization_claim_must_match_the_account(sso, app, client, make_user):
    app.config.update(OIDC_ORG_CLAIM="org_code", OIDC_SCOPES="openid email organization")
    make_user("adopter", "21.01", email="lain@bintankab.go.id")
    response = client.get(sign_in_at_idp(start(client), "lain"))
    assert response.status_code == 403
    assert "organisasi lain (21.72)" in response.get_data(as_text=True)


def test_organization_claim_that_matches_signs_in(sso, app, client, make_user):
    app.config.update(OIDC_ORG_CLAIM="org_code", OIDC_SCOPES="openid email organization")
    make_user("adopter", "21.01", email="budi@bintankab.go.id")
    assert client.get(sign_in_at_idp(start(client), "budi")).status_code == 302
    assert signed_in(client)


def test_deactivated_account_is_refused(sso, client, make_user):
    from catalog.extensions import db
    user = make_user("adopter", "21.01", email="budi@bintankab.go.id")
    user.active = False
    db.session.commit()
    assert client.get(sign_in_at_idp(start(client), "budi")).status_code == 403
    assert not signed_in(client)


def test_account_with_two_factor_still_gives_its_code(sso, client, make_user):
    user = make_user("adopter", "21.01", email="budi@bintankab.go.id")
    secret = two_factor.start_enrolment(user, actor=user).secret
    two_factor.confirm_enrolment(user, pyotp.TOTP(secret).now(), actor=user)
    response = client.get(sign_in_at_idp(start(client), "budi"))
    assert response.headers["Location"].endswith("/login/kode")
    assert not signed_in(client)


def test_password_sign_in_off_for_one_organization(sso, client, make_user):
    from tests.conftest import PASSWORD
    user = make_user("adopter", "21.01", email="budi@bintankab.go.id")
    single_sign_on.set_password_login("21.01", False, actor=None)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "single sign-on" in response.get_data(as_text=True)
    assert not signed_in(client)
    assert client.get(sign_in_at_idp(start(client), "budi")).status_code == 302
    assert signed_in(client)


def test_password_sign_in_off_for_the_platform(sso, app, client, make_user):
    from tests.conftest import PASSWORD
    app.config["PASSWORD_LOGIN"] = False
    user = make_user("adopter", "21.01", email="budi@bintankab.go.id")
    page = client.get("/login").get_data(as_text=True)
    assert 'name="password"' not in page and "/login/sso" in page
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 403


def test_single_sign_on_off_hides_the_button_and_refuses(sso, app, client):
    app.config["SSO_LOGIN"] = False
    assert "/login/sso" not in client.get("/login").get_data(as_text=True)
    assert client.get("/login/sso").status_code == 404


def test_unresponsive_provider_gives_a_clear_message(app, client, tmp_path):
    """The discovery document is fetched with a time-out: a provider that accepts the connection
    and never answers yields a message, not a hung request or a 500."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        app.config.update(OIDC_ISSUER=f"http://127.0.0.1:{silent.getsockname()[1]}", OIDC_CLIENT_ID="x",
                          OIDC_CLIENT_SECRET="y", OIDC_TIMEOUT=0.5)
        response = client.get("/login/sso")
    assert response.status_code == 502
    assert "tidak dapat dihubungi" in response.get_data(as_text=True)


def test_discovery_naming_another_issuer_is_refused(sso, app, client, idp):
    app.config["OIDC_ISSUER"] = idp.issuer.replace("127.0.0.1", "localhost")
    assert client.get("/login/sso").status_code == 502


def test_idp_is_really_there(idp):
    """The provider the tests talk to is the real package answering discovery on loopback."""
    document = requests.get(idp.issuer + "/.well-known/openid-configuration", timeout=10).json()
    assert document["issuer"] == idp.issuer and "S256" in document["code_challenge_methods_supported"]


def test_platform_admin_turns_password_sign_in_off_from_the_command_line(app, runner, make_user):
    from catalog.extensions import db
    from catalog.models import AuditEvent, Organization
    result = runner.invoke(args=["catalog", "password-login", "21.01", "off"])
    assert result.exit_code == 0, result.output
    org = db.session.execute(db.select(Organization).where(Organization.code == "21.01")).scalar_one()
    db.session.refresh(org)
    assert org.password_login is False
    assert db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "organization.password_login")).first()
    assert runner.invoke(args=["catalog", "password-login", "99.99", "off"]).exit_code != 0


def test_only_the_latest_attempt_of_a_browser_counts(sso, client, make_user):
    """Each click on the button starts afresh: the cookie keeps one pending attempt, not a pile."""
    make_user("adopter", "21.01", email="budi@bintankab.go.id")
    earlier = start(client)
    latest = start(client)
    with client.session_transaction() as sess:
        assert len([k for k in sess if k.startswith("_state_")]) == 1
    assert client.get(sign_in_at_idp(earlier, "budi")).status_code == 400
    assert client.get(sign_in_at_idp(latest, "budi")).status_code == 302
