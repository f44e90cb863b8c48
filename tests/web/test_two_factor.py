"""Two-factor sign-in through the real pages: enrolment with a QR code drawn by the catalog,
sign-in in two steps with nobody signed in between, codes used once, wrong codes limited,
recovery codes, the role rule of production, and the code asked when making a token."""
from __future__ import annotations

import re
import time

import pyotp
import pytest

from catalog.config import build_config
from catalog.extensions import db
from catalog.models import AccessToken, TwoFactor
from catalog.services.accounts import two_factor
from tests.conftest import PASSWORD


def enrol(user) -> pyotp.TOTP:
    """Two-factor on for `user` through the service; the code of the current step is spent."""
    totp = pyotp.TOTP(two_factor.start_enrolment(user, actor=user).secret)
    two_factor.confirm_enrolment(user, totp.now(), actor=user)
    return totp


def next_code(totp: pyotp.TOTP) -> str:
    """The code of the next 30-second step: accepted (clock drift) and not yet spent."""
    return totp.at(time.time() + 30)


def signed_in(client) -> bool:
    return client.get("/account/tokens").status_code == 200


def password_step(client, user):
    return client.post("/login", data={"email": user.email, "password": PASSWORD})


def test_enrolment_shows_a_qr_code_drawn_here_then_recovery_codes_once(client, make_user, login):
    user = make_user("adopter", "21.72")
    login(user)
    page = client.post("/account/two-factor/start").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page  # segno's SVG, no outside QR service
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    response = client.post("/account/two-factor/confirm", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 303
    shown = client.get("/account/two-factor").get_data(as_text=True)
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", shown)
    assert len(codes) == 10
    assert not re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>",
                          client.get("/account/two-factor").get_data(as_text=True))
    assert two_factor.is_enabled(user)


def test_secret_is_not_stored_in_the_clear(app, make_user):
    user = make_user("adopter", "21.72")
    secret = two_factor.start_enrolment(user, actor=user).secret
    assert secret not in db.session.get(TwoFactor, user.id).secret


def test_wrong_first_code_leaves_two_factor_off(client, make_user, login):
    user = make_user("adopter", "21.72")
    login(user)
    client.post("/account/two-factor/start")
    response = client.post("/account/two-factor/confirm", data={"code": "000000"})
    assert response.status_code == 422 and "Kode tidak cocok" in response.get_data(as_text=True)
    assert not two_factor.is_enabled(user)


