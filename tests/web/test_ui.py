"""Pages through the test client: browsing, sign-in, the publisher form and the admin queue."""
from __future__ import annotations

import pytest

from catalog.services.catalog import apps
from tests.factories import app_payload


def _published(make_user):
    publisher, admin = make_user("publisher", "21"), make_user("admin", "komdigi")
    apps.create_app(app_payload(), actor=publisher)
    apps.submit_app("srikandi", actor=publisher)
    apps.publish_app("srikandi", actor=admin)
    return publisher, admin


def test_home_shows_counts_and_search(client, make_user):
    _published(make_user)
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="id">' in html
    assert "514" in html and "Srikandi" in html and 'name="q"' in html


def test_catalog_search_and_facets(client, make_user):
    _published(make_user)
    html = client.get("/apps?q=kearsipan").get_data(as_text=True)
    assert "Srikandi" in html and "Manajemen dokumen" in html
    html = client.get("/apps?q=zzzzqqq").get_data(as_text=True)
    assert "Tidak ada aplikasi yang cocok" in html


def test_catalog_long_query_gets_clear_message(client):
    r = client.get("/apps", query_string={"q": "a" * 500})
    assert r.status_code == 400 and "terlalu panjang" in r.get_data(as_text=True).lower()


def test_app_page_sanitizes_markdown(client, make_user):
    publisher, admin = make_user("publisher", "21"), make_user("admin", "komdigi")
    apps.create_app(app_payload(description="**tebal** <script>alert(1)</script> [x](javascript:alert(1))"),
                    actor=publisher)
    html = client.get("/apps/srikandi", headers={}).get_data(as_text=True)
    assert client.get("/apps/srikandi").status_code == 404  # draft hidden from anonymous
    apps.submit_app("srikandi", actor=publisher)
    apps.publish_app("srikandi", actor=admin)
    html = client.get("/apps/srikandi").get_data(as_text=True)
    assert "<strong>tebal</strong>" in html and "<script>alert" not in html and "javascript:" not in html


def test_login_wrong_password_is_clear(client, make_user):
    user = make_user("publisher", "21")
    r = client.post("/login", data={"email": user.email, "password": "salah-sekali"})
    assert r.status_code == 401 and "E-mail atau kata sandi salah" in r.get_data(as_text=True)
    assert user.email in r.get_data(as_text=True)  # what was typed is kept


def test_login_rejects_open_redirect(client, make_user, login):
    user = make_user("publisher", "21")
    r = client.post("/login", data={"email": user.email, "password": "kata-sandi-uji-123", "next": "//evil.example/x"})
    assert r.status_code == 302 and r.headers["Location"] == "/my/apps"  # the publisher's own landing page


@pytest.mark.parametrize("role,org,landing", [("adopter", "21.72", "/my/region"), ("publisher", "21", "/my/apps"),
                                              ("admin", "komdigi", "/admin/review"), ("auditor", "21", "/reports")])
def test_sign_in_lands_on_each_roles_own_work(client, make_user, role, org, landing):
    """Issue 15: adopters land on "Aplikasi di daerah saya", admins on the review queue, auditors
    on the reports; a `next` still wins."""
    user = make_user(role, org)
    r = client.post("/login", data={"email": user.email, "password": "kata-sandi-uji-123"})
    assert r.status_code == 302 and r.headers["Location"] == landing
    assert client.get(landing).status_code == 200
    client.post("/logout")
    r = client.post("/login", data={"email": user.email, "password": "kata-sandi-uji-123", "next": "/apps?q=arsip"})
    assert r.headers["Location"] == "/apps?q=arsip"


def test_logout_invalidates_old_session_cookie(client, make_user, login):
    user = make_user("publisher", "21")
    login(user)
    cookie = client.get_cookie("session").value
    assert client.get("/my/apps").status_code == 200
    client.post("/logout")
    client.set_cookie("session", cookie)
    assert client.get("/my/apps").status_code == 302  # back to the login page


def test_logout_ends_this_device_only_and_everywhere_ends_all(app, make_user):
    """Issue 15, item 8: "Keluar" signs out this device (its cookie, even copied, stops working)
    and leaves the person signed in on their other devices; "Keluar dari semua perangkat" ends all."""
    from tests.conftest import IsolatedClient

    user = make_user("adopter", "21.72")
    app.test_client_class = IsolatedClient  # each request in its own context, as in production
    laptop, phone, tablet = app.test_client(), app.test_client(), app.test_client()
    for device in (laptop, phone, tablet):
        device.post("/login", data={"email": user.email, "password": "kata-sandi-uji-123"})
    copied = laptop.get_cookie("session").value
    laptop.post("/logout")
    assert laptop.get("/my/region").status_code == 302
    laptop.set_cookie("session", copied)
    assert laptop.get("/my/region").status_code == 302  # the copied cookie is ended too
    assert phone.get("/my/region").status_code == 200 and tablet.get("/my/region").status_code == 200
    assert "Keluar dari semua perangkat" in phone.get("/account/tokens").get_data(as_text=True)
    phone.post("/logout/all")
    assert phone.get("/my/region").status_code == 302 and tablet.get("/my/region").status_code == 302
    laptop.post("/login", data={"email": user.email, "password": "kata-sandi-uji-123"})
    assert laptop.get("/my/region").status_code == 200  # signing in again works as before


