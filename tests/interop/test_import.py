"""Import from publiccode.yml: API and form, pasted or read from a repository, problems per key."""
from __future__ import annotations

import glob
import re
import tempfile

from catalog.extensions import db
from catalog.models import App, AuditEvent
from catalog.services.catalog import apps
from tests.interop.conftest import publiccode_text
from tests.repos.test_sources import fake_dns

EXTRAS = """
dependsOn:
  open:
    - name: MariaDB
      versionMin: "10.6"
    - name: PHP
      version: "8.1"
isBasedOn: https://git.example.go.id/induk/simanja
landingURL: https://simanja.kepriprov.example
usedBy:
  - Provinsi Kepulauan Riau
"""


def test_api_import_text_creates_draft_with_extras(client, make_user, token_for):
    headers = token_for(make_user("publisher", "21"))
    r = client.post("/api/v1/apps/import", json={"publiccode_yml": publiccode_text() + EXTRAS}, headers=headers)
    assert r.status_code == 201, r.json
    body = r.json
    assert body["slug"] == "simanja" and body["state"] == "draft" and body["publisher"]["code"] == "21"
    assert body["short_description"] == {"id": "Sistem informasi manajemen kinerja pegawai.",
                                         "en": "Staff performance management."}
    assert body["warnings"] == {}
    app = db.session.execute(db.select(App).where(App.slug == "simanja")).scalar_one()
    assert app.publiccode_extras["dependsOn"]["open"][0] == {"name": "MariaDB", "versionMin": "10.6"}
    assert app.publiccode_extras["isBasedOn"] == ["https://git.example.go.id/induk/simanja"]
    assert app.publiccode_extras["softwareVersion"] == "1.2.0"
    actions = [e.action for e in db.session.execute(db.select(AuditEvent)).scalars()]
    assert actions[-2:] == ["app.create", "app.import"]


def test_invalid_file_kept_as_draft_with_every_error_per_key(client, make_user, token_for):
    headers = token_for(make_user("publisher", "21"))
    text = publiccode_text().replace("developmentStatus: stable", "developmentStatus: selesai")
    text = text.replace("releaseDate: '2026-01-05'", "releaseDate: 2026-02-30")
    text = text.replace("  - web", "  - web\n  - amiga") + "monochromeLogo: logo.svg\n"
    r = client.post("/api/v1/apps/import", json={"publiccode_yml": text}, headers=headers)
    assert r.status_code == 422
    body = r.json
    assert body["error"] == "invalid"
    assert set(body["fields"]) == {"developmentStatus", "releaseDate"}
    assert "selesai" in body["fields"]["developmentStatus"]
    assert "monochromeLogo" in body["warnings"] and "platforms[1]" in body["warnings"]
    # developmentStatus has a problem, so the draft cannot be saved without it: nothing kept
    assert "draft" not in body
    assert db.session.execute(db.select(App)).first() is None


def test_invalid_file_with_catalog_complete_keys_saves_a_draft(client, make_user, token_for):
    headers = token_for(make_user("publisher", "21"))
    text = publiccode_text().replace("releaseDate: '2026-01-05'", "releaseDate: '2026-02-30'")
    text = text.replace("legal:\n", "roadmap: ftp://salah\nlegal:\n")
    r = client.post("/api/v1/apps/import", json={"publiccode_yml": text}, headers=headers)
    assert r.status_code == 422, r.json
    assert set(r.json["fields"]) == {"releaseDate", "roadmap"}
    assert r.json["draft"] == "simanja"
    draft = apps.get_app("simanja", make_user("admin", "komdigi"))
    assert draft.state == "draft" and draft.name == "Simanja"
    assert "releaseDate" not in draft.publiccode_extras and "roadmap" not in draft.publiccode_extras


def test_unparseable_and_empty_sources(client, make_user, token_for):
    headers = token_for(make_user("publisher", "21"))
    r = client.post("/api/v1/apps/import", json={"publiccode_yml": "a: [1, 2\n"}, headers=headers)
    assert r.status_code == 422 and "publiccode_yml" in r.json["fields"]
    r = client.post("/api/v1/apps/import", json={}, headers=headers)
    assert r.status_code == 422 and "publiccode_yml" in r.json["fields"]
    r = client.post("/api/v1/apps/import", json={"publiccode_yml": "x", "repo_url": "https://a.example/b"},
                    headers=headers)
    assert r.status_code == 422
    r = client.post("/api/v1/apps/import", json={"publiccode_yml": ["bukan", "teks"]}, headers=headers)
    assert r.status_code == 422 and r.json["fields"] == {"publiccode_yml": "Harus berupa teks."}


