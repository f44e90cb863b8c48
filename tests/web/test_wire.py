"""The wire: HTML, JSON and CSS compressed for clients that accept it, kept pages too; git and
downloads left alone; static files under content-hashed names cached for a year."""
from __future__ import annotations

import gzip
import http.client
import json
import re
from urllib.parse import urlsplit

import brotli
import pytest
from flask import url_for

from catalog.web import compression
from catalog.web.static_assets import IMMUTABLE, StaticAssets
from tests.repos.conftest import published_app, source_repo  # noqa: F401  (fixtures)
from tests.repos.gitclient import git

GZIP = {"Accept-Encoding": "gzip"}
STATIC_REF = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def _hit(response) -> bool:
    return response.headers.get("X-Page-Cache") == "hit"


def _vary(response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("Vary", "").split(",")}


def test_pages_are_gzipped_only_for_clients_that_accept_it(published_app, client):
    zipped = client.get("/apps", headers=GZIP)
    assert zipped.headers["Content-Encoding"] == "gzip" and "accept-encoding" in _vary(zipped)
    assert int(zipped.headers["Content-Length"]) == len(zipped.get_data())
    plain = client.get("/apps")
    assert "Content-Encoding" not in plain.headers and "accept-encoding" in _vary(plain)
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
    assert "Simanja" in plain.get_data(as_text=True)
    login = client.get("/login", headers=GZIP)  # rendered, never kept: compressed by Flask-Compress
    assert not _hit(login) and login.headers["Content-Encoding"] == "gzip"
    assert b"<form" in gzip.decompress(login.get_data())


def test_a_kept_page_is_sent_in_each_clients_coding(published_app, client):
    first = client.get("/apps", headers=GZIP)
    hit = client.get("/apps", headers=GZIP)
    assert not _hit(first) and _hit(hit) and hit.headers["Content-Encoding"] == "gzip"
    assert hit.get_data() == first.get_data() and "accept-encoding" in _vary(hit)
    plain = client.get("/apps")  # a client without gzip afterwards: the page as it is
    assert _hit(plain) and "Content-Encoding" not in plain.headers
    assert gzip.decompress(hit.get_data()) == plain.get_data()
    assert int(plain.headers["Content-Length"]) == len(plain.get_data())
    br = client.get("/apps", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert _hit(br) and br.headers["Content-Encoding"] == "br"
    assert brotli.decompress(br.get_data()) == plain.get_data()
    refused = client.get("/apps", headers={"Accept-Encoding": "gzip;q=0, br;q=0"})
    assert _hit(refused) and "Content-Encoding" not in refused.headers


def test_json_is_compressed_and_tiny_bodies_are_not(published_app, client):
    spec = client.get("/api/v1/openapi.json", headers=GZIP)
    assert spec.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(spec.get_data())) == client.get("/api/v1/openapi.json").get_json()
    missing = client.get("/api/v1/apps/tidak-ada", headers=GZIP)
    assert missing.status_code == 404 and len(missing.get_data()) < 500
    assert "Content-Encoding" not in missing.headers


def test_git_and_downloads_are_never_compressed(published_app, app):
    client = app.test_client()
    refs = client.get("/git/upstream/simanja.git/info/refs?service=git-upload-pack", headers=GZIP)
    assert refs.status_code == 200 and "Content-Encoding" not in refs.headers
    assert refs.get_data().startswith(b"001e# service=git-upload-pack")
    archive = client.get("/apps/simanja/download?format=zip", headers=GZIP, buffered=False)
    assert archive.status_code == 200 and "Content-Encoding" not in archive.headers
    assert archive.is_streamed  # still streamed, chunk by chunk
    assert archive.get_data().startswith(b"PK")