def test_publisher_registers_app_and_errors_keep_input(client, make_user, login):
    publisher = make_user("publisher", "21")
    login(publisher)
    form = app_payload(features="Naskah dinas\nDisposisi", tags="kearsipan", platforms="web",
                       maintenance_contacts="Tim Srikandi <srikandi@anri.go.id>", license="")
    r = client.post("/apps/new", data=form)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "kode SPDX" in html and "Naskah dinas\nDisposisi" in html
    form["license"] = "GPL-3.0-or-later"
    r = client.post("/apps/new", data=form)
    assert r.status_code == 302 and r.headers["Location"].endswith("/apps/srikandi")
    app = apps.get_app("srikandi", publisher)
    assert app.features == ["Naskah dinas", "Disposisi"]
    assert app.maintenance_contacts[0]["email"] == "srikandi@anri.go.id"


def test_form_tags_are_normalised_and_a_refusal_names_the_tag(client, make_user, login):
    """Issue 15: typed as people say them ("Izin Usaha", "izin_usaha"), tags are kept as `izin-usaha`
    once; a tag that cannot be one is named in the form's error and what was typed is kept."""
    publisher = make_user("publisher", "21")
    login(publisher)
    form = app_payload(features="Naskah dinas", tags="Izin Usaha, kearsipan, izin/usaha!", platforms="web",
                       maintenance_contacts="Tim Srikandi <srikandi@anri.go.id>", license="GPL-3.0-or-later")
    r = client.post("/apps/new", data=form)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Tag &#39;izin/usaha!&#39; tidak dapat dipakai" in html
    assert "Izin Usaha, kearsipan, izin/usaha!" in html
    form["tags"] = "Izin Usaha, kearsipan, izin_usaha"
    r = client.post("/apps/new", data=form)
    assert r.status_code == 302
    assert apps.get_app("srikandi", publisher).tags == ["izin-usaha", "kearsipan"]
    edit = client.get("/apps/srikandi/edit").get_data(as_text=True)
    assert "izin-usaha, kearsipan" in edit


def test_admin_review_publish_and_return(client, make_user, login):
    publisher = make_user("publisher", "21")
    apps.create_app(app_payload(), actor=publisher)
    apps.submit_app("srikandi", actor=publisher)
    apps.create_app(app_payload(name="Simanja"), actor=publisher)
    apps.submit_app("simanja", actor=publisher)
    login(make_user("admin", "komdigi"))
    html = client.get("/admin/review").get_data(as_text=True)
    assert "Srikandi" in html and "Simanja" in html
    assert client.post("/admin/review/srikandi/publish").status_code == 302
    client.post("/admin/review/simanja/return", data={"note": ""})
    assert apps.get_app("simanja", publisher).state == "submitted"
    client.post("/admin/review/simanja/return", data={"note": "Tambahkan kontak."})
    assert apps.get_app("simanja", publisher).state == "returned"
    assert apps.get_app("srikandi").state == "published"


def test_review_queue_forbidden_for_publisher(client, make_user, login):
    login(make_user("publisher", "21"))
    r = client.get("/admin/review")
    assert r.status_code == 403 and "Hanya admin" in r.get_data(as_text=True)


def test_token_page_shows_token_once(client, make_user, login):
    login(make_user("adopter", "21.72"))
    r = client.post("/account/tokens", data={"label": "laptop kantor", "scopes": "git"}, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "kbp_" in html
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert "laptop kantor" in listing and listing.count("kbp_") == 1  # only the prefix


def test_security_headers(client):
    r = client.get("/")
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_english_when_browser_asks(client):
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in html


def test_my_apps_lists_each_entry_of_the_organization_with_its_state(client, make_user, login, monkeypatch):
    publisher = make_user("publisher", "21")
    apps.create_app(app_payload(), actor=publisher)
    apps.create_app(app_payload(name="Simanja", repo_url="https://git.example.go.id/simanja.git"), actor=publisher)
    apps.submit_app("simanja", actor=publisher)
    apps.create_app(app_payload(name="Lain Daerah", repo_url="https://git.example.go.id/lain.git"),
                    actor=make_user("publisher", "13"))
    login(publisher)
    html = client.get("/my/apps").get_data(as_text=True)
    rows = html.split("<tbody>")[1].split("</tbody>")[0]
    assert rows.index("Simanja") < rows.index("Srikandi")  # the last changed first
    assert '<a href="/apps/simanja">Simanja</a></td>\n        <td>Menunggu verifikasi</td>' in rows
    assert '<a href="/apps/srikandi">Srikandi</a></td>\n        <td>Draf</td>' in rows
    assert "Lain Daerah" not in rows
    monkeypatch.setattr(apps, "ORGANIZATION_PER_PAGE", 1)  # a page at a time, the last changed first
    first, second = client.get("/my/apps").get_data(as_text=True), client.get("/my/apps?page=2").get_data(as_text=True)
    assert "Simanja" in first and "Srikandi" not in first and 'href="/my/apps?page=2"' in first
    assert "Srikandi" in second and "Simanja" not in second and "Halaman 2 dari 2" in second
    assert "Srikandi" in client.get("/my/apps?page=99999999999999999999").get_data(as_text=True)  # the last page
