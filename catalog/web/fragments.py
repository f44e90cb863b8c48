"""Parts of a page that are the same for everyone who asks, rendered once and reused for a while.

Why: the page cache (page_cache.py) serves visitors only; signed-in people's pages carry their
name, a CSRF token and an unread count, so every list, search or home page they opened ran the
search and 10–15 ms of Jinja at national scale. The catalog content of those pages does not
depend on who asks: it is rendered once per worker into a fragment, and each person's page is
only the shell around it (about 2 ms).

Freshness follows the data version (models.data_version):
- a fragment rendered at the current version is reused for up to FRAGMENT_MAX_AGE seconds;
- one rendered at an older version only for FRAGMENT_STALE seconds after it was rendered. In a
  working day some deployment or fork changes every second or so, and a cache that dropped
  everything at each change would never be hit; list and search pages already lag the search
  index's own refresh by about as much;
- like the page cache, nothing is kept as current until a version has been seen for
  PAGE_CACHE_SETTLE seconds, so a search index that other processes reload just after a commit
  is not kept stale; what is rendered before then serves only within the FRAGMENT_STALE window.

A fragment whose key names every fact it shows (`own_version=True`: the app's `updated_at`, or
the change stamps of the rows it lists, read with one small query) does not follow the data
version at all: it is reused for up to FRAGMENT_MAX_AGE seconds whatever else changes. On a
working day the data version moves every second, so an app page seen less often than every
FRAGMENT_STALE seconds by a worker was rendered afresh each time, though nothing on it had changed.

Not `versioned_cache.VersionedCache`: that one drops every value when a newer version appears,
which is exactly what the staleness window must not do.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from time import monotonic
from typing import Any

from cachetools import LRUCache
from flask import Flask, Response, current_app, g, request
from flask_babel import get_locale
from markupsafe import Markup

from ..extensions import db
from ..models.data_version import data_version
from .i18n import viewer_zone

EXTENSION = "catalog_fragments"
VERSION_ENV = "catalog.data_version"  # set by the page cache (page_cache.py) when it read the version


@dataclass(frozen=True)
class Fragment:
    version: tuple | None  # None: rendered before the version settled, never current
    rendered_at: float  # monotonic seconds
    html: Markup
    status: int


class FragmentCache:
    """Rendered fragments of one worker process, bounded by `max_bytes` of HTML (thread-safe)."""

    def __init__(self, max_bytes: int, *, max_age: float, stale: float, settle: float) -> None:
        self.max_age, self.stale, self.settle = max_age, stale, settle
        self._lock = threading.Lock()
        self._store: LRUCache = LRUCache(max_bytes, getsizeof=lambda f: len(f.html) + 200)
        self._version: tuple | None = None
        self._since = 0.0

    def _observe(self, version: tuple, now: float) -> bool:
        """Note the version this request read; True when it has been current long enough to keep."""
        with self._lock:
            if version != self._version:
                self._version, self._since = version, now
            return now - self._since >= self.settle

    def _usable(self, fragment: Fragment, version: tuple, now: float) -> bool:
        age = now - fragment.rendered_at
        return age <= self.max_age and (fragment.version == version or age <= self.stale)

    def get_or_render(self, key: Hashable, render: Callable[[], tuple[str, int]], *,
                      own_version: bool = False) -> tuple[Markup, int]:
        """The fragment for `key`, rendered by `render()` (html, status) when none may be reused.
        Only a 200 is kept. `own_version`: the key names all the fragment depends on."""
        if own_version:
            return self._get_or_render_own(key, render)
        if "fragment_version" not in g:  # one version per request, however many fragments
            # The page cache's, when it read one before this request reached the app
            g.fragment_version = request.environ.get(VERSION_ENV) or data_version(db.session)
        version = g.fragment_version
        now = monotonic()
        keepable = self._observe(version, now)
        with self._lock:
            fragment = self._store.get(key)
        if fragment is not None and self._usable(fragment, version, now):
            return fragment.html, fragment.status
        html, status = render()
        # Rendered while the version had not settled (a search index may not have caught up): kept
        # under no version, so it serves only within the staleness window. Under a steady trickle
        # of writes the version never settles, and without this nothing would ever be kept.
        fragment = Fragment(version if keepable else None, now, Markup(html), status)
        self._keep(key, fragment)
        return fragment.html, status

    def _get_or_render_own(self, key: Hashable, render: Callable[[], tuple[str, int]]) -> tuple[Markup, int]:
        now = monotonic()
        with self._lock:
            fragment = self._store.get(key)
        if fragment is not None and now - fragment.rendered_at <= self.max_age:
            return fragment.html, fragment.status
        html, status = render()
        fragment = Fragment(None, now, Markup(html), status)
        self._keep(key, fragment)
        return fragment.html, status

    def _keep(self, key: Hashable, fragment: Fragment) -> None:
        if fragment.status == 200 and len(fragment.html) <= self._store.maxsize // 8:
            with self._lock:
                self._store[key] = fragment


def cached(key: Hashable, render: Callable[[], tuple[str, int]], *,
           own_version: bool = False) -> tuple[Markup, int]:
    """Called by a view: the shared fragment for `key` (which must name everything the fragment
    depends on: page, arguments, language; `i18n.viewer_zone()` when it shows times, which are in
    the viewer's zone), or `render()`'s when the cache is off."""
    cache: FragmentCache | None = current_app.extensions.get(EXTENSION)
    if cache is None:
        html, status = render()
        return Markup(html), status
    return cache.get_or_render(key, render, own_version=own_version)


def shared_json(key: tuple, build: Callable[[], Any], *, own_version: bool = False) -> Response:
    """An API answer that is the same for every caller (published data only), kept like a
    fragment: `key` names everything `build()` depends on (`own_version`: as `cached`'s)."""
    def render() -> tuple[str, int]:
        return current_app.json.dumps(build()), 200

    body, status = cached(("json", request.host_url, *key), render,  # answers carry absolute links
                          own_version=own_version)
    return current_app.response_class(str(body), status=status, mimetype="application/json")


def shared(*key_parts: Hashable, caller: Callable[[], str], own_version: bool = False) -> Markup:
    """Jinja: `{% call shared("name", app.id, app.updated_at) %}…{% endcall %}` keeps the body as
    a fragment. The body must not depend on who asks (no current_user, no csrf_token()); the key
    names what it does depend on, the language and the viewer's time zone are added here.
    `own_version=True` when the key names every fact the body shows (see the module's docstring)."""
    def render() -> tuple[str, int]:
        g.in_shared_fragment = True
        try:
            return caller(), 200
        finally:
            g.in_shared_fragment = False

    html, _status = cached(("template", *key_parts, str(get_locale()), viewer_zone()), render,
                           own_version=own_version)
    return html


def _guard_csrf(generate: Callable[[], str]) -> Callable[[], str]:
    """A CSRF token belongs to one session: asking for one inside a shared fragment is a bug."""
    def csrf_token() -> str:
        if g.get("in_shared_fragment"):
            raise RuntimeError("csrf_token() inside a shared fragment would hand one person's token to others")
        return generate()
    return csrf_token


def install(app: Flask) -> None:
    app.jinja_env.globals["shared"] = shared
    if "csrf_token" in app.jinja_env.globals:
        app.jinja_env.globals["csrf_token"] = _guard_csrf(app.jinja_env.globals["csrf_token"])
    config: dict[str, Any] = app.config
    max_bytes = int(config.get("FRAGMENT_CACHE_MAX_BYTES") or 0)
    if max_bytes > 0:
        app.extensions[EXTENSION] = FragmentCache(
            max_bytes, max_age=float(config["PAGE_CACHE_MAX_AGE"]), stale=float(config["FRAGMENT_STALE"]),
            settle=float(config["PAGE_CACHE_SETTLE"]))
