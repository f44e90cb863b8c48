"""Request ids, request metrics and one JSON log line per request (CATALOG_LOG_FORMAT=json).

A WSGI middleware around Flask times each request until its body has been sent (git clones and
downloads stream), counts it per Flask endpoint (never the raw path: the label set stays as
small as the route table), and logs it. Flask hooks tell it what only Flask knows: endpoint, path
template, signed-in user and organization, and whether the request searched or pushed.

What a line holds: request id (a valid incoming `X-Request-Id`, else a new one, sent back in
`X-Request-Id`), method, path template (`/apps/<slug>`, so never a query string), status,
duration, user id, organization code, client address. Never headers, cookies, bodies or query
strings: tokens, passwords and session cookies have no way into it.

Installed around the page cache (`create_app` installs it after the cache): pages served from
memory are counted (endpoint `page_cache`), logged and get their own `X-Request-Id`, which is
added here on the way out, never stored with the page. Installed inside it instead, a page the
cache keeps would get no id, which would otherwise be replayed to every later visitor.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime
from time import perf_counter

from flask import Flask, g, request
from prometheus_client import Counter, Histogram

from .. import sqlite_writers
from ..jobs.queue import REQUEST_ID_ENV, current_request_id
from . import page_cache

log = logging.getLogger("catalog.request")

INFO_ENV = "catalog.observe"      # request.environ: what the Flask hooks learnt
NO_COOKIES_ENV = "catalog.no_cookies"  # request.environ: drop Set-Cookie (ops endpoints)
_VALID_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
SEARCH_ENDPOINTS = {"ui.app_list": "ui", "api.api_app_list": "api"}
GIT_ENDPOINT = "git.git_http"

# Process-wide, as Prometheus expects; in gunicorn's multiprocess mode (PROMETHEUS_MULTIPROC_DIR)
# each worker writes its own files and /metrics adds them up (web/ops.py).
REQUESTS = Counter("catalog_http_requests", "HTTP requests answered, by Flask endpoint, method and status class",
                   ["endpoint", "method", "status"], registry=None)
LATENCY = Histogram("catalog_http_request_duration_seconds",
                    "Time to answer a request, body sent included, by Flask endpoint", ["endpoint"],
                    buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300), registry=None)
SEARCH = Histogram("catalog_search_duration_seconds",
                   "Time to answer a search (a catalog list or API list request with a query)", ["interface"],
                   buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10), registry=None)
PUSHES = Counter("catalog_git_pushes", "git pushes over smart HTTP (receive-pack requests), by status class",
                 ["status"], registry=None)
METRICS = (REQUESTS, LATENCY, SEARCH, PUSHES, sqlite_writers.WAIT)


def request_id(environ: dict) -> str:
    incoming = environ.get("HTTP_X_REQUEST_ID", "")
    return incoming if _VALID_ID.fullmatch(incoming) else uuid.uuid4().hex


class Observe:
    """WSGI middleware: request id in, `X-Request-Id` out, metrics and the log line at the end."""

    def __init__(self, wsgi_app, *, inside_page_cache: bool) -> None:
        self.wsgi_app = wsgi_app
        self.inside_page_cache = inside_page_cache

    def __call__(self, environ: dict, start_response):
        started = perf_counter()
        rid = environ[REQUEST_ID_ENV] = request_id(environ)
        sent: list[int] = []

        def start(status: str, headers: list, exc_info=None):
            sent[:] = [int(status.split(" ", 1)[0])]
            headers = list(headers)
            if environ.get(NO_COOKIES_ENV):
                headers = [(k, v) for k, v in headers if k.lower() != "set-cookie"]
            if not (self.inside_page_cache and _kept_by_page_cache(environ)):
                headers.append(("X-Request-Id", rid))
            return start_response(status, headers, exc_info)

        try:
            result = self.wsgi_app(environ, start)
        except BaseException:
            finish(environ, 500, started)
            raise
        file_wrapper = environ.get("wsgi.file_wrapper")
        if isinstance(file_wrapper, type) and isinstance(result, file_wrapper):
            finish(environ, sent[0] if sent else 500, started)  # keep the server's sendfile path
            return result
        return _Closing(result, lambda: finish(environ, sent[0] if sent else 500, started))


class _Closing:
    """The app's body, unchanged, with `finish` called once when the server closes it."""

    def __init__(self, result, on_close) -> None:
        self.result, self.on_close = result, on_close

    def __iter__(self):
        return iter(self.result)

    def close(self) -> None:
        try:
            if hasattr(self.result, "close"):
                self.result.close()
        finally:
            self.on_close()


