"""Signed-in pages kept per session (web/session_pages.py), through real requests: kept for the
very cookie that asked, and never once anything they show, or the session's standing, changed."""
from __future__ import annotations

import time

import pytest

from catalog.extensions import db
from catalog.models import Notification
from catalog.services.accounts import users
from catalog.services.catalog import apps
from catalog.web.auth import SIGNED_IN_AT
from tests.conftest import PASSWORD
from tests.factories import app_payload

KEPT = ["/", "/apps", "/apps?q=kearsipan", "/apps/srikandi", "/apps/srikandi/adopsi", "/deployments",
        "/my/region", "/notifications"]


@pytest.fixture
def adopter(make_user, client, login):
    publisher, admin = make_user("publisher", "21"), make_user("admin", "komdigi")
    apps.create_app(app_payload(), actor=publisher)
    apps.submit_app("srikandi", actor=publisher)
    apps.publish_app("srikandi", actor=admin)
    person = make_user("adopter", "21.72")
    login(person)
    client.get("/")  # the first page after sign-in writes "last seen" and sends a new cookie
    return person


def _hit(response) -> bool:
    return response.headers.get("X-Page-Cache") == "hit"


@pytest.mark.parametrize("path", KEPT)
def test_a_page_opened_again_in_the_same_session_is_sent_from_memory(adopter, client, path):
    first, second = client.get(path), client.get(path)
    assert first.status_code == second.status_code == 200
    assert not _hit(first) and _hit(second), path
    assert second.get_data() == first.get_data()
    assert "Keluar (Uji adopter)" in second.get_data(as_text=True)  # the person's own header


def test_pages_that_did_not_opt_in_are_always_rendered(adopter, client):
    for path in ("/account/tokens", "/account"):
        client.get(path)
        assert not _hit(client.get(path)), path


def test_a_change_anywhere_is_shown_at_the_next_page(adopter, client, make_user):
    for path in ("/apps", "/apps/srikandi", "/apps/srikandi/adopsi"):
        client.get(path)
        assert _hit(client.get(path)), path
    publisher = make_user("publisher", "21")
    apps.update_app("srikandi", {"name": "Srikandi Baru"}, actor=publisher)  # another person, another org
    for path in ("/apps", "/apps/srikandi", "/apps/srikandi/adopsi"):
        page = client.get(path)
        assert not _hit(page) and "Srikandi Baru" in page.get_data(as_text=True), path


def test_a_notification_written_without_an_audit_event_shows_in_the_header_at_once(adopter, client):
    assert "belum dibaca" not in client.get("/apps").get_data(as_text=True)
    assert _hit(client.get("/apps"))
    db.session.add(Notification(user_id=adopter.id, kind="upstream_changed", title="Srikandi berubah",
                                body="-", link="/apps/srikandi"))
    db.session.commit()
    page = client.get("/apps")
    assert not _hit(page) and "belum dibaca" in page.get_data(as_text=True)
    client.post("/notifications/read")  # the person's own write, with no audit event either
    assert "belum dibaca" not in client.get("/apps").get_data(as_text=True)


def test_a_session_ended_everywhere_gets_no_kept_page(adopter, client):
    client.get("/my/region")
    assert _hit(client.get("/my/region"))
    users.end_sessions(adopter)
    page = client.get("/my/region")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_a_deactivated_account_gets_no_kept_page(adopter, client, make_user):
    client.get("/apps")
    assert _hit(client.get("/apps"))
    row = db.session.get(type(adopter), adopter.id)
    row.active = False  # as a direct database change: no audit event to move the data version
    db.session.commit()
    page = client.get("/apps")
    assert not _hit(page) and "Keluar (" not in page.get_data(as_text=True)


def test_a_session_past_its_lifetime_is_signed_out_not_served(adopter, app, client):
    client.get("/apps")
    assert _hit(client.get("/apps"))
    with client.session_transaction() as sess:
        sess[SIGNED_IN_AT] = int(time.time() - app.config["SESSION_MAX_AGE"] - 1)
    page = client.get("/apps")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_the_same_cookie_from_another_browser_is_rendered_not_sent_from_memory(adopter, client):
    client.get("/apps")
    assert _hit(client.get("/apps"))
    assert not _hit(client.get("/apps", headers={"User-Agent": "lain/1.0"}))
    assert not _hit(client.get("/apps", environ_base={"REMOTE_ADDR": "10.9.8.7"}))


def test_another_person_never_gets_anothers_page(adopter, app, make_user):
    first = app.test_client()
    first.post("/login", data={"email": adopter.email, "password": PASSWORD})
    other = make_user("adopter", "21.71")
    second = app.test_client()
    second.post("/login", data={"email": other.email, "password": PASSWORD})
    for _ in range(3):
        mine, theirs = first.get("/my/region"), second.get("/my/region")
        assert "Kota Tanjung Pinang" in mine.get_data(as_text=True)
        assert "Kota Tanjung Pinang" not in theirs.get_data(as_text=True)
        assert "Kota Batam" in theirs.get_data(as_text=True)


def test_turned_off_by_its_setting(make_user, tmp_path):
    from catalog import create_app
    from tests.conftest import _config
    application = create_app({**_config(tmp_path), "SIGNED_IN_PAGE_CACHE_MAX_BYTES": 0, "PAGE_CACHE_MAX_BYTES": 0})
    assert "catalog_page_cache" not in application.extensions


def test_a_page_is_kept_in_the_coding_its_browser_asked_for(adopter, client):
    import gzip
    first = client.get("/apps", headers={"Accept-Encoding": "gzip"})
    second = client.get("/apps", headers={"Accept-Encoding": "gzip"})
    assert _hit(second) and second.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(second.get_data()) == gzip.decompress(first.get_data())
    plain = client.get("/apps")  # another Accept-Encoding: rendered for it, never sent compressed
    assert not _hit(plain) and "Content-Encoding" not in plain.headers
    assert "Srikandi" in plain.get_data(as_text=True)


def test_a_session_whose_last_seen_falls_due_is_answered_by_the_app(adopter, app, client, monkeypatch):
    client.get("/apps")
    assert _hit(client.get("/apps"))
    later = time.time() + app.config["SESSION_SEEN_INTERVAL"] + 1  # the same cookie, minutes on
    monkeypatch.setattr(time, "time", lambda: later)
    page = client.get("/apps")
    assert not _hit(page) and page.headers.get("Set-Cookie")  # "last seen" written, a new cookie sent


def test_a_session_whose_lifetime_runs_out_is_signed_out_not_served(adopter, app, client, monkeypatch):
    app.config["SESSION_SEEN_INTERVAL"] = 10 * app.config["SESSION_MAX_AGE"]  # "last seen" never due here
    client.get("/apps")
    assert _hit(client.get("/apps"))
    later = time.time() + app.config["SESSION_MAX_AGE"] + 1  # the same cookie, past its lifetime
    monkeypatch.setattr(time, "time", lambda: later)
    page = client.get("/apps")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_static_files_and_the_api_with_the_cookie_cost_no_session_query(adopter, client, monkeypatch):
    asked = []
    real = users.session_facts
    monkeypatch.setattr(users, "session_facts", lambda *args: asked.append(args) or real(*args))
    assert client.get("/static/css/catalog.css").status_code == 200
    assert client.get("/api/v1/apps?per_page=1").status_code == 200
    assert asked == []
    client.get("/apps")  # a page: asked once
    assert len(asked) == 1
