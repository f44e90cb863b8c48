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
SECURITY_HEADERS = (("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
                    ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"))
HSTS = ("Strict-Transport-Security", "max-age=31536000")


def _security_headers(response):
    """Each header unless the view set its own (one pass over the headers: werkzeug's setdefault
    raises and catches an exception for each header that is missing, i.e. for all of them)."""
    h = response.headers
    present = {name.lower() for name, _value in h}
    wanted = (*SECURITY_HEADERS, HSTS) if request.is_secure else SECURITY_HEADERS
    for name, value in wanted:
        if name.lower() not in present:
            h.add(name, value)
    return response
