"""Page cache for visitors: anonymous GETs of the home, list/search and app pages served from memory.

Why: rendering a list or search page costs 15–20 ms of Python, so two workers queue under a few
dozen clients; most visitors see the same pages. A WSGI middleware (in front of Flask, so a hit
costs about what a bare Flask "hello" does) keeps rendered HTML per worker process.

- Key: scheme and host (clone URLs are absolute), path, query string, and the visitor's language.
- Only for requests with no credentials: no cookie but `lang`, no Authorization header. A page
  is kept only when Flask says it was rendered for an anonymous user (`mark_response`), it is
  200 text/html, and the final response sets no cookie.
- Data version, read per request with one tiny query: the audit chain head (every state change
  appends an event in its own transaction) plus the search outbox (the worker empties it after
  applying index changes, which is when list and search results change). Pages are stored under
  the version read *before* rendering, and only once the version has been seen for `settle`
  seconds, so a search index that other processes reload within 0.25 s is never cached stale.
- Changes that leave no audit event (mirror progress, divergence refreshes, relative times such
  as "2 jam yang lalu") are bounded by a short max age; an app page whose mirror is being copied
  is not kept at all (`max_age(0)` from the view).
"""
from __future__ import annotations

import logging
import re
from http.cookies import CookieError, SimpleCookie
from time import monotonic
from typing import Any, Optional

from flask import Flask, g, request, session
from flask_login import current_user
from sqlalchemy import text

from ..extensions import db
from .i18n import LANG_COOKIE, visitor_locale
from .page_store import Page, PageStore

log = logging.getLogger(__name__)

ENV_KEY = "catalog.page_cache"
CACHED_PATH = re.compile(r"^/(?:apps(?:/[^/]+)?)?$")
VERSION_SQL = text("SELECT (SELECT seq FROM audit_head WHERE id = 1), (SELECT count(*) FROM index_outbox), "
                   "(SELECT max(queued_at) FROM index_outbox)")
STALE_READER_GRACE = 5.0  # seconds: a lower audit seq seen this long after a newer one means a restored DB


def max_age(seconds: float) -> None:
    """Called by a view: keep this page at most `seconds` (0: do not keep it)."""
    g.page_cache_max_age = min(seconds, g.get("page_cache_max_age", seconds))


def _visitor_cookies(header: str) -> Optional[dict[str, str]]:
    """The cookies when they hold nothing but the language; None when anything else is there."""
    if not header:
        return {}
    try:
        jar = SimpleCookie()
        jar.load(header)
    except CookieError:
        return None
    if any(name != LANG_COOKIE for name in jar):
        return None
    return {name: morsel.value for name, morsel in jar.items()}


def cache_key(environ: dict) -> Optional[tuple]:
    """The key of a cacheable request, or None when the request must reach the app."""
    if environ.get("REQUEST_METHOD") != "GET" or environ.get("HTTP_AUTHORIZATION"):
        return None
    path = environ.get("PATH_INFO", "")
    if not CACHED_PATH.match(path):
        return None
    cookies = _visitor_cookies(environ.get("HTTP_COOKIE", ""))
    if cookies is None:
        return None
    lang = visitor_locale(cookies.get(LANG_COOKIE), environ.get("HTTP_ACCEPT_LANGUAGE"))
    return (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST") or environ.get("SERVER_NAME"),
            environ.get("SCRIPT_NAME", ""), path, environ.get("QUERY_STRING", ""), lang)


def _newer(version: tuple, current: Any, since: float) -> bool:
    if current is None or version[0] is None or current[0] is None:
        return True
    if version[0] != current[0]:
        return version[0] > current[0] or monotonic() - since > STALE_READER_GRACE
    return True  # same audit head, outbox drained (or refilled by a repair): adopt


class PageCache:
    """WSGI middleware around `app.wsgi_app`; install with `install(app)`."""

    def __init__(self, app: Flask) -> None:
        self.app, self.wsgi_app = app, app.wsgi_app
        self.store = PageStore(int(app.config["PAGE_CACHE_MAX_BYTES"]))
        self.max_age = float(app.config["PAGE_CACHE_MAX_AGE"])
        self.settle = float(app.config["PAGE_CACHE_SETTLE"])
        self._engine = None

    def version(self) -> tuple:
        if self._engine is None:  # first request, in the worker: no connection before fork
            with self.app.app_context():
                self._engine = db.engine
        with self._engine.connect() as conn:
            return tuple(conn.execute(VERSION_SQL).one())

    def __call__(self, environ: dict, start_response):
        key = cache_key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        try:
            version = self.version()
        except Exception:  # noqa: BLE001 - no version, no cache; the app reports its own errors
            log.warning("page cache: data version unavailable", exc_info=True)
            return self.wsgi_app(environ, start_response)
        since = self.store.observe(version, _newer(version, self.store.version, self.store.version_since))
        page = self.store.get(key, version)
        started = monotonic()  # rendering starts after the version was read and observed
        if page is not None:
            start_response(page.status, [*page.headers, ("X-Page-Cache", "hit")])
            return [page.body]
        marker: dict[str, Any] = {"max_age": None}
        environ[ENV_KEY] = marker
        captured: dict[str, Any] = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, list(headers)
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, capture)
        headers = captured.get("headers", [])
        if (not marker["max_age"] or started - since < self.settle
                or not captured.get("status", "").startswith("200 ")
                or any(h.lower() == "set-cookie" for h, _ in headers)):
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        self.store.put(key, Page(captured["status"], tuple(headers), body, version,
                                 monotonic() + min(marker["max_age"], self.max_age)))
        return [body]


def mark_response(response):
    """after_request: tell the middleware this response may be kept (anonymous, HTML, 200)."""
    marker = request.environ.get(ENV_KEY)
    if marker is None:
        return response
    age = g.get("page_cache_max_age", float("inf"))
    if (age > 0 and response.status_code == 200 and response.mimetype == "text/html"
            and not response.direct_passthrough and not session and not session.modified
            and not current_user.is_authenticated):
        marker["max_age"] = age
        response.vary.add("Accept-Language")  # the language comes from it when no `lang` cookie
    return response


def install(app: Flask) -> None:
    if int(app.config.get("PAGE_CACHE_MAX_BYTES") or 0) <= 0:
        return
    app.after_request(mark_response)
    app.wsgi_app = PageCache(app)
    app.extensions["catalog_page_cache"] = app.wsgi_app