def test_catalog_rules_are_reported_against_the_file_keys(client, make_user, token_for):
    headers = token_for(make_user("publisher", "21"))
    text = publiccode_text(repo_url="http://git.kepriprov.example/simanja")
    r = client.post("/api/v1/apps/import", json={"publiccode_yml": text}, headers=headers)
    assert r.status_code == 422
    assert set(r.json["fields"]) == {"url"} and "https" in r.json["fields"]["url"]
    assert "url" in r.json["warnings"]  # the standard only warns about plain http


def test_slug_conflict_and_override(client, make_user, token_for):
    headers = token_for(make_user("publisher", "21"))
    r = client.post("/api/v1/apps/import", json={"publiccode_yml": publiccode_text()}, headers=headers)
    assert r.status_code == 201
    r = client.post("/api/v1/apps/import", json={"publiccode_yml": publiccode_text()}, headers=headers)
    assert r.status_code == 409 and "slug" in r.json["fields"]
    r = client.post("/api/v1/apps/import", json={"publiccode_yml": publiccode_text(), "slug": "simanja-kedua"},
                    headers=headers)
    assert r.status_code == 201 and r.json["slug"] == "simanja-kedua"


def test_import_permissions(client, make_user, token_for):
    body = {"publiccode_yml": publiccode_text()}
    assert client.post("/api/v1/apps/import", json=body).status_code == 401
    r = client.post("/api/v1/apps/import", json=body, headers=token_for(make_user("adopter", "21.72")))
    assert r.status_code == 403 and r.json["error"] == "forbidden"
    publisher = token_for(make_user("publisher", "21"))
    r = client.post("/api/v1/apps/import", json={**body, "org": "14.71"}, headers=publisher)
    assert r.status_code == 403


def test_import_from_local_repository_as_admin(client, make_user, token_for, source_repo, tmp_path, monkeypatch):
    headers = token_for(make_user("admin", "komdigi"))
    own_tmp = tmp_path / "tmp"  # this test's own temp dir: other workers' imports peek in /tmp too
    own_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(own_tmp))
    before = set(glob.glob(f"{tempfile.gettempdir()}/catalog-peek-*"))
    r = client.post("/api/v1/apps/import", json={"repo_url": str(source_repo), "org": "21"}, headers=headers)
    # the demo repository's file lacks a long description and contacts: problems per key, a draft
    # is still saved from the keys without problems (the catalog itself asks for less)
    assert r.status_code == 422, r.json
    assert {"description.id.longDescription", "maintenance.contacts"} <= set(r.json["fields"])
    assert r.json["warnings"]["url"].startswith("Berkas menyebut alamat lain")
    assert set(glob.glob(f"{tempfile.gettempdir()}/catalog-peek-*")) == before  # temp dir removed


def test_import_over_http_from_a_catalog_mirror(app, client, make_user, token_for, published_app, live_server):
    """The shallow fetch really talks git over HTTP: read the published app's file from our own mirror."""
    headers = token_for(make_user("admin", "komdigi"))
    r = client.post("/api/v1/apps/import", json={"repo_url": f"{live_server}/git/upstream/simanja.git",
                                                 "slug": "simanja-salinan"}, headers=headers)
    assert r.status_code == 422, r.json
    assert {"description.id.longDescription", "maintenance.contacts"} == set(r.json["fields"])
    assert "draft" not in r.json  # a plain-http address is no repository the catalog registers


