"""Fork pages and downloads through the test client."""
from __future__ import annotations

import io
import tarfile
import zipfile

from catalog.services.repos import forks


def test_app_page_shows_mirror_releases_and_copy_button(published_app, client, make_user, login):
    login(make_user("adopter", "21.72"))
    html = client.get("/apps/simanja").get_data(as_text=True)
    assert "Salin ke daerah saya" in html and "v1.1.0" in html and "/git/upstream/simanja.git" in html
    assert 'href="/organizations/21"' in html  # the publisher's own page (issue 15)


def test_copy_button_creates_fork_and_page(published_app, client, make_user, login):
    login(make_user("adopter", "21.72"))
    r = client.post("/apps/simanja/forks")
    assert r.status_code == 302 and "/forks/" in r.headers["Location"]
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Kota Tanjung Pinang" in html and "git clone" in html and "kota-tanjung-pinang/simanja.git" in html
    assert 'href="/apps/simanja/adopsi#langkah-6"' in html  # not a dead end: on to "Catat pemakaian"
    again = client.post("/apps/simanja/forks", follow_redirects=True).get_data(as_text=True)
    assert "sudah dipakai" in again or "sudah memiliki" in again


def test_app_page_links_the_regions_copy_instead_of_a_second_button(published_app, client, make_user, login):
    """Issue 15, item 2: once the region has a copy, the app page links it (as the adoption guide
    does) rather than offering a button that ends in "Nama sudah dipakai"."""
    adopter = make_user("adopter", "21.72")
    fork = forks.create_fork("simanja", actor=adopter)
    login(make_user("adopter", "21.72"))  # a colleague of the same region
    html = client.get("/apps/simanja").get_data(as_text=True)
    assert "Daerah Anda sudah punya salinan" in html and f'href="/forks/{fork.id}"' in html
    assert 'action="/apps/simanja/forks"' not in html
    client.post("/logout")
    login(make_user("adopter", "14.71"))  # another region still gets the button
    assert 'action="/apps/simanja/forks"' in client.get("/apps/simanja").get_data(as_text=True)


def test_download_release_zip_and_targz(published_app, client):
    r = client.get("/apps/simanja/download?rev=v1.0.0&format=zip")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(r.data)).namelist()
    assert "simanja-v1-0-0/README.md" in names
    r = client.get("/apps/simanja/download?rev=v1.1.0&format=tar.gz")
    assert r.status_code == 200
    assert any(n.endswith("publiccode.yml") for n in tarfile.open(fileobj=io.BytesIO(r.data)).getnames())


def test_download_bad_inputs(published_app, client):
    assert client.get("/apps/simanja/download?rev=v9.9.9&format=zip").status_code == 404
    assert client.get("/apps/simanja/download?rev=--output=/tmp/x&format=zip").status_code == 404
    assert client.get("/apps/simanja/download?rev=v1.0.0&format=rar").status_code == 422


def test_an_unknown_download_version_names_the_versions_there_are(published_app, client, make_user):
    r = client.get("/apps/simanja/download?rev=v9.9.9&format=zip")
    assert r.status_code == 404
    page = r.get_data(as_text=True)
    assert "Versi &#39;v9.9.9&#39; tidak ditemukan. Versi yang dapat diunduh: v1.1.0, v1.0.0." in page
    english = client.get("/apps/simanja/download?rev=v9.9.9", headers={"Accept-Language": "en"})
    assert "Version &#39;v9.9.9&#39; was not found. Versions you can download: v1.1.0, v1.0.0." in english.get_data(
        as_text=True)
    fork = forks.create_fork("simanja", actor=make_user("adopter", "21.72"))
    r = client.get(f"/forks/{fork.id}/download?rev=v2", headers={"Accept": "application/json"})
    assert r.status_code == 404 and "v1.1.0, v1.0.0" in r.get_data(as_text=True)  # the fork's copied tags


def test_note_only_by_owner(published_app, client, make_user, login):
    fork = forks.create_fork("simanja", actor=make_user("adopter", "21.72"))
    login(make_user("adopter", "21.01"))
    assert client.post(f"/forks/{fork.id}/note", data={"note": "ambil alih"}).status_code == 403