def test_sign_in_is_two_steps_and_nobody_is_signed_in_between(client, make_user):
    user = make_user("adopter", "21.72")
    totp = enrol(user)
    response = password_step(client, user)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/kode")
    assert not signed_in(client)
    with client.session_transaction() as sess:
        assert "_user_id" not in sess
    response = client.post("/login/kode", data={"code": next_code(totp)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/my/region")
    assert signed_in(client)


def test_wrong_code_is_refused(client, make_user):
    user = make_user("adopter", "21.72")
    enrol(user)
    password_step(client, user)
    response = client.post("/login/kode", data={"code": "123456"})
    assert response.status_code == 422 and "Kode tidak cocok" in response.get_data(as_text=True)
    assert not signed_in(client)


def test_a_code_cannot_be_replayed_within_its_window(app, client, make_user):
    user = make_user("adopter", "21.72")
    totp = enrol(user)
    code = next_code(totp)
    first, second = app.test_client(), app.test_client()
    password_step(first, user)
    assert first.post("/login/kode", data={"code": code}).status_code == 302
    password_step(second, user)
    response = second.post("/login/kode", data={"code": code})
    assert response.status_code == 422 and "sudah dipakai" in response.get_data(as_text=True)
    assert not signed_in(second)


def test_wrong_codes_are_throttled_per_account(client, make_user):
    user = make_user("adopter", "21.72")
    totp = enrol(user)
    password_step(client, user)
    for _attempt in range(two_factor.MAX_FAILURES):
        assert client.post("/login/kode", data={"code": "000000"}).status_code == 422
    response = client.post("/login/kode", data={"code": next_code(totp)})  # even the right one, for now
    assert response.status_code == 429 and "Terlalu banyak kode yang salah" in response.get_data(as_text=True)
    assert not signed_in(client)


def test_recovery_code_signs_in_once(app, client, make_user):
    user = make_user("adopter", "21.72")
    totp = pyotp.TOTP(two_factor.start_enrolment(user, actor=user).secret)
    codes = two_factor.confirm_enrolment(user, totp.now(), actor=user)
    first, second = app.test_client(), app.test_client()
    password_step(first, user)
    assert first.post("/login/kode", data={"code": codes[0].upper()}).status_code == 302
    assert two_factor.recovery_codes_left(user) == 9
    password_step(second, user)
    assert second.post("/login/kode", data={"code": codes[0]}).status_code == 422


def test_code_step_without_a_password_first_is_the_sign_in_page(client):
    response = client.post("/login/kode", data={"code": "123456"})
    assert response.status_code == 401 and 'name="password"' in response.get_data(as_text=True)


def test_code_step_expires(client, make_user):
    user = make_user("adopter", "21.72")
    totp = enrol(user)
    password_step(client, user)
    with client.session_transaction() as sess:
        sess["sign_in_pending"] = {**sess["sign_in_pending"], "at": sess["sign_in_pending"]["at"] - 3600}
    assert client.post("/login/kode", data={"code": next_code(totp)}).status_code == 401
    assert not signed_in(client)


def test_production_requires_two_factor_of_admins_and_org_admins():
    cfg = build_config({"ENV_NAME": "production", "SECRET_KEY": "x" * 32})
    assert set(cfg["TWO_FACTOR_ROLES"]) == {"admin", "org_admin"}
    assert build_config({"ENV_NAME": "development"})["TWO_FACTOR_ROLES"] == ()


def test_admin_without_two_factor_is_enrolled_before_signing_in(app, client, make_user):
    app.config["TWO_FACTOR_ROLES"] = ("admin", "org_admin")  # as in production
    admin = make_user("admin", "21.72")
    response = password_step(client, admin)
    assert response.headers["Location"].endswith("/login/daftar-kode")
    page = client.get("/login/daftar-kode").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page and not signed_in(client)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    response = client.post("/login/daftar-kode", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-factor")
    assert signed_in(client)
    assert "Kode pemulihan Anda" in client.get("/account/two-factor").get_data(as_text=True)


def test_required_two_factor_cannot_be_turned_off(app, client, make_user, login):
    admin = make_user("admin", "21.72")
    totp = enrol(admin)
    app.config["TWO_FACTOR_ROLES"] = ("admin",)
    password_step(client, admin)
    client.post("/login/kode", data={"code": next_code(totp)})
    response = client.post("/account/two-factor/disable", data={"code": totp.at(time.time() - 30)})
    assert response.status_code == 403 and two_factor.is_enabled(admin)


def test_two_factor_can_be_turned_off_with_a_code(client, make_user, login):
    user = make_user("adopter", "21.72")
    login(user)  # signed in before two-factor was on
    totp = enrol(user)
    assert client.post("/account/two-factor/disable", data={"code": next_code(totp)}).status_code == 303
    assert not two_factor.is_enabled(user)


@pytest.mark.parametrize("code,expected", [("", 400), ("000000", 400)])
def test_new_token_asks_for_a_code_when_two_factor_is_on(client, make_user, login, code, expected):
    user = make_user("adopter", "21.72")
    login(user)
    enrol(user)
    page = client.get("/account/tokens").get_data(as_text=True)
    assert 'name="code"' in page
    response = client.post("/account/tokens", data={"label": "laptop", "scopes": ["git"], "lifetime_days": "30",
                                                     "code": code})
    assert response.status_code == expected
    assert db.session.execute(db.select(AccessToken).where(AccessToken.user_id == user.id)).first() is None


def test_new_token_with_a_current_code_is_made(client, make_user, login):
    user = make_user("adopter", "21.72")
    login(user)
    totp = enrol(user)
    response = client.post("/account/tokens", data={"label": "laptop", "scopes": ["git"], "lifetime_days": "30",
                                                     "code": next_code(totp)})
    assert response.status_code == 303
    assert "kbp_" in client.get("/account/tokens").get_data(as_text=True)


def test_token_page_asks_no_code_without_two_factor(client, make_user, login):
    login(make_user("adopter", "21.72"))
    assert 'name="code"' not in client.get("/account/tokens").get_data(as_text=True)


def test_operator_resets_two_factor_from_the_command_line(app, runner, make_user):
    user = make_user("adopter", "21.72")
    enrol(user)
    result = runner.invoke(args=["catalog", "two-factor-reset", "--email", user.email])
    assert result.exit_code == 0, result.output
    assert not two_factor.is_enabled(user) and two_factor.recovery_codes_left(user) == 0


def test_the_sign_in_is_recorded_only_once_the_code_is_given(client, make_user):
    user = make_user("adopter", "21.72")
    totp = enrol(user)
    password_step(client, user)
    db.session.expire_all()
    assert db.session.get(type(user), user.id).last_login_at is None  # the password alone is not a sign-in
    client.post("/login/kode", data={"code": next_code(totp)})
    assert signed_in(client)
    db.session.expire_all()
    assert db.session.get(type(user), user.id).last_login_at is not None
