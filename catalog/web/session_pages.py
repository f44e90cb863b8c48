"""Signed-in people's pages kept per session, for the page cache (page_cache.py).

Why: a signed-in page costs 1.5–4 ms of CPU even when every shared part of it is a fragment
(the user and session checks, the header, Jinja), against 0.1 ms for a page the cache sends;
people reopen the same pages (their region, the deployments list, the catalog) all day.

A page is kept only for the exact cookie, address and browser that asked, and only while
everything it shows is as it was:
- the data version is the one it was rendered at (any audited change anywhere: a miss), and has
  been seen for PAGE_CACHE_SETTLE seconds, as for visitors; no staleness window here: whoever
  changes something sees it at the next page;
- its person's facts (role, organization, language, name, unread notifications) and the
  session's standing (account active, not signed out everywhere or on this device) are read on
  every request with one small query, and are part of the key;
- the cookie itself is in the key: any change to the session (a message to show, a language
  switch, "last seen") makes a new cookie, and the app renders that page. A page whose rendering
  changed the session (a message shown, a sign-in step) sets a cookie and is never kept;
- a session that must reach the app as time passes with the same cookie (past SESSION_MAX_AGE,
  "last seen" due) or that carries no session id is never answered from memory;
- only views that call `page_cache.keep_for_session()` opt in (pure reads whose content follows
  the audit chain), with their own max age for what changes without an audit event;
- a fork's page and its diffs show the fork's stored divergence, which the refresh job rewrites
  with no audit event: they also follow its stamp (`page_stamp`), read in the same connection.
"""
from __future__ import annotations

import re
import threading
import time

from cachetools import LRUCache
from flask import Flask
from itsdangerous import BadSignature
from werkzeug.http import parse_cookie

from ..services.repos import refresh
from .sign_in import SEEN_AT, SESSION_ID, SIGNED_IN_AT

# Never pages: a browser sends its cookie with these too, and they must not cost a query each.
NOT_PAGES = ("/static/", "/api/", "/git/")
FORK_PAGE = re.compile(r"^/forks/([0-9]{1,12})(?:/diff)?$")


def page_stamp(executor, path: str):
    """What a kept page at `path` follows beyond the data version and the person (None: nothing)."""
    match = FORK_PAGE.match(path)
    return refresh.divergence_stamp(executor, int(match[1])) if match else None


class SessionReader:
    """Reads the signed session cookie the way Flask does (same key, same serializer, same age)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.cookie_name = app.config["SESSION_COOKIE_NAME"]
        self.lifetime = int(app.permanent_session_lifetime.total_seconds())
        # Checking a cookie's signature costs 90 µs, half of a kept page's answer: each cookie
        # value is checked once per process (its age is checked on every request).
        self._checked: LRUCache = LRUCache(4096)
        self._lock = threading.Lock()

    def _session(self, value: str) -> dict | None:
        keys = (self.app.secret_key, tuple(self.app.config.get("SECRET_KEY_FALLBACKS") or ()))
        with self._lock:
            checked = self._checked.get((value, keys))
        if checked is None:
            serializer = self.app.session_interface.get_signing_serializer(self.app)  # type: ignore[attr-defined]
            try:
                checked = serializer.loads(value, return_timestamp=True)
            except (BadSignature, ValueError, TypeError):
                return None
            with self._lock:
                self._checked[(value, keys)] = checked
        data, signed_at = checked
        return data if time.time() - signed_at.timestamp() <= self.lifetime else None

    def key(self, environ: dict) -> tuple | None:
        """The key of a GET that carries a session cookie, or None: everything that may change
        what the app would answer, but for the person's facts (read from the database)."""
        if (environ.get("REQUEST_METHOD") != "GET" or environ.get("HTTP_AUTHORIZATION")
                or environ.get("PATH_INFO", "").startswith(NOT_PAGES)):
            return None
        header = environ.get("HTTP_COOKIE", "")
        if self.cookie_name not in header:
            return None
        return (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST") or environ.get("SERVER_NAME"),
                environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
                header, environ.get("HTTP_ACCEPT_LANGUAGE", ""), environ.get("HTTP_ACCEPT_ENCODING", ""),
                environ.get("HTTP_USER_AGENT", ""),
                environ.get("REMOTE_ADDR", ""), environ.get("HTTP_X_FORWARDED_FOR", ""))

    def person(self, environ: dict) -> tuple[int, int, str] | None:
        """(user id, session version, session id) of a signed-in session that needs nothing from
        the app on this request; None otherwise (the app then decides, as without this cache)."""
        value = parse_cookie(environ.get("HTTP_COOKIE", "")).get(self.cookie_name)
        data = self._session(value) if value else None
        if not isinstance(data, dict):
            return None
        now, signed_in, seen = time.time(), data.get(SIGNED_IN_AT), data.get(SEEN_AT, 0)
        config = self.app.config  # read as the app reads it: a change applies to both at once
        if not isinstance(signed_in, int | float) or now - signed_in >= config["SESSION_MAX_AGE"]:
            return None
        if not isinstance(seen, int | float) or now - seen >= config["SESSION_SEEN_INTERVAL"]:
            return None  # "last seen" is due: the app writes it and sends a new cookie
        try:
            user_id, version = (int(part) for part in str(data["_user_id"]).split(":", 1))
        except (KeyError, ValueError):
            return None
        session_id = data.get(SESSION_ID)
        return (user_id, version, session_id) if isinstance(session_id, str) and session_id else None
