"""The visitors' page cache: no cookies on anonymous pages, hits, invalidation by writes, never for
people who are signed in, one entry per language and host, bounded memory."""
from __future__ import annotations

import pytest

from catalog.extensions import db
from catalog.models import Mirror
from catalog.services.catalog import apps
from catalog.web.page_cache import Page, cache_key, keep, page_store
from tests.factories import app_payload

PAGES = ["/", "/apps", "/apps?q=kearsipan", "/apps/srikandi"]


@pytest.fixture
def published(make_user):
    publisher, admin = make_user("publisher", "21"), make_user("admin", "komdigi")
    apps.create_app(app_payload(), actor=publisher)
    apps.submit_app("srikandi", actor=publisher)
    apps.publish_app("srikandi", actor=admin)
    return publisher, admin


def _hit(response) -> bool:
    return response.headers.get("X-Page-Cache") == "hit"


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_pages_send_no_cookie(published, client, path):
    for _ in range(2):  # the rendered page and the kept one
        r = client.get(path)
        assert r.status_code == 200
        assert r.headers.getlist("Set-Cookie") == [], path


@pytest.mark.parametrize("path", PAGES)
def test_second_visit_is_served_from_memory(published, client, path):
    first = client.get(path)
    second = client.get(path)
    assert not _hit(first) and _hit(second)
    assert second.get_data() == first.get_data()
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]


def test_editing_an_app_shows_at_once(published, client):
    publisher, _admin = published
    client.get("/apps/srikandi")
    assert _hit(client.get("/apps/srikandi"))
    apps.update_app("srikandi", {"name": "Srikandi Baru"}, actor=publisher)
    r = client.get("/apps/srikandi")
    assert not _hit(r) and "Srikandi Baru" in r.get_data(as_text=True)
    assert "Srikandi Baru" in client.get("/apps?q=kearsipan").get_data(as_text=True)


def test_publishing_an_app_shows_in_the_list(published, client, make_user):
    publisher, admin = published
    client.get("/apps")
    assert _hit(client.get("/apps"))
    apps.create_app(app_payload(name="Simanja", short_description_id="Kinerja pegawai provinsi."), actor=publisher)
    apps.submit_app("simanja", actor=publisher)
    assert "Simanja" not in client.get("/apps").get_data(as_text=True)  # not yet published
    apps.publish_app("simanja", actor=admin)
    r = client.get("/apps")
    assert not _hit(r) and "Simanja" in r.get_data(as_text=True)


def test_archiving_an_app_shows_at_once(published, client):
    publisher, _admin = published
    client.get("/apps/srikandi")
    assert "Diarsipkan" not in client.get("/apps/srikandi").get_data(as_text=True)
    apps.archive_app("srikandi", actor=publisher)
    r = client.get("/apps/srikandi")
    assert not _hit(r) and "Diarsipkan" in r.get_data(as_text=True)
    assert "Srikandi" not in client.get("/apps?q=kearsipan").get_data(as_text=True)


def test_never_for_signed_in_people(published, app, client, login):
    publisher, _admin = published
    client.get("/apps")
    assert _hit(client.get("/apps"))  # kept for visitors
    login(publisher)
    for _ in range(2):
        r = client.get("/apps")
        assert not _hit(r) and "Keluar" in r.get_data(as_text=True)


def test_a_session_cookie_bypasses_the_cache(published, app, client):
    client.get("/")
    assert _hit(client.get("/"))
    other = app.test_client()
    other.get("/login")  # the sign-in form's CSRF token starts a session
    assert other.get_cookie("session") is not None
    assert not _hit(other.get("/"))
    assert cache_key({"REQUEST_METHOD": "GET", "PATH_INFO": "/", "HTTP_COOKIE": "remember_token=x"}) is None
    assert cache_key({"REQUEST_METHOD": "GET", "PATH_INFO": "/", "HTTP_AUTHORIZATION": "Bearer x"}) is None
    assert cache_key({"REQUEST_METHOD": "GET", "PATH_INFO": "/", "HTTP_COOKIE": "lang=en"}) is not None


def test_only_the_public_pages_are_kept():
    def key(path, method="GET"):
        return cache_key({"REQUEST_METHOD": method, "PATH_INFO": path})
    assert key("/") and key("/apps") and key("/apps/srikandi")
    assert not key("/apps/srikandi/adopsi") and not key("/deployments") and not key("/login")
    assert not key("/apps", "POST") and not key("/apps/srikandi/download")


