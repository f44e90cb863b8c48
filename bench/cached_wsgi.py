"""Prototype of the page cache docs/performance.md recommends — a benchmark variant, not product code.

Anonymous GETs of the catalog's public pages (/, /apps with any query, /apps/<slug>) are served
from memory while nothing changed: the key is the path, the query string and the language; the
whole cache is dropped as soon as the database or the search index changes (a few `stat` calls
per request). Requests with a cookie or credentials pass through.

Today every page sets a session cookie for anonymous visitors (the language switch in base.html
is a POST form with a CSRF token), which makes any page cache unsafe. The recommended fix is a
language switch that needs no session (a GET link setting a `lang` cookie); this prototype
simulates it by dropping that session cookie from anonymous page responses it caches.
Run as `gunicorn bench.cached_wsgi:app` with the usual CATALOG_* environment.
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path

from wsgi import app as catalog

MAX_BYTES = 32 * 1024 * 1024  # per worker process
_DATA = Path(catalog.config["DATA_DIR"])
_WATCHED = (_DATA / "catalog.sqlite3", _DATA / "catalog.sqlite3-wal", Path(catalog.config["SEARCH_INDEX_DIR"]),
            Path(catalog.config["SEARCH_INDEX_DIR"]) / "tantivy")


def _version() -> tuple:
    out = []
    for path in _WATCHED:
        try:
            st = os.stat(path)
            out.append((st.st_mtime_ns, st.st_size))
        except OSError:
            out.append(None)
    return tuple(out)


def _cacheable(environ: dict) -> bool:
    if environ.get("REQUEST_METHOD") != "GET" or environ.get("HTTP_COOKIE") or environ.get("HTTP_AUTHORIZATION"):
        return False
    path = environ.get("PATH_INFO", "")
    return path in ("/", "/apps") or (path.startswith("/apps/") and "/" not in path[6:] and len(path) > 6)


class PageCache:
    def __init__(self, app) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.pages: OrderedDict[tuple, tuple[str, list, bytes]] = OrderedDict()
        self.size = 0
        self.version: tuple | None = None

    def __call__(self, environ, start_response):
        if not _cacheable(environ):
            return self.app(environ, start_response)
        key = (environ.get("PATH_INFO"), environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT_LANGUAGE", ""))
        version = _version()
        with self.lock:
            if version != self.version:
                self.pages.clear()
                self.size, self.version = 0, version
            hit = self.pages.get(key)
            if hit is not None:
                self.pages.move_to_end(key)
        if hit is not None:
            status, headers, body = hit
            start_response(status, headers)
            return [body]
        captured: dict = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        headers = [(h, v) for h, v in captured.get("headers", [])
                   if not (h.lower() == "set-cookie" and v.startswith("session="))]  # simulated fix, see above
        if captured.get("status", "").startswith("200") and not any(h.lower() == "set-cookie" for h, _ in headers):
            with self.lock:
                if version == self.version and len(body) < MAX_BYTES // 8:
                    self.pages[key] = (captured["status"], headers, body)
                    self.size += len(body)
                    while self.size > MAX_BYTES:
                        _, (_s, _h, old) = self.pages.popitem(last=False)
                        self.size -= len(old)
        return [body]


app = PageCache(catalog)
