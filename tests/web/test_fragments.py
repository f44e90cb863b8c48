"""Shared fragments of signed-in pages: the catalog list and home rendered once for everyone."""
from __future__ import annotations

import pytest

from catalog.services.catalog import apps, browse
from catalog.web import fragments
from tests.factories import app_payload


def _publish(make_user, **fields):
    publisher, admin = make_user("publisher", "21"), make_user("admin", "komdigi")
    payload = app_payload(**fields)
    apps.create_app(payload, actor=publisher)
    slug = payload["name"].lower()
    apps.submit_app(slug, actor=publisher)
    apps.publish_app(slug, actor=admin)
    return publisher, admin


@pytest.fixture
def searches(monkeypatch):
    """How often the catalog's search ran."""
    calls: list[str] = []
    real = browse.browse

    def counted(q="", *args, **kwargs):
        calls.append(q)
        return real(q, *args, **kwargs)

    monkeypatch.setattr(browse, "browse", counted)
    return calls


def test_signed_in_people_share_one_rendering_with_their_own_header(app, client, make_user, searches):
    _publish(make_user)
    first, second = make_user("adopter", "21.72"), make_user("adopter", "63.09")
    client_a, client_b = client, app.test_client()
    for client, user in ((client_a, first), (client_b, second)):
        client.post("/login", data={"email": user.email, "password": "kata-sandi-uji-123"})
    a = client_a.get("/apps?q=kearsipan").get_data(as_text=True)
    b = client_b.get("/apps?q=kearsipan").get_data(as_text=True)
    assert searches == ["kearsipan"]  # one search, two signed-in pages
    assert "Srikandi" in a and "Srikandi" in b
    assert a.count("Keluar") == b.count("Keluar") == 1
    assert first.email != second.email and a != b  # each page has its own CSRF token and shell
    body = a[a.index('<main id="isi"'):a.index("</main>")]
    assert body == b[b.index('<main id="isi"'):b.index("</main>")]


def test_a_change_shows_at_once_without_a_staleness_window(app, client, make_user, login, searches):
    publisher, _admin = _publish(make_user)
    login(publisher)
    assert "Simanja" not in client.get("/apps").get_data(as_text=True)
    _publish(make_user, name="Simanja", short_description_id="Kinerja pegawai provinsi.")
    assert "Simanja" in client.get("/apps").get_data(as_text=True)
    assert len(searches) == 2


def test_within_the_staleness_window_the_older_fragment_serves(app, client, make_user, login, monkeypatch):
    """A fragment kept under the data version (the API's list; the pages' list and home are kept
    under the search index's position, tests/web/test_catalog_list_marks.py)."""
    publisher, _admin = _publish(make_user)
    cache = app.extensions[fragments.EXTENSION]
    monkeypatch.setattr(cache, "stale", 30.0)
    login(publisher)
    assert "Simanja" not in client.get("/api/v1/apps").get_data(as_text=True)
    _publish(make_user, name="Simanja", short_description_id="Kinerja pegawai provinsi.")
    assert "Simanja" not in client.get("/api/v1/apps").get_data(as_text=True)  # at most `stale` seconds old
    later = fragments.monotonic() + 31
    monkeypatch.setattr(fragments, "monotonic", lambda: later)
    assert "Simanja" in client.get("/api/v1/apps").get_data(as_text=True)


def test_a_refused_query_is_never_kept(client, make_user, login, searches):
    login(make_user("adopter", "21.72"))
    for _ in range(2):
        r = client.get("/apps", query_string={"q": "a" * 500})
        assert r.status_code == 400 and "terlalu panjang" in r.get_data(as_text=True).lower()
    assert len(searches) == 2


