"""Page cache: anonymous GETs of the home, list/search and app pages served from memory, and
signed-in people's pages kept per session (the rules for those are in session_pages.py; the
store, the capture and the compression below serve both).

Why: rendering a list or search page costs 15–20 ms of Python, so two workers queue under a few
dozen clients; most visitors see the same pages. A WSGI middleware (in front of Flask, so a hit
costs about what a bare Flask "hello" does) keeps rendered HTML per worker process.

- Key: scheme and host (clone URLs are absolute), path, query string, and the visitor's language.
- Only for requests with no credentials: no cookie but `lang`, no Authorization header. A page
  is kept only when Flask says it was rendered for an anonymous user (`mark_response`), it is
  200 text/html, and the final response sets no cookie.
- Data version (`models.data_version`), read per request with one tiny query: the audit chain
  head, plus this node's position in the search index's change log (a stat of its file).
  Pages are stored under the version read *before* rendering, and only once the version has
  been seen for `settle` seconds, so a search index that other processes reload within 0.25 s
  is never cached stale.
- Store: a `VersionedCache` per worker process, bounded by PAGE_CACHE_MAX_BYTES of bodies plus
  headers; a page larger than 1/8 of it is never kept.
- Under a steady trickle of writes (deployments, pushes: several audit events a second on a busy
  day) the data version never settles and the store above keeps nothing. A second store keeps
  each page for at most PAGE_CACHE_STALE seconds (5) whatever changes meanwhile, as a CDN would:
  a visitor may see a page that old; people signed in never get these pages, so whoever made a
  change sees it at once.
- Changes that leave no audit event (mirror progress, divergence refreshes, relative times such
  as "2 jam yang lalu") are bounded by a short max age; an app page whose mirror is being copied
  is not kept at all (`max_age(0)` from the view).
- Compression: a page that will be kept is rendered uncompressed (`compression.DEFERRED`), then
  compressed once per coding the app offers when it is stored, and every hit sends the bytes its
  client accepts (`Vary: Accept-Encoding`). Measured on the 13 KB /apps list: rendering 11 ms,
  brotli-5 0.3 ms, gzip-6 0.2 ms, a hit 0.4 ms. Compressing on every hit would make hits half
  again as slow or more; keeping one page per coding would render each page once per coding.
  The stored variants add about 40 % to a page's memory; a hit never compresses and can only send
  a coding its client asked for.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Hashable
from dataclasses import dataclass, replace
from http.cookies import CookieError, SimpleCookie
from time import monotonic
from typing import Any

from flask import Flask, g, request, session
from flask_login import current_user

from ..extensions import db
from ..models.data_version import data_version, is_newer
from ..services.accounts import users
from ..versioned_cache import VersionedCache
from . import compression, fragments
from .i18n import LANG_COOKIE, visitor_locale
from .session_pages import SessionReader, page_stamp

log = logging.getLogger(__name__)

ENV_KEY = "catalog.page_cache"
RECENT = "recent"  # the one version of the store of recent pages: it never clears on a change
SERVED_ENV = "catalog.page_cache.served"  # set when a page came from memory (for request metrics)
CACHED_PATH = re.compile(r"^/(?:apps(?:/[^/]+)?)?$")


@dataclass(frozen=True)
class Page:
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    expires: float  # monotonic seconds
    encoded: tuple[tuple[str, bytes], ...] = ()  # the body in each coding offered, in its order

    @property
    def size(self) -> int:
        return (len(self.body) + sum(len(b) for _c, b in self.encoded)
                + sum(len(k) + len(v) for k, v in self.headers) + 200)

    @property
    def sets_cookie(self) -> bool:
        """A page that sets a cookie belongs to that one response: never kept."""
        return any(h.lower() == "set-cookie" for h, _v in self.headers)

    def send(self, environ: dict, start_response, *extra: tuple[str, str]) -> list[bytes]:
        """The body in the coding the client prefers among those kept, else as it is."""
        coding = compression.negotiate(environ.get("HTTP_ACCEPT_ENCODING", ""), tuple(c for c, _b in self.encoded))
        body = dict(self.encoded)[coding] if coding else self.body
        headers = [*self.headers, ("Content-Length", str(len(body))), *extra]
        if coding:
            headers.append(("Content-Encoding", coding))
        start_response(self.status, headers)
        return [body]


def page_store(max_bytes: int) -> VersionedCache:
    """Rendered pages of one worker process (safe for gthread threads), each with its own max age."""
    return VersionedCache(max_bytes, getsizeof=lambda page: page.size, expires=lambda page: page.expires,
                          is_newer=is_newer)


def keep(store: VersionedCache, version: Any, key: Hashable, page: Page) -> bool:
    """Store a page rendered at `version`; one larger than 1/8 of the store is never kept (it
    would push out a crowd of small ones)."""
    return page.size <= store.maxsize // 8 and store.put(version, key, page)


def max_age(seconds: float) -> None:
    """Called by a view: keep this page at most `seconds` (0: do not keep it)."""
    g.page_cache_max_age = min(seconds, g.get("page_cache_max_age", seconds))


def _visitor_cookies(header: str) -> dict[str, str] | None:
    """The cookies when they hold nothing but the language; None when anything else is there.
    A session cookie is told by its name alone, before parsing (80 µs for a signed-in browser's
    header, on every home, list and app page it asks for); a quoted value holding a `;` may then
    count as another cookie, which only leaves that page uncached."""
    if not header:
        return {}
    names = (part.partition("=")[0].strip() for part in header.split(";"))
    if any(name and name != LANG_COOKIE for name in names):
        return None
    try:
        jar = SimpleCookie()
        jar.load(header)
    except CookieError:
        return None
    if any(name != LANG_COOKIE for name in jar):
        return None
    return {name: morsel.value for name, morsel in jar.items()}


def cache_key(environ: dict) -> tuple | None:
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


class PageCache:
    """WSGI middleware around `app.wsgi_app`; install with `install(app)`."""

    def __init__(self, app: Flask) -> None:
        self.app, self.wsgi_app = app, app.wsgi_app
        anonymous_bytes = int(app.config.get("PAGE_CACHE_MAX_BYTES") or 0)
        self.store = page_store(anonymous_bytes) if anonymous_bytes > 0 else None  # None: visitors' pages off
        self.max_age = float(app.config["PAGE_CACHE_MAX_AGE"])
        self.settle = float(app.config["PAGE_CACHE_SETTLE"])
        self.stale = float(app.config["PAGE_CACHE_STALE"])
        self.recent = page_store(anonymous_bytes // 2) if self.stale > 0 and self.store is not None else None
        if self.recent is not None:
            self.recent.follow(RECENT)
        self.codings = compression.codings(app.config)
        self._engine = None
        self.index_dir = app.config["SEARCH_INDEX_DIR"]  # this node's index: its position is in the version
        signed_in_bytes = int(app.config.get("SIGNED_IN_PAGE_CACHE_MAX_BYTES") or 0)
        self.sessions = SessionReader(app) if signed_in_bytes > 0 else None
        self.signed_in_store = page_store(signed_in_bytes)

    def _connect(self):
        if self._engine is None:  # first request, in the worker: no connection before fork
            with self.app.app_context():
                self._engine = db.engine
        return self._engine.connect()

    def version(self) -> tuple:
        with self._connect() as conn:
            return data_version(conn, self.index_dir)

    def __call__(self, environ: dict, start_response):
        key = cache_key(environ) if self.store is not None else None
        if key is None:
            if self.sessions is not None and (key := self.sessions.key(environ)) is not None:
                return self._signed_in(environ, start_response, key)
            return self.wsgi_app(environ, start_response)
        try:
            version = self.version()
        except Exception:  # noqa: BLE001 - no version, no cache; the app reports its own errors
            log.warning("page cache: data version unavailable", exc_info=True)
            return self.wsgi_app(environ, start_response)
        since = self.store.follow(version)
        since = float("inf") if since is None else since  # a reader from before a change: never kept
        page = self.store.peek(version, key)
        started = monotonic()  # rendering starts after the version was read and observed
        if page is not None:
            environ[SERVED_ENV] = "hit"
            return page.send(environ, start_response, ("X-Page-Cache", "hit"))
        if self.recent is not None and (page := self.recent.peek(RECENT, key)) is not None:
            environ[SERVED_ENV] = "recent"
            return page.send(environ, start_response, ("X-Page-Cache", "recent"))
        environ[fragments.VERSION_ENV] = version
        settled = started - since >= self.settle
        if not settled and self.recent is None:
            return self.wsgi_app(environ, start_response)  # nothing would keep the page
        marker: dict[str, Any] = {"max_age": None}
        page, result = self._render(environ, start_response, marker)
        if page is None:
            return result
        if page.sets_cookie:
            return page.send(environ, start_response)
        if settled:
            keep(self.store, version, key, page)
        if self.recent is not None:
            keep(self.recent, RECENT, key, replace(page, expires=min(page.expires, started + self.stale)))
        return page.send(environ, start_response)

    def _signed_in(self, environ: dict, start_response, key: tuple):
        """A signed-in GET (session_pages.py): the page kept for this very session while the data
        version, the person's facts and the session's standing are what they were."""
        person = self.sessions.person(environ)
        if person is None:
            return self.wsgi_app(environ, start_response)
        try:
            with self._connect() as conn:
                version = data_version(conn, self.index_dir)
                since = self.signed_in_store.follow(version)
                # A version not yet settled holds no page and keeps none: the person's facts would
                # only key a page that cannot be there (under a steady trickle of writes, nearly
                # every signed-in page), and the app checks the session itself.
                settled = since is not None and monotonic() - since >= self.settle
                facts = users.session_facts(conn, *person) if settled else None
                stamp = page_stamp(conn, environ.get("PATH_INFO", "")) if facts is not None else None
        except Exception:  # noqa: BLE001 - as for visitors: the app answers and reports its own errors
            log.warning("page cache: data version unavailable", exc_info=True)
            return self.wsgi_app(environ, start_response)
        environ[fragments.VERSION_ENV] = version  # read before the app's own snapshot: fragments take it
        if facts is None:  # not settled, or the app signs this session out
            return self.wsgi_app(environ, start_response)
        key = (*key, facts, stamp)
        page = self.signed_in_store.peek(version, key)
        if page is not None:
            environ[SERVED_ENV] = "hit"
            return page.send(environ, start_response, ("X-Page-Cache", "hit"))
        marker: dict[str, Any] = {"max_age": None, "facts": facts}
        page, result = self._render(environ, start_response, marker, encode=False)
        if page is None:
            return result
        if not page.sets_cookie and marker.get("rendered_with") == facts:  # the person unchanged meanwhile
            keep(self.signed_in_store, version, key, page)
        return page.send(environ, start_response)

    def _render(self, environ: dict, start_response, marker: dict[str, Any], *,
                encode: bool = True) -> tuple[Page | None, Any]:
        """Run the app with `marker` in the environ. A page that may be kept comes back whole
        and unsent; anything else is sent as the app made it, and comes back as (None, body).
        `encode`: the page comes uncompressed and is kept in every coding; otherwise it is kept as
        Flask sent it, compressed for the one client that asked (its Accept-Encoding in the key)."""
        environ[ENV_KEY] = marker
        captured: list = []

        def capture(status, headers, exc_info=None):
            captured[:] = [status, list(headers), exc_info]  # sent by the caller, once the coding is known
            return _no_write

        result = self.wsgi_app(environ, capture)
        status, headers, exc_info = captured
        kept_as_sent = not encode and marker["max_age"] is not None
        if not kept_as_sent and (not environ.get(compression.DEFERRED)
                                 or any(h.lower() == "content-encoding" for h, _ in headers)):
            start_response(status, headers, exc_info)  # not to be kept
            return None, result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        headers = tuple((h, v) for h, v in headers if h.lower() != "content-length")
        return Page(status, headers, body, monotonic() + min(marker["max_age"], self.max_age),
                    self._encode(body) if encode else ()), None

    def _encode(self, body: bytes) -> tuple[tuple[str, bytes], ...]:
        if len(body) < int(self.app.config["COMPRESS_MIN_SIZE"]):
            return ()
        return tuple((coding, compression.encode(body, coding, self.app.config)) for coding in self.codings)


def _no_write(_data: bytes) -> None:
    raise RuntimeError("page cache: the app must return its body, not write() it")


def keep_for_session() -> None:
    """Called by a view whose page, for a signed-in person, follows the audit chain and the
    person's facts alone (session_pages.py): it may be kept for this session."""
    g.page_cache_for_session = True


