"""What every request passes through, kept as it was when it was made cheaper: the coding a client
asked for, the security headers, validators of compressed static files, and the
session cookie's signature, which follows the secret key."""
from __future__ import annotations

import re

from catalog.web import SECURITY_HEADERS
from catalog.web.page_cache import cache_key

BROTLI = {"Accept-Encoding": "gzip, deflate, br"}
STATIC_CSS = re.compile(r'href="(/static/[0-9a-f]{12}/css/catalog\.css)"')


def test_each_security_header_is_sent_once(client, make_user, login):
    login(make_user("adopter", "21.72"))
    for path, headers in (("/my/region", BROTLI), ("/my/region", {}), ("/api/v1/apps", BROTLI), ("/nope", {})):
        r = client.get(path, headers=headers)
        for name, value in SECURITY_HEADERS:
            assert r.headers.getlist(name) == [value], (path, name)
        assert "Strict-Transport-Security" not in r.headers  # plain HTTP here
    secure = client.get("/my/region", base_url="https://localhost")
    assert secure.headers.getlist("Strict-Transport-Security") == ["max-age=31536000"]


def test_a_compressed_static_file_answers_its_own_etag_with_304(client):
    css = STATIC_CSS.search(client.get("/login").get_data(as_text=True)).group(1)
    first = client.get(css, headers=BROTLI)
    assert first.status_code == 200 and first.headers["Content-Encoding"] == "br"
    etag = first.headers["ETag"]
    assert etag.endswith(':br"')  # the compressed body is its own representation
    again = client.get(css, headers={**BROTLI, "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""


def test_the_session_cookie_follows_the_secret_key(app, client, make_user, login):
    login(make_user("adopter", "21.72"))
    assert client.get("/my/region").status_code == 200
    old = app.secret_key
    app.secret_key, app.config["SECRET_KEY_FALLBACKS"] = "a-new-key-" + "x" * 32, [old]
    assert client.get("/my/region").status_code == 200  # signed with the old key, still accepted
    app.config["SECRET_KEY_FALLBACKS"] = []
    r = client.get("/my/region")
    assert r.status_code == 302 and "/login" in r.headers["Location"]  # that signature no longer holds


def test_any_cookie_but_the_language_keeps_a_request_from_the_page_cache():
    def key(cookie):
        return cache_key({"REQUEST_METHOD": "GET", "PATH_INFO": "/apps", "HTTP_COOKIE": cookie})
    assert key("lang=en") is not None and key("lang=en; ") is not None and key("") is not None
    for cookie in ("session=abc", "lang=en; session=abc", "session=abc; lang=en", " remember_token=x"):
        assert key(cookie) is None, cookie
