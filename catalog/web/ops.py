"""For operators: `/healthz` (the process is up), `/readyz` (what the catalog needs answers) and
`/metrics` (Prometheus text). No login, no CSRF, no cookies, never cached, no secrets or paths.

Who may read /metrics: a client on this machine, or anyone with `Authorization: Bearer
<CATALOG_METRICS_TOKEN>` when that is set. "On this machine" is the socket's own peer, taken
before ProxyFix rewrites REMOTE_ADDR, and only for a request that carries no forwarding header:
behind nginx on the same host every request's peer is 127.0.0.1, and what nginx relays from the
internet always carries the X-Forwarded-For it adds (deploy/ sets it), so relayed requests
need the token, while Prometheus scraping gunicorn's own port directly does not.
"""
from __future__ import annotations

import hmac
import ipaddress
import os
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, request
from flask_babel import gettext as _
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

from ..extensions import csrf
from ..services.oversight import health
from . import observe
from .errors import HTTP_MESSAGES

bp = Blueprint("ops", __name__)
csrf.exempt(bp)
FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


@bp.before_request
def _no_cookies() -> None:
    request.environ[observe.NO_COOKIES_ENV] = True  # the middleware drops any Set-Cookie


@bp.after_request
def _never_cached(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    """The process is up and answers: no database, no disk, no lock."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    result = health.readiness()
    checks = {name: {"ok": c.ok, "ms": c.ms, **({"error": c.error} if c.error else {})}
              for name, c in result.checks.items()}
    return jsonify(status="ok" if result.ok else "fail", checks=checks), 200 if result.ok else 503


@bp.get("/metrics")
def metrics():
    refused = _refusal()
    if refused is not None:
        return refused
    return Response(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


def socket_peer() -> str:
    """The address of the TCP peer itself, whatever proxies said (ProxyFix keeps the original)."""
    environ = request.environ
    return (environ.get("werkzeug.proxy_fix.orig") or {}).get("REMOTE_ADDR") or environ.get("REMOTE_ADDR") or ""


def from_this_machine() -> bool:
    if any(request.environ.get(h) for h in FORWARDING_HEADERS):
        return False  # relayed by a proxy: the peer is the proxy, not the client
    try:
        ip = ipaddress.ip_address(socket_peer().split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def _refusal() -> tuple[Response, int] | None:
    if from_this_machine():
        return None
    token = current_app.config.get("METRICS_TOKEN") or ""
    if not token:
        return _error(403, "forbidden", str(HTTP_MESSAGES[403]))  # only from this machine
    scheme, _sep, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return None
    response, status = _error(401, "unauthenticated", _("Sertakan header 'Authorization: Bearer <token>'."))
    response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
    return response, status


def _error(status: int, code: str, message: str) -> tuple[Response, int]:
    return jsonify(error=code, message=message, fields={}), status


class _WorkerFiles(multiprocess.MultiProcessCollector):
    """The workers' metric files, less one a worker is creating right now: the library reads an
    empty file as a corrupt one and the whole scrape would fail (a 500 while a worker starts)."""

    def collect(self):
        files = [str(path) for path in Path(self._path).glob("*.db") if _sized(path)]
        return self.merge(files, accumulate=True)


def _sized(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except FileNotFoundError:  # a dead worker's live gauge, removed since the listing
        return False


def _registry() -> CollectorRegistry:
    """A registry per scrape: the request metrics of every gunicorn worker (multiprocess mode)
    or of this process, plus the figures read from the database and queue now."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        _WorkerFiles(registry)
    else:
        for metric in observe.METRICS:
            registry.register(metric)
    registry.register(_Figures(health.scrape_figures()))
    return registry


class _Figures:
    """Gauges read at scrape time (never stored in the multiprocess files)."""

    def __init__(self, figures: health.Figures) -> None:
        self.figures = figures

    def collect(self):
        f = self.figures
        up = GaugeMetricFamily("catalog_metrics_source_up", "1 when /metrics could read this source now",
                               labels=["source"])
        for source in ("queue", "database"):
            up.add_metric([source], 0 if source in f.errors else 1)
        yield up
        if "queue" not in f.errors:
            yield GaugeMetricFamily("catalog_jobs_queued", "Jobs waiting in the queue", value=f.jobs_queued or 0)
            if f.oldest_job_age is not None or not f.jobs_queued:
                yield GaugeMetricFamily("catalog_jobs_oldest_queued_seconds",
                                        "Age of the oldest job waiting in the queue (0 when none waits)",
                                        value=f.oldest_job_age or 0)
        if "database" in f.errors:
            return
        mirrors = GaugeMetricFamily("catalog_mirrors", "Upstream mirrors by state", labels=["state"])
        for state in ("queued", "fetching", "ready", "failed"):
            mirrors.add_metric([state], f.mirrors.get(state, 0))
        yield mirrors
        yield GaugeMetricFamily("catalog_mirror_fetch_failures", "Mirrors whose last fetch failed",
                                value=f.mirrors.get("failed", 0))
        yield GaugeMetricFamily("catalog_audit_events", "Length of the audit chain (seq of its head)",
                                value=f.audit_events or 0)
        yield GaugeMetricFamily("catalog_audit_verified_seq", "Newest audit event verified intact",
                                value=f.audit_verified_seq or 0)
        if f.audit_verified_at is not None:
            yield GaugeMetricFamily("catalog_audit_verified_timestamp_seconds",
                                    "When the audit chain was last verified (Unix time)", value=f.audit_verified_at)