def test_unsafe_and_unreachable_repositories(app, client, make_user, token_for):
    app.config.update(DNS_RESOLVER=fake_dns({"git.pemda.go.id": ["10.0.0.8"]}), ALLOW_LOCAL_REPOS=False)
    headers = token_for(make_user("publisher", "21"))
    r = client.post("/api/v1/apps/import", json={"repo_url": "https://git.pemda.go.id/app.git"}, headers=headers)
    assert r.status_code == 422 and "jaringan internal" in r.json["fields"]["repo_url"]
    r = client.post("/api/v1/apps/import", json={"repo_url": "/etc"}, headers=headers)
    assert r.status_code == 422 and "repo_url" in r.json["fields"]
    r = client.post("/api/v1/apps/import", json={"repo_url": "https://tidak-ada.example/x.git"}, headers=headers)
    assert r.status_code == 422 and "repo_url" in r.json["fields"]


def test_new_app_page_offers_autofill(client, make_user, login):
    login(make_user("publisher", "21"))
    html = client.get("/apps/new").get_data(as_text=True)
    assert "Isi otomatis dari repositori" in html and 'formaction="/apps/import"' in html
    assert "<script" not in html and "style=" not in html


def test_form_fills_itself_from_pasted_file(client, make_user, login):
    login(make_user("publisher", "21"))
    r = client.post("/apps/import", data={"import_publiccode_yml": publiccode_text(), "name": "",
                                          "software_type": "standalone/web", "maintenance_type": "internal",
                                          "platforms": ["web"]})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'name="name" type="text" value="Simanja"' in html
    assert "Sasaran kinerja pegawai\nLaporan kinerja harian</textarea>" in html
    assert "Diskominfo Kepri &lt;diskominfo@kepriprov.example&gt;" in html
    assert "terbaca tanpa galat" in html


def test_form_keeps_what_was_typed_and_names_problems_per_key(client, make_user, login):
    login(make_user("publisher", "21"))
    text = publiccode_text().replace("developmentStatus: stable", "developmentStatus: selesai")
    r = client.post("/apps/import", data={"import_publiccode_yml": text, "name": "Simanja Kepri",
                                          "license": "MIT", "platforms": ["web"]})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'value="Simanja Kepri"' in html and 'name="license" type="text" value="MIT"' in html
    assert "<code>developmentStatus</code>" in html and "selesai" in html
    assert 'id="e-development_status"' in html  # the problem also sits on the form field
    assert "dipertahankan" in html and "Nama aplikasi" in html
    assert "developmentStatus: selesai" in html  # the pasted text is still in its box


def test_form_names_an_unreadable_repository(app, client, make_user, login):
    app.config.update(ALLOW_LOCAL_REPOS=False)
    login(make_user("publisher", "21"))
    r = client.post("/apps/import", data={"import_repo_url": "ftp://x.example/a", "name": "Ketikan saya"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "<code>repo_url</code>" in html and 'value="Ketikan saya"' in html


def test_form_import_refused_to_adopters(client, make_user, login):
    login(make_user("adopter", "21.72"))
    assert client.post("/apps/import", data={"import_publiccode_yml": publiccode_text()}).status_code == 403


def test_form_and_api_report_the_same_problems(client, make_user, login, token_for):
    publisher = make_user("publisher", "21")
    text = publiccode_text().replace("license: GPL-3.0-or-later", "license: Bebas dipakai")
    api = client.post("/api/v1/apps/import", json={"publiccode_yml": text}, headers=token_for(publisher)).json
    login(publisher)
    html = client.post("/apps/import", data={"import_publiccode_yml": text}).get_data(as_text=True)
    listed = dict(re.findall(r"<li><code>([^<]+)</code>: ([^<]+)</li>", html))
    problems = {k: v for k, v in listed.items() if k in api["fields"] or k not in api["warnings"]}
    assert problems == api["fields"] == {"legal.license": api["fields"]["legal.license"]}


def test_form_fills_itself_from_a_repository(client, make_user, login, source_repo):
    login(make_user("admin", "komdigi"))  # local paths are for admins (offline installs, tests)
    r = client.post("/apps/import", data={"import_repo_url": str(source_repo)})
    html = r.get_data(as_text=True)
    assert r.status_code == 422  # the demo file lacks a long description and contacts
    assert f'name="repo_url" type="url" value="{source_repo}"' in html
    assert 'name="name" type="text" value="Simanja"' in html
    assert "<code>maintenance.contacts</code>" in html and "publiccode.yml yang terbaca dari repositori" in html
    assert 'name="import_publiccode_yml" rows="4"></textarea>' in html  # the next click reads the repository again
