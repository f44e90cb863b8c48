"""Configuration: defaults, then CATALOG_* environment variables, then a test mapping."""
from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ENV_PREFIX = "CATALOG_"
DEV_SECRET = "dev-only-secret-change-me"
# the checkout or release holding catalog/, templates/, migrations/
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env_flag(name: str) -> bool:
    return os.environ.get(ENV_PREFIX + name, "").strip().lower() in {"1", "true", "yes", "on"}


def _env_switch(name: str) -> bool:
    """On unless set to 0, false, no or off."""
    return os.environ.get(ENV_PREFIX + name, "1").strip().lower() not in {"0", "false", "no", "off"}


def build_config(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return the Flask config mapping; raises RuntimeError when production lacks a secret."""
    overrides = dict(overrides or {})
    data_dir = Path(overrides.get("DATA_DIR") or os.environ.get(ENV_PREFIX + "DATA_DIR") or "instance").resolve()
    env_name = overrides.get("ENV_NAME") or os.environ.get(ENV_PREFIX + "ENV", "development")
    cfg: dict[str, Any] = {
        "ENV_NAME": env_name,
        "DATA_DIR": str(data_dir),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(ENV_PREFIX + "DATABASE_URL")
        or f"sqlite:///{data_dir / 'catalog.sqlite3'}",
        "SECRET_KEY": os.environ.get(ENV_PREFIX + "SECRET_KEY") or None,
        # Audit: keyed digests of private values (else derived from SECRET_KEY), events verified per request
        "AUDIT_DIGEST_KEY": os.environ.get(ENV_PREFIX + "AUDIT_DIGEST_KEY") or None,
        "AUDIT_VERIFY_BATCH": int(os.environ.get(ENV_PREFIX + "AUDIT_VERIFY_BATCH") or 500),
        "REDIS_URL": os.environ.get(ENV_PREFIX + "REDIS_URL") or None,
        "SMTP_URL": os.environ.get(ENV_PREFIX + "SMTP_URL") or None,  # e-mail notifications when set
        # The public address: links, e-mails and checkpoints use it, never the client's Host header.
        "BASE_URL": os.environ.get(ENV_PREFIX + "BASE_URL") or "",
        # Reverse proxies in front that set X-Forwarded-For/-Proto (0: the peer is the client).
        "TRUSTED_PROXIES": int(os.environ.get(ENV_PREFIX + "TRUSTED_PROXIES") or 0),
        # Operations (README, "Operations"): /metrics answers loopback peers, or this bearer token;
        # `json` logs one JSON line per request and per job; each /readyz check waits this long.
        "METRICS_TOKEN": os.environ.get(ENV_PREFIX + "METRICS_TOKEN") or "",
        "LOG_FORMAT": (os.environ.get(ENV_PREFIX + "LOG_FORMAT") or "text").strip().lower(),
        "READY_TIMEOUT": float(os.environ.get(ENV_PREFIX + "READY_TIMEOUT") or 2.0),
        "ALLOW_LOCAL_REPOS": _env_flag("ALLOW_LOCAL_REPOS"),
        # This node's own search index (several nodes: one each) and its name in the node registry.
        "SEARCH_INDEX_DIR": os.environ.get(ENV_PREFIX + "INDEX_DIR") or None,
        "NODE_ID": (os.environ.get(ENV_PREFIX + "NODE_ID") or "").strip() or socket.gethostname(),
        # The index follower (services/catalog/index_follower.py): a node not seen for this many
        # days stops holding the change log back (and rebuilds when it returns); an id missing
        # below the newest one applied is looked for again this long (a transaction still open).
        "INDEX_NODE_STALE_DAYS": float(os.environ.get(ENV_PREFIX + "INDEX_NODE_STALE_DAYS") or 7),
        "INDEX_GAP_GRACE_SECONDS": float(os.environ.get(ENV_PREFIX + "INDEX_GAP_GRACE_SECONDS") or 600),
        "INDEX_REPORT_SECONDS": 10.0,  # how often a follower tells the registry where it is
        "REPOS_DIR": os.environ.get(ENV_PREFIX + "REPO_DIR") or None,  # shared by the nodes (NFS v4)
        "JOBS_IMMEDIATE": _env_flag("JOBS_IMMEDIATE"),
        "MIRROR_REFRESH_HOURS": 6,
        "MIRROR_MAX_BYTES": 2 * 1024**3,
        "MIRROR_TIMEOUT": 3600,
        # An uploaded git bundle (offline import), streamed to disk; other requests keep MAX_CONTENT_LENGTH.
        "BUNDLE_MAX_BYTES": int(os.environ.get(ENV_PREFIX + "BUNDLE_MAX_BYTES") or 2 * 1024**3),
        "MAX_PUSH_BYTES": 512 * 1024**2,  # a push's body, inflated when sent gzip-compressed
        # Disk quota of each fork's own objects (what it borrows from upstream is not counted);
        # written into the fork's git config, enforced by pre-receive; 0 = none. A change
        # reaches existing forks with `flask catalog fsck --repair`.
        "FORK_QUOTA_BYTES": int(os.environ.get(ENV_PREFIX + "FORK_QUOTA_BYTES") or 2 * 1024**3),
        # Git over HTTP against hostile clients (issue 13, finding 2), catalog/vcs/http.py:
        "GIT_UPLOAD_PACK_MAX_BYTES": 8 * 1024**2,  # a clone/fetch negotiation body, inflated
        "GIT_NEGOTIATION_TIMEOUT": 120,  # seconds until upload-pack's first byte of output
        "GIT_HTTP_TIMEOUT": 3600,        # seconds per git http-backend request, all told
        "GIT_MAX_PER_CLIENT": int(os.environ.get(ENV_PREFIX + "GIT_MAX_PER_CLIENT") or 4),  # per address, all nodes
        "SEARCH_BACKEND": os.environ.get(ENV_PREFIX + "SEARCH_BACKEND", "tantivy"),
        # Hostile repositories: downloads and diffs stay bounded whatever the trees expand to.
        "ARCHIVE_MAX_BYTES": 1024**3,       # sum of file sizes in one zip / tar.gz download
        "ARCHIVE_MAX_ENTRIES": 100_000,     # paths in one download
        "GIT_DIFF_TIMEOUT": 60,             # seconds per diff command (divergence, changed files)
        "GIT_DIFF_MAX_MEMORY": 512 * 1024**2,  # heap of one diff command
        # Deployment heartbeats (issue 19): "tidak terpantau" after this many days without one,
        # at most one accepted beat per token per interval, a small body.
        "HEARTBEAT_STALE_DAYS": int(os.environ.get(ENV_PREFIX + "HEARTBEAT_STALE_DAYS") or 7),
        "HEARTBEAT_MIN_INTERVAL_SECONDS": int(os.environ.get(ENV_PREFIX + "HEARTBEAT_MIN_INTERVAL_SECONDS") or 60),
        "HEARTBEAT_MAX_BYTES": 4096,
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env_name == "production",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env_name == "production",
        # Absolute lifetime of a sign-in, in seconds, however active it is (issue 13): web/auth.py.
        "SESSION_MAX_AGE": int(os.environ.get(ENV_PREFIX + "SESSION_MAX_AGE") or 12 * 3600),
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        # A connection per web thread (gunicorn gthread: 8 at most here), kept: past pool_size,
        # SQLAlchemy closes connections on return, and PostgreSQL started a backend process for
        # nearly every request of the working-day load test (the default pool holds 5).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "max_overflow": 8,
                                      "pool_size": int(os.environ.get(ENV_PREFIX + "DB_POOL_SIZE") or 8)},
        "PER_PAGE": 20,
        # Sign-in (README, "Single sign-on and two-factor"): OpenID Connect when an issuer is set,
        # password sign-in unless turned off (and per organization, organization.password_login).
        "OIDC_ISSUER": (os.environ.get(ENV_PREFIX + "OIDC_ISSUER") or "").strip().rstrip("/"),
        "OIDC_CLIENT_ID": os.environ.get(ENV_PREFIX + "OIDC_CLIENT_ID") or "",
        "OIDC_CLIENT_SECRET": os.environ.get(ENV_PREFIX + "OIDC_CLIENT_SECRET") or "",
        "OIDC_EMAIL_CLAIM": os.environ.get(ENV_PREFIX + "OIDC_EMAIL_CLAIM") or "email",
        "OIDC_ORG_CLAIM": os.environ.get(ENV_PREFIX + "OIDC_ORG_CLAIM") or "",  # e.g. org_code; empty: not checked
        "OIDC_SCOPES": os.environ.get(ENV_PREFIX + "OIDC_SCOPES") or "openid email profile",
        "OIDC_TIMEOUT": float(os.environ.get(ENV_PREFIX + "OIDC_TIMEOUT") or 5.0),  # seconds per call to the IdP
        "OIDC_LABEL": os.environ.get(ENV_PREFIX + "OIDC_LABEL") or "",  # the button's name for the IdP
        "SSO_LOGIN": _env_switch("SSO_LOGIN"),
        "PASSWORD_LOGIN": _env_switch("PASSWORD_LOGIN"),
        # Roles that must sign in with a second factor; by default admins and organization admins
        # in production (elsewhere two-factor stays optional for everyone).
        "TWO_FACTOR_ROLES": None,
        # "Last seen" of a listed session is written at most this often (seconds) per session.
        "SESSION_SEEN_INTERVAL": int(os.environ.get(ENV_PREFIX + "SESSION_SEEN_INTERVAL") or 300),
        # Visitors' pages kept in memory per worker process (catalog/web/page_cache.py); 0 turns it off.
        "PAGE_CACHE_MAX_BYTES": int(float(os.environ.get(ENV_PREFIX + "PAGE_CACHE_MB", "32")) * 1024**2),
        # Signed-in people's pages kept per session (catalog/web/session_pages.py); 0 turns it off.
        "SIGNED_IN_PAGE_CACHE_MAX_BYTES": int(float(os.environ.get(ENV_PREFIX + "SIGNED_IN_PAGE_CACHE_MB", "16"))
                                              * 1024**2),
        # Shared fragments of signed-in people's pages (web/fragments.py): per worker process.
        "FRAGMENT_CACHE_MAX_BYTES": int(float(os.environ.get(ENV_PREFIX + "FRAGMENT_CACHE_MB", "16")) * 1024**2),
        "FRAGMENT_STALE": float(os.environ.get(ENV_PREFIX + "FRAGMENT_STALE", "5")),  # seconds after a change
        "PAGE_CACHE_MAX_AGE": 60.0,   # seconds: bounds what changes without an audit event
        "REPORT_MAX_AGE": float(os.environ.get(ENV_PREFIX + "REPORT_MAX_AGE", "60")),  # auditors' dashboard
        "PAGE_CACHE_SETTLE": 0.5,     # seconds after a data change before pages are kept again
        # Seconds a visitor's page may be served whatever changed meanwhile (0: only exact pages).
        "PAGE_CACHE_STALE": float(os.environ.get(ENV_PREFIX + "PAGE_CACHE_STALE", "5")),
    }
    cfg.update(overrides)
    # A remembered sign-in (none is set today) may not outlive the session's absolute lifetime.
    cfg.setdefault("REMEMBER_COOKIE_DURATION", cfg["SESSION_MAX_AGE"])
    if cfg["TWO_FACTOR_ROLES"] is None:
        cfg["TWO_FACTOR_ROLES"] = ("admin", "org_admin") if cfg["ENV_NAME"] == "production" else ()
    data_dir = Path(cfg["DATA_DIR"])
    cfg["SEARCH_INDEX_DIR"] = cfg["SEARCH_INDEX_DIR"] or str(data_dir / "search-index")
    cfg["REPOS_DIR"] = cfg["REPOS_DIR"] or str(data_dir / "repos")
    if not cfg["SECRET_KEY"]:
        if cfg["ENV_NAME"] == "production":
            raise RuntimeError("CATALOG_SECRET_KEY wajib diisi di lingkungan produksi.")
        cfg["SECRET_KEY"] = DEV_SECRET
    return cfg
