"""`CATALOG_BASE_URL`: the catalog's public address comes from configuration, never from the
client's `Host` header, so that links in pages, API bodies, e-mails and audit checkpoints cannot
be pointed elsewhere by a forged header, and the page cache keeps one copy per page."""
from __future__ import annotations

from urllib.parse import urlsplit


def parse_base_url(value: str) -> tuple[str, str, str]:
    """(scheme, host[:port], path prefix) of an http(s) address; ValueError otherwise."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or "@" in parts.netloc \
            or parts.query or parts.fragment:
        raise ValueError(f"CATALOG_BASE_URL must be an http(s) address without credentials, query or "
                         f"fragment, e.g. https://katalog.example.go.id (got {value!r})")
    return parts.scheme, parts.netloc.lower(), parts.path.rstrip("/")


class PublicAddress:
    """WSGI middleware: every request is seen as addressed to the configured public address.
    A path prefix (the catalog served under /katalog) becomes SCRIPT_NAME, whether or not the
    reverse proxy strips it."""

    def __init__(self, wsgi_app, base_url: str):
        self.wsgi_app = wsgi_app
        self.scheme, self.host, self.prefix = parse_base_url(base_url)

    def __call__(self, environ, start_response):
        environ["HTTP_HOST"] = self.host
        environ["wsgi.url_scheme"] = self.scheme
        environ.pop("HTTP_X_FORWARDED_HOST", None)
        if self.prefix:
            path = environ.get("PATH_INFO", "")
            if path == self.prefix or path.startswith(self.prefix + "/"):
                environ["PATH_INFO"] = path[len(self.prefix):]
            environ["SCRIPT_NAME"] = self.prefix
        return self.wsgi_app(environ, start_response)