def test_static_files_are_hashed_and_immutable(published_app, client):
    html = client.get("/apps/simanja").get_data(as_text=True) + client.get("/apps").get_data(as_text=True)
    refs = set(STATIC_REF.findall(html))
    assert any(r.endswith(".css") for r in refs) and any(r.endswith(".js") for r in refs)
    for ref in refs:
        assert re.match(r"/static/[0-9a-f]{12}/(css|js)/", ref), ref
        r = client.get(ref, headers=GZIP)
        assert r.status_code == 200 and r.headers["Cache-Control"] == IMMUTABLE
        assert r.headers["Content-Encoding"] == "gzip" or len(r.get_data()) < 500
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # the CSP allows no inline script
    assert "script-src 'self'" in client.get("/apps").headers["Content-Security-Policy"]
    css = next(r for r in refs if r.endswith("/css/catalog.css"))
    with client.application.open_resource("static/css/catalog.css") as f:
        assert gzip.decompress(client.get(css, headers=GZIP).get_data()) == f.read()
    plain = client.get("/static/css/catalog.css")  # old links still work, briefly cached
    assert plain.status_code == 200 and plain.headers["Cache-Control"] == "public, max-age=300"
    stale = client.get("/static/000000000000/css/catalog.css")  # a page from before a deploy
    assert stale.status_code == 200 and "immutable" not in stale.headers["Cache-Control"]
    assert client.get("/static/000000000000/css/nothing.css").status_code == 404
    assert client.get("/static/../wsgi.py").status_code == 404


def test_the_hash_follows_the_content(app, tmp_path):
    folder = tmp_path / "static"
    (folder / "css").mkdir(parents=True)
    sheet = folder / "css" / "site.css"
    sheet.write_text("body { color: #123; }")
    app.static_folder = str(folder)
    app.extensions["catalog_static"] = StaticAssets(str(folder))
    with app.test_request_context():
        first = url_for("static", filename="css/site.css")
        sheet.write_text("body { color: #456; }")
        assert url_for("static", filename="css/site.css") == first  # hashed once per process
    r = app.test_client().get(first)
    assert r.status_code == 200 and r.get_data() == b"body { color: #123; }"  # what was hashed
    app.extensions["catalog_static"] = StaticAssets(str(folder))  # the next process
    with app.test_request_context():
        second = url_for("static", filename="css/site.css")
    assert second != first and re.fullmatch(r"/static/[0-9a-f]{12}/css/site\.css", second)
    r = app.test_client().get(second)
    assert r.headers["Cache-Control"] == IMMUTABLE and r.get_data() == b"body { color: #456; }"
    assert "immutable" not in app.test_client().get(first).headers["Cache-Control"]


@pytest.mark.parametrize(("header", "chosen"), [
    ("gzip, deflate, br", "br"), ("gzip", "gzip"), ("br;q=0.5, gzip", "gzip"), ("*", "br"),
    ("", None), ("identity", None), ("gzip;q=0", None), ("deflate", None), ("gzip;q=0.5, identity", None),
])
def test_negotiation(header, chosen):
    assert compression.negotiate(header, ("br", "gzip")) == chosen


def _get(base: str, path: str, headers: dict) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection(urlsplit(base).netloc, timeout=30)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.body = response.read()
    conn.close()
    return response


def test_through_a_real_server(published_app, live_server, tmp_path):
    first = _get(live_server, "/apps", GZIP)
    hit = _get(live_server, "/apps", GZIP)
    assert first.getheader("Content-Encoding") == hit.getheader("Content-Encoding") == "gzip"
    assert hit.getheader("X-Page-Cache") == "hit"
    plain = _get(live_server, "/apps", {})
    assert plain.getheader("Content-Encoding") is None and b"Simanja" in plain.body
    assert gzip.decompress(first.body) == gzip.decompress(hit.body) == plain.body
    refs = _get(live_server, "/git/upstream/simanja.git/info/refs?service=git-upload-pack", GZIP)
    assert refs.status == 200 and refs.getheader("Content-Encoding") is None
    git("clone", f"{live_server}/git/upstream/simanja.git", str(tmp_path / "klon"))
    assert "v1.1.0" in git("tag", cwd=tmp_path / "klon").stdout


def test_a_coding_rated_q0_is_never_sent(published_app, live_server):
    """RFC 9110 12.5.3: q=0 means "not acceptable". Flask-Compress alone answered `gzip;q=0`
    with gzip; the page, the API and a kept page come as they are, with Vary for caches."""
    for path in ("/login", "/api/v1/openapi.json", "/apps"):
        for header in ("gzip;q=0", "br;q=0, gzip;q=0", "identity;q=1, *;q=0"):
            r = _get(live_server, path, {"Accept-Encoding": header})
            assert r.status == 200 and r.getheader("Content-Encoding") is None, (path, header)
            assert "accept-encoding" in r.getheader("Vary", "").lower() and len(r.body) > 500
        assert _get(live_server, path, {"Accept-Encoding": "gzip;q=0, br"}).getheader("Content-Encoding") == "br"
