"""Password change on the account page: the current password first, the policy for the new one,
and every session ends (the person signs in again with the new password)."""
from __future__ import annotations

from catalog.services.accounts import users
from tests.conftest import PASSWORD

NEW = "kopi-tanjung-uban-pagi"


def _change(client, current=PASSWORD, new=NEW, confirm=None):
    return client.post("/account/password", data={"current_password": current, "password": new,
                                                   "password_confirm": new if confirm is None else confirm})


def test_the_account_page_links_to_the_form(client, login, make_user):
    login(make_user("adopter", "21.01"))
    assert '/account/password"' in client.get("/account/tokens").text
    assert client.get("/account/password").status_code == 200


def test_a_change_needs_the_current_password(client, login, make_user):
    user = make_user("adopter", "21.01")
    login(user)
    r = _change(client, current="bukan-sandi-saya-1")
    assert r.status_code == 422 and "Kata sandi saat ini salah" in r.text
    assert users.authenticate(user.email, PASSWORD) is not None


def test_the_new_password_must_be_long_and_uncommon(client, login, make_user):
    login(make_user("adopter", "21.01"))
    assert "minimal 12" in _change(client, new="pendek-1").text
    assert "terlalu umum" in _change(client, new="qwertyuiop123").text


def test_the_two_entries_must_match(client, login, make_user):
    login(make_user("adopter", "21.01"))
    assert _change(client, confirm=NEW + "x").status_code == 422


def test_a_change_ends_every_session_and_the_new_password_works(client, app, login, make_user):
    user = make_user("adopter", "21.01")
    login(user)
    laptop = app.test_client()
    laptop.post("/login", data={"email": user.email, "password": PASSWORD})
    r = _change(client)
    assert r.status_code == 303 and r.headers["Location"].endswith("/login")
    assert laptop.get("/account/tokens").status_code == 302
    assert client.get("/account/tokens").status_code == 302
    assert client.post("/login", data={"email": user.email, "password": NEW}).status_code == 302


def test_wrong_current_passwords_are_throttled_like_sign_in(client, login, make_user):
    login(make_user("adopter", "21.01"))
    codes = [_change(client, current=f"salah-salah-{i}").status_code for i in range(6)]
    assert codes[:5] == [422] * 5 and codes[5] == 429