def mark_response(response):
    """after_request: tell the middleware this response may be kept (HTML, 200; anonymous, or
    signed in on a view that opted in), and compression to leave it to the middleware."""
    marker = request.environ.get(ENV_KEY)
    if marker is None:
        return response
    age = g.get("page_cache_max_age", float("inf"))
    if not (age > 0 and response.status_code == 200 and response.mimetype == "text/html"
            and not response.direct_passthrough and not session.modified):
        return response
    if "facts" in marker:  # a signed-in request
        if not (current_user.is_authenticated and g.get("page_cache_for_session")):
            return response
        marker["rendered_with"] = users.page_facts(current_user)
        marker["max_age"] = age  # compressed by Flask for this one client, and kept so
        return response
    if session or current_user.is_authenticated:
        return response
    response.vary.add("Accept-Language")  # the language comes from it when no `lang` cookie
    marker["max_age"] = age
    request.environ[compression.DEFERRED] = True  # compressed by the middleware, once per coding
    return response


def install(app: Flask) -> None:
    if max(int(app.config.get(name) or 0) for name in ("PAGE_CACHE_MAX_BYTES", "SIGNED_IN_PAGE_CACHE_MAX_BYTES")) <= 0:
        return
    if "catalog_compress" not in app.extensions:  # its hook must run after `mark_response`
        raise RuntimeError("page_cache.install: call compression.install(app) first")
    app.after_request(mark_response)
    app.wsgi_app = PageCache(app)
    app.extensions["catalog_page_cache"] = app.wsgi_app