def test_each_language_and_host_has_its_own_page(published, client):
    english = {"Accept-Language": "en"}
    client.get("/")
    assert _hit(client.get("/"))
    r = client.get("/", headers=english)
    assert not _hit(r) and '<html lang="en">' in r.get_data(as_text=True)
    r = client.get("/", headers=english)
    assert _hit(r) and '<html lang="en">' in r.get_data(as_text=True)
    client.set_cookie("lang", "en")
    r = client.get("/")  # an Indonesian browser that chose English
    assert _hit(r) and '<html lang="en">' in r.get_data(as_text=True)
    r = client.get("/apps/srikandi", base_url="http://katalog.example.go.id")
    assert not _hit(r)


def test_app_page_being_mirrored_is_not_kept(published, client):
    from catalog.models import App
    app_id = db.session.execute(db.select(App.id).where(App.slug == "srikandi")).scalar_one()
    mirror = db.session.execute(db.select(Mirror).where(Mirror.app_id == app_id)).scalar_one()
    mirror.state, mirror.progress = "fetching", 40
    db.session.commit()
    client.get("/apps/srikandi")
    assert not _hit(client.get("/apps/srikandi"))


def _page(body: bytes, expires=1e18) -> Page:
    return Page("200 OK", (("Content-Type", "text/html"),), body, expires)


def _version(seq: int) -> tuple:
    return (seq, 0, None)  # audit seq, outbox count, newest outbox entry


def test_store_is_bounded_and_drops_the_least_recent():
    store = page_store(max_bytes=64 * 1024)
    v1 = _version(1)
    store.follow(v1)
    for i in range(100):
        assert keep(store, v1, i, _page(b"x" * 4000))
        assert store.currsize <= 64 * 1024
    assert store.peek(v1, 99) is not None and store.peek(v1, 0) is None
    assert not keep(store, v1, "huge", _page(b"x" * 10_000))  # over 1/8 of the store: never kept


def test_store_follows_one_version():
    store = page_store(max_bytes=1024 * 1024)
    v1, v2 = _version(1), _version(2)
    store.follow(v1)
    keep(store, v1, "a", _page(b"old"))
    assert store.peek(v1, "a") is not None
    assert store.follow(v2) is not None
    assert len(store) == 0 and store.peek(v1, "a") is None
    assert store.follow(v1) is None  # a reader from before the change: it neither clears nor stores
    assert not keep(store, v1, "a", _page(b"old"))
    assert store.peek(v2, "b") is None
    assert keep(store, v2, "b", _page(b"new", expires=0)) and store.peek(v2, "b") is None  # expired


@pytest.fixture
def recent_pages(app, monkeypatch):
    """The store of recent pages on (PAGE_CACHE_STALE = 5 s, as in production) on a clock the test moves."""
    import catalog.versioned_cache
    import catalog.web.page_cache as page_cache

    clock = {"now": 1000.0}
    monkeypatch.setattr(page_cache, "monotonic", lambda: clock["now"])
    monkeypatch.setattr(catalog.versioned_cache, "monotonic", lambda: clock["now"])
    cache = app.extensions["catalog_page_cache"]
    cache.store, cache.stale, cache.recent = page_store(1024**2), 5.0, page_store(1024**2)  # on the test's clock
    cache.recent.follow(page_cache.RECENT)
    return clock


def test_under_writes_visitors_get_pages_at_most_stale_seconds_old(app, published, client, login, recent_pages):
    """A busy day moves the data version several times a second, so the exact store never keeps
    a page; visitors still get one at most PAGE_CACHE_STALE seconds old, and whoever is signed in
    sees the change at once."""
    publisher, _admin = published
    visitor = app.test_client()
    assert visitor.get("/apps/srikandi").headers.get("X-Page-Cache") is None
    apps.update_app("srikandi", {"name": "Srikandi Baru"}, actor=publisher)
    recent_pages["now"] += 4
    old = visitor.get("/apps/srikandi")
    assert old.headers["X-Page-Cache"] == "recent" and "Srikandi Baru" not in old.get_data(as_text=True)
    login(publisher)
    assert "Srikandi Baru" in client.get("/apps/srikandi").get_data(as_text=True)
    recent_pages["now"] += 2  # past the 5 s
    fresh = visitor.get("/apps/srikandi")
    assert fresh.headers.get("X-Page-Cache") is None and "Srikandi Baru" in fresh.get_data(as_text=True)
    assert visitor.get("/apps/srikandi").headers["X-Page-Cache"] == "hit"  # settled again: exact store
