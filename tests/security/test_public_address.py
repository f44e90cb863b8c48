"""Issue 13, "Also": links and checkpoints come from CATALOG_BASE_URL, never from the client's
Host header; the public API never shows the server path of a locally registered repository."""
from __future__ import annotations

import pytest

from catalog import create_app
from tests.conftest import _config
from tests.repos.conftest import published_app, source_repo  # noqa: F401

BASE = "https://katalog.uji.go.id"
FORGED = {"Host": "penipu.example", "X-Forwarded-Host": "penipu.example"}


@pytest.fixture
def public(app):
    """The test app behind its public address, as `create_app` wraps it when BASE_URL is set."""
    from catalog.web.public_address import PublicAddress
    app.config["BASE_URL"] = BASE
    app.wsgi_app = PublicAddress(app.wsgi_app, BASE)
    return app


def test_api_links_ignore_a_forged_host(public, client, published_app):  # noqa: F811
    body = client.get("/api/v1/apps/simanja", headers=FORGED).get_json()
    assert body["url"] == f"{BASE}/apps/simanja"
    assert body["mirror"]["clone_url"].startswith(f"{BASE}/git/")
    assert "penipu" not in str(body)


def test_checkpoint_names_the_configured_address(public, client, published_app):  # noqa: F811
    body = client.get("/api/v1/audit/checkpoint", headers=FORGED).get_json()
    assert body["catalog_url"] == f"{BASE}/"


def test_page_cache_keeps_one_copy_with_public_links(public, client, published_app):  # noqa: F811
    forged = client.get("/apps/simanja", headers=FORGED).get_data(as_text=True)
    honest = client.get("/apps/simanja").get_data(as_text=True)
    assert "penipu" not in forged and f"{BASE}/git/" in forged
    assert forged == honest


def test_without_base_url_links_follow_the_request(client, published_app):  # noqa: F811
    body = client.get("/api/v1/apps/simanja", headers={"Host": "lokal.test"}).get_json()
    assert body["url"] == "http://lokal.test/apps/simanja"


def test_a_path_prefix_is_served_and_linked(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    application = create_app(_config(data) | {"BASE_URL": f"{BASE}/katalog"})
    with application.app_context():
        from catalog.extensions import db
        db.create_all()
    client = application.test_client()
    for path in ("/katalog/api/v1/apps", "/api/v1/apps"):  # proxy keeps or strips the prefix
        assert client.get(path).status_code == 200
    page = client.get("/katalog/login").get_data(as_text=True)
    assert 'action="/katalog/login"' in page and 'href="/katalog/static/' in page


@pytest.mark.parametrize("bad", ["katalog.go.id", "ftp://katalog.go.id", "https://u:p@katalog.go.id",
                                 "https://katalog.go.id/?x=1"])
def test_a_malformed_base_url_stops_the_start(tmp_path, bad):
    with pytest.raises(ValueError, match="CATALOG_BASE_URL"):
        create_app(_config(tmp_path) | {"BASE_URL": bad})


def test_public_api_never_shows_a_server_path(client, published_app, source_repo):  # noqa: F811
    from catalog.extensions import db
    published_app.description = "Simanja mencatat sasaran kinerja pegawai. " * 5  # long enough to export
    db.session.commit()
    path = str(source_repo)
    detail = client.get("/api/v1/apps/simanja")
    assert detail.get_json()["repo_url"] is None
    listing = client.get("/api/v1/apps")
    yml = client.get("/api/v1/apps/simanja/publiccode.yml")
    assert yml.status_code == 200, yml.get_data(as_text=True)
    assert "/git/" in yml.get_data(as_text=True)
    for response in (detail, listing, yml):
        assert path not in response.get_data(as_text=True)
    for export in ("/api/v1/export/apps.json", "/api/v1/export/apps.csv", "/apps/simanja"):
        response = client.get(export)
        assert response.status_code == 200 and "simanja" in response.get_data(as_text=True).lower()
        assert path not in response.get_data(as_text=True), export
