"""Choosing the language: Indonesian by default, the browser's English, a switch remembered per user."""
from __future__ import annotations

from datetime import UTC, date, datetime

from catalog.extensions import db
from catalog.models import AuditEvent, User
from catalog.services.accounts import users
from catalog.services.errors import PermissionDenied, ValidationFailed


def _lang(html: str) -> str:
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_indonesian_by_default_english_for_the_browser(client):
    assert _lang(client.get("/").get_data(as_text=True)) == "id"
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert _lang(html) == "en" and "Find government applications you can share and reuse" in html


def test_switch_is_kept_in_the_session_for_visitors(client):
    r = client.post("/language", data={"lang": "en", "next": "/apps?q=arsip"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/apps?q=arsip")
    html = client.get("/apps", headers={"Accept-Language": "id"}).get_data(as_text=True)
    assert _lang(html) == "en" and "Application catalog" in html
    client.post("/language", data={"lang": "id"})
    assert _lang(client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)) == "id"


def test_switch_refuses_foreign_targets_and_unknown_languages(client):
    r = client.post("/language", data={"lang": "fr", "next": "//jahat.example/"})
    assert r.status_code == 302 and "jahat" not in r.headers["Location"]
    assert _lang(client.get("/").get_data(as_text=True)) == "id"


def test_signed_in_choice_is_remembered_on_the_account_and_audited(app, client, make_user, login):
    user = make_user("adopter", "21.72")
    login(user)
    client.post("/language", data={"lang": "en"})
    assert db.session.get(User, user.id).locale == "en"
    event = db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "user.locale")).scalar_one()
    assert event.object_id == str(user.id)
    client.post("/logout")
    other = app.test_client()  # a new browser: no session, an Indonesian browser
    other.post("/login", data={"email": user.email, "password": "kata-sandi-uji-123"})
    html = other.get("/", headers={"Accept-Language": "id"}).get_data(as_text=True)
    assert _lang(html) == "en" and "Sign out" in html


def test_set_locale_validates_and_authorizes(make_user):
    a, b = make_user("adopter", "21.72"), make_user("adopter", "21.01")
    try:
        users.set_locale(a, "fr", actor=a)
    except ValidationFailed as exc:
        assert "lang" in exc.fields
    else:
        raise AssertionError("unknown language accepted")
    try:
        users.set_locale(a, "en", actor=b)
    except PermissionDenied:
        pass
    else:
        raise AssertionError("another user's language changed")


def test_messages_from_services_and_forms_follow_the_language(client, make_user, login):
    login(make_user("publisher", "21"))
    client.post("/language", data={"lang": "en"})
    html = client.post("/apps/new", data={"name": ""}).get_data(as_text=True)
    assert "Check the marked fields again." in html and "The name is required." not in html
    assert "Periksa kembali" not in html
    r = client.get("/api/v1/apps/tidak-ada", headers={"Accept-Language": "en"})
    assert r.status_code == 404 and r.json["message"] == "Application not found."


def test_dates_and_numbers_in_the_chosen_locale(app):
    from flask_babel import force_locale

    from catalog.web.filters import format_date, format_number
    moment = datetime(2026, 3, 5, 14, 30, tzinfo=UTC)
    with app.test_request_context("/"):
        with force_locale("id"):
            assert format_date(date(2026, 3, 5)) == "5 Mar 2026" and format_number(27400) == "27.400"
            assert format_date(moment, with_time=True).startswith("5 Mar 2026")
        with force_locale("en"):
            assert format_date(date(2026, 3, 5)) == "Mar 5, 2026" and format_number(27400) == "27,400"


def test_visitor_switch_is_a_cookie_without_a_session(client):
    r = client.get("/lang/en?next=/apps%3Fq%3Darsip")
    assert r.status_code == 302 and r.headers["Location"].endswith("/apps?q=arsip")
    cookies = r.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("lang=en;") and "HttpOnly" in cookies[0]
    r = client.get("/apps", headers={"Accept-Language": "id"})
    assert _lang(r.get_data(as_text=True)) == "en" and r.headers.getlist("Set-Cookie") == []
    assert 'href="/lang/id?next=/apps"' in r.get_data(as_text=True)  # a link, no form, no CSRF token
    assert "csrf_token" not in r.get_data(as_text=True)
    client.get("/lang/id?next=/")
    assert _lang(client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)) == "id"


def test_visitor_switch_refuses_foreign_targets_and_unknown_languages(client):
    for target in ("//jahat.example/", "https://jahat.example/", "/\\jahat.example", "jahat.example", "\\\\jahat"):
        r = client.get("/lang/en", query_string={"next": target})
        assert r.status_code == 302, target
        location = r.headers["Location"]
        assert "jahat" not in location and location.endswith("/"), target
    assert client.get("/lang/fr?next=/").status_code == 404
    assert client.get("/lang/en").headers["Location"].endswith("/")


def test_signed_in_link_lasts_the_session_without_writing_the_account(client, make_user, login):
    user = make_user("adopter", "21.72")
    login(user)
    html = client.get("/").get_data(as_text=True)
    assert 'action="/language"' in html and 'name="csrf_token"' in html  # signed in: the form
    r = client.get("/lang/en?next=/")
    assert r.status_code == 302
    assert _lang(client.get("/", headers={"Accept-Language": "id"}).get_data(as_text=True)) == "en"
    assert db.session.get(User, user.id).locale is None  # a GET never writes the database
    assert db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "user.locale")).first() is None
    client.post("/language", data={"lang": "id", "next": "/"})  # the form stores the choice
    assert db.session.get(User, user.id).locale == "id"
    assert _lang(client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)) == "id"
