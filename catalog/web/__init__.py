"""Web layer: blueprints for pages, the JSON API and sign-in, plus shared request plumbing."""
from __future__ import annotations

from flask import Flask, request
from flask_babel import lazy_gettext as _l

from ..extensions import login_manager
from ..services.accounts import users


def register_web(app: Flask) -> None:
    from . import errors, filters
    from .api import bp as api_bp
    from .auth import bp as auth_bp
    from .git import bp as git_bp
    from .ops import bp as ops_bp
    from .ui import bp as ui_bp

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Silakan masuk untuk membuka halaman ini.")
    login_manager.localize_callback = str  # the lazy text in the language of the request
    login_manager.login_message_category = "info"
    login_manager.user_loader(users.load_session_user)

    app.register_blueprint(auth_bp)
    app.register_blueprint(ui_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(git_bp)
    app.register_blueprint(ops_bp)  # /healthz, /readyz, /metrics
    errors.register(app)
    filters.register(app)
    app.after_request(_security_headers)


CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def _security_headers(response):
    h = response.headers
    h.setdefault("Content-Security-Policy", CSP)
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure:
        h.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
