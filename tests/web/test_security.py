"""Web hardening: CSRF on forms, sign-in throttling, cookies, request size."""
from __future__ import annotations

import re

from catalog import create_app
from catalog.extensions import db
from tests.conftest import PASSWORD


def test_form_post_without_csrf_token_refused(app, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    user = make_user("publisher", "21")
    r = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert r.status_code == 400 and "Formulir kedaluwarsa" in r.get_data(as_text=True)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302


def test_api_needs_no_csrf_but_a_bearer_token(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/api/v1/apps", json={}).status_code == 401


def test_login_throttled_after_repeated_failures(client, make_user):
    user = make_user("adopter", "21.72")
    for _ in range(5):
        assert client.post("/login", data={"email": user.email, "password": "salah-salah-1"}).status_code == 401
    r = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert r.status_code == 429 and "Terlalu banyak percobaan" in r.get_data(as_text=True)


def test_throttle_is_shared_across_processes(client, make_user, app):
    """A second app object (another worker process) sees the same counters: they live in the database."""
    user = make_user("adopter", "21.72")
    for _ in range(5):
        client.post("/login", data={"email": user.email, "password": "salah-salah-1"})
    other = create_app({**app.config, "SQLALCHEMY_ENGINE_OPTIONS": {}})
    other.test_client_class = type(client)
    with other.app_context():
        r = other.test_client().post("/login", data={"email": user.email, "password": PASSWORD})
        assert r.status_code == 429
        db.engine.dispose()


def test_success_clears_account_counter(client, make_user):
    user = make_user("adopter", "21.72")
    for _ in range(3):
        client.post("/login", data={"email": user.email, "password": "salah-salah-1"})
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    client.post("/logout")
    for _ in range(4):
        assert client.post("/login", data={"email": user.email, "password": "salah-salah-1"}).status_code == 401


def test_production_cookies_are_secure(tmp_path):
    app = create_app({"DATA_DIR": str(tmp_path), "ENV_NAME": "production", "SECRET_KEY": "x" * 40})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax" and app.config["REMEMBER_COOKIE_SECURE"]


def test_production_requires_secret(tmp_path, monkeypatch):
    import pytest
    monkeypatch.delenv("CATALOG_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError):
        create_app({"DATA_DIR": str(tmp_path), "ENV_NAME": "production"})


def test_oversized_request_refused(client, make_user, login):
    login(make_user("publisher", "21"))
    r = client.post("/apps/new", data={"description": "x" * (17 * 1024 * 1024)})
    assert r.status_code == 413 and "terlalu besar" in r.get_data(as_text=True)
