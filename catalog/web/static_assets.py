"""Static files under content-hashed names, cached by browsers for a year: one round trip per page.

`url_for('static', filename='css/catalog.css')` gives `/static/<hash>/css/catalog.css`, the
hash being the first 12 hex digits of the file's SHA-256, read once per process (on every call
in debug mode, so that an edited stylesheet shows at once). A request for that name is
answered from the bytes that were hashed, with `Cache-Control: public, max-age=31536000,
immutable`: a name only ever means one content, so browsers never ask again, and a deploy that
changes a file changes its name. The hash is in the path, not in `?v=`, so that no cache that
ignores query strings keeps an old file under a name marked immutable; it leads the path so
that file names read as they are (in pages, tests and a browser's network panel).

A hashed name whose hash is not the current one (a page rendered before a deploy) and the plain
name (old links) get the current file with a short max age.
"""
from __future__ import annotations

import hashlib
import mimetypes
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, current_app, request
from werkzeug.security import safe_join

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT_MAX_AGE = 300  # seconds, for names that do not carry the content's hash
HASHED = re.compile(r"^(?P<digest>[0-9a-f]{12})/(?P<name>.+)$")


@dataclass(frozen=True)
class Asset:
    body: bytes
    digest: str
    mimetype: str


def hashed_name(filename: str, digest: str) -> str:
    """css/catalog.css -> <digest>/css/catalog.css"""
    return f"{digest}/{filename}"


class StaticAssets:
    """The static folder's files, each read and hashed once (per process)."""

    def __init__(self, folder: str, *, reload: bool = False) -> None:
        self.folder, self.reload = folder, reload
        self._assets: dict[str, Asset] = {}
        self._lock = threading.Lock()

    def asset(self, filename: str) -> Asset | None:
        """The file as read (and hashed) first, or None when no such file is in the folder."""
        found = None if self.reload else self._assets.get(filename)
        if found is not None:
            return found
        path = safe_join(self.folder, filename)
        if path is None or not Path(path).is_file():
            return None
        body = Path(path).read_bytes()
        found = Asset(body, hashlib.sha256(body).hexdigest()[:12],
                      mimetypes.guess_type(filename)[0] or "application/octet-stream")
        with self._lock:
            return found if self.reload else self._assets.setdefault(filename, found)

    def url_name(self, filename: str) -> str:
        asset = self.asset(filename)
        return filename if asset is None else hashed_name(filename, asset.digest)

    def resolve(self, name: str) -> tuple[Asset, bool] | None:
        """For a hashed name: the file and whether the hash is its current one."""
        match = HASHED.match(name)
        if match is None:
            return None
        asset = self.asset(match["name"])
        return None if asset is None else (asset, asset.digest == match["digest"])


def _assets() -> StaticAssets:
    return current_app.extensions["catalog_static"]


def _hashed_urls(endpoint: str, values: dict) -> None:
    """url_defaults: the hashed name for every `url_for('static', filename=...)`."""
    if endpoint == "static" and isinstance(values.get("filename"), str):
        values["filename"] = _assets().url_name(values["filename"])


def read_static(filename: str) -> Asset | None:
    """A static file by the name a page links it under (hashed or plain), read without a request:
    what a renderer inside the app (the evidence PDF) loads instead of fetching over HTTP."""
    found = _assets().resolve(filename)
    return found[0] if found is not None else _assets().asset(filename)


def static_file(filename: str) -> Response:
    """Replaces Flask's static view: hashed names from memory, any other name from disk."""
    found = _assets().resolve(filename)
    if found is None:
        response = current_app.send_static_file(filename)  # the plain name (old links), streamed
    else:
        asset, current = found
        response = Response(asset.body, mimetype=asset.mimetype)  # not streamed: compressible
        response.set_etag(asset.digest)
        response.make_conditional(request)
        if current:
            response.headers["Cache-Control"] = IMMUTABLE
            return response
    response.headers["Cache-Control"] = f"public, max-age={SHORT_MAX_AGE}"
    return response


def install(app: Flask) -> None:
    if not app.static_folder or "static" not in app.view_functions:
        return
    app.extensions["catalog_static"] = StaticAssets(app.static_folder, reload=app.debug)
    app.view_functions["static"] = static_file
    app.url_defaults(_hashed_urls)