def _kept_by_page_cache(environ: dict) -> bool:
    marker = environ.get(page_cache.ENV_KEY)
    return bool(marker) and marker.get("max_age") is not None


def finish(environ: dict, status: int, started: float) -> None:
    seconds = perf_counter() - started
    info = environ.get(INFO_ENV) or {}
    endpoint = info.get("endpoint") or ("page_cache" if environ.get(page_cache.SERVED_ENV) else "none")
    method = environ.get("REQUEST_METHOD", "")
    method = method if method in METHODS else "other"
    try:
        REQUESTS.labels(endpoint, method, f"{status // 100}xx").inc()
        LATENCY.labels(endpoint).observe(seconds)
        if info.get("search"):
            SEARCH.labels(SEARCH_ENDPOINTS[endpoint]).observe(seconds)
        if info.get("push"):
            PUSHES.labels(f"{status // 100}xx").inc()
    except Exception:  # noqa: BLE001 - metrics never fail a request
        logging.getLogger(__name__).warning("metrics not recorded", exc_info=True)
    path = info.get("path")
    log.info("%s %s %s", method, path or "-", status, extra={
        "request_id": environ.get(REQUEST_ID_ENV), "method": method, "path": path, "status": status,
        "duration_ms": round(seconds * 1000, 1), "user_id": info.get("user_id"), "org": info.get("org"),
        "client": info.get("client") or environ.get("REMOTE_ADDR")})


def _note_route() -> dict:
    info = request.environ.setdefault(INFO_ENV, {})
    if "endpoint" not in info:
        info["endpoint"] = request.endpoint
        info["path"] = request.url_rule.rule if request.url_rule is not None else None
        info["client"] = request.remote_addr  # the client's, after ProxyFix when proxies are trusted
    return info


def _note_response(response):
    """after_request: the route, who asked (only a user the request already loaded: no query
    for the log's sake), and whether it searched or pushed."""
    info = _note_route()
    user = g.get("api_actor") or g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        try:
            info["user_id"], info["org"] = user.id, user.organization.code
        except Exception:  # noqa: BLE001 - a broken session must not hide the response
            pass
    if request.endpoint in SEARCH_ENDPOINTS:
        info["search"] = bool(request.args.get("q", "").strip())
    elif request.endpoint == GIT_ENDPOINT and request.method == "POST":
        info["push"] = (request.view_args or {}).get("rest") == "git-receive-pack"
    return response


def _note_teardown(_exc) -> None:
    _note_route()  # when no after_request ran


# Attributes every LogRecord has; anything else on a record came in through `extra`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the record's extra fields, and the
    request id of the request (or of the job's request) it was logged in."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
               "level": record.levelname, "logger": record.name, "msg": record.getMessage()}
        out.update((k, v) for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_"))
        if out.get("request_id") is None:
            try:
                out["request_id"] = current_request_id()
            except Exception:  # noqa: BLE001 - logging never fails
                out["request_id"] = None
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str, ensure_ascii=False)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is now (gunicorn and pytest may swap it)."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def json_handler() -> logging.Handler | None:
    """The JSON handler installed on the root logger, if any."""
    return next((h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter)), None)


def configure_logging(app: Flask) -> None:
    """With LOG_FORMAT=json: JSON lines on stderr for every logger (once per process), and our
    own loggers at INFO so that request and job lines are written."""
    if app.config.get("LOG_FORMAT") != "json" or json_handler() is not None:
        return
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(handler)
    logging.getLogger("catalog").setLevel(logging.INFO)


def install(app: Flask) -> None:
    configure_logging(app)
    app.after_request(_note_response)
    app.teardown_request(_note_teardown)
    inside = "catalog_page_cache" not in app.extensions  # installed after the cache: it sees hits too
    app.wsgi_app = Observe(app.wsgi_app, inside_page_cache=inside)  # type: ignore[method-assign]