def test_language_is_part_of_the_key(client, make_user, searches):
    _publish(make_user)
    indonesian = client.get("/apps").get_data(as_text=True)
    english = client.get("/apps", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Katalog aplikasi" in indonesian and "Katalog aplikasi" not in english.split("<main", 1)[1]
    assert len(searches) == 2


def test_app_page_shares_its_public_parts_and_keeps_each_persons_actions(app, client, make_user, monkeypatch):
    from catalog.services.repos import listing

    publisher, _admin = _publish(make_user)
    loads: list[int] = []
    real = listing.fork_page
    monkeypatch.setattr(listing, "fork_page", lambda app_id, *a, **k: loads.append(app_id) or real(app_id, *a, **k))
    adopter_client = app.test_client()
    adopter_client.post("/login", data={"email": make_user("adopter", "21.72").email, "password": "kata-sandi-uji-123"})
    client.post("/login", data={"email": publisher.email, "password": "kata-sandi-uji-123"})
    mine = client.get("/apps/srikandi").get_data(as_text=True)
    theirs = adopter_client.get("/apps/srikandi").get_data(as_text=True)
    visitor = app.test_client().get("/apps/srikandi").get_data(as_text=True)
    assert len(loads) == 1  # the fork table was rendered once for all three
    assert "/apps/srikandi/edit" in mine and "/apps/srikandi/edit" not in theirs + visitor
    assert "Belum ada daerah yang menyalin" in mine and "Belum ada daerah yang menyalin" in visitor
    assert mine.count('name="csrf_token"') > theirs.count('name="csrf_token"') >= 1


def test_a_csrf_token_inside_a_shared_fragment_is_refused(app):
    with app.test_request_context("/"):
        template = app.jinja_env.from_string('{% call shared("x") %}{{ csrf_token() }}{% endcall %}')
        with pytest.raises(RuntimeError, match="shared fragment"):
            template.render()


def test_a_regions_overview_is_shared_by_its_staff_and_never_shown_to_another_region(app, make_user, monkeypatch):
    from catalog.services.deployments import queries

    renders: list[int] = []
    real = queries.overview_of
    monkeypatch.setattr(queries, "overview_of", lambda org, *a, **k: renders.append(org.id) or real(org, *a, **k))
    pages = {}
    for name, org in (("first", "21.72"), ("colleague", "21.72"), ("elsewhere", "63.09")):
        browser = app.test_client()
        browser.post("/login", data={"email": make_user("adopter", org).email, "password": "kata-sandi-uji-123"})
        pages[name] = browser.get("/my/region").get_data(as_text=True)
    assert len(renders) == 2  # once for Kota Tanjung Pinang's two staff, once for Tabalong
    assert "Kota Tanjung Pinang" in pages["colleague"] and "Kota Tanjung Pinang" not in pages["elsewhere"]
    assert "Tabalong" in pages["elsewhere"]


def test_under_a_steady_trickle_of_writes_a_fragment_still_serves_within_the_staleness_window(
        app, client, make_user, login, monkeypatch, searches):
    """Deployments and pushes change the data version every second or so on a working day: the
    version never settles, and the fragments rendered meanwhile must still be reused for a while."""
    _publish(make_user)
    cache = app.extensions[fragments.EXTENSION]
    monkeypatch.setattr(cache, "stale", 30.0)
    monkeypatch.setattr(cache, "settle", 3600.0)  # never settles
    login(make_user("adopter", "21.72"))
    for _ in range(3):  # the API's list: kept under the data version (the page's list is not)
        assert "Srikandi" in client.get("/api/v1/apps?q=kearsipan").get_data(as_text=True)
    assert searches == ["kearsipan"]
    later = fragments.monotonic() + 31
    monkeypatch.setattr(fragments, "monotonic", lambda: later)
    client.get("/api/v1/apps?q=kearsipan")
    assert searches == ["kearsipan", "kearsipan"]  # past the window it is rendered again


def test_api_reads_of_published_data_are_computed_once_for_every_caller(app, client, make_user, token_for, searches):
    publisher, _admin = _publish(make_user)
    first, second = token_for(make_user("adopter", "21.72")), token_for(make_user("adopter", "63.09"))
    answers = [client.get("/api/v1/apps?q=kearsipan", headers=h).json for h in (first, second, {})]
    assert searches == ["kearsipan"] and answers[0] == answers[1] == answers[2]
    assert answers[0]["items"][0]["slug"] == "srikandi"
    draft = app_payload(name="Rahasia", short_description_id="Draf penerbit.")
    apps.create_app(draft, actor=publisher)
    assert client.get("/api/v1/apps/rahasia", headers=token_for(publisher)).status_code == 200
    assert client.get("/api/v1/apps/rahasia", headers=first).status_code == 404  # a draft is never shared
