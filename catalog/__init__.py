"""Katalog Bagi-Pakai: a catalog where Indonesian local governments share and reuse applications."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import PROJECT_ROOT

if TYPE_CHECKING:  # Flask is imported when an app is built: our git hooks import catalog.vcs
    from flask import Flask  # and must start without it

ROOT = PROJECT_ROOT  # kept for tests and benchmarks


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build a configured Flask app; nothing else in the package does work at import."""
    from flask import Flask

    from . import cli, models  # noqa: F401  (models register their tables)
    from .config import build_config
    from .extensions import babel, csrf, db, login_manager, migrate
    from .web import register_web
    from .worker import tasks  # noqa: F401  (the job registry the queue and the worker use)

    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder="static")
    app.config.update(build_config(config))
    Path(app.config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)

    if app.config["TRUSTED_PROXIES"]:  # sign-in throttling counts per client address
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    from .web.i18n import install_template_gettext, select_locale
    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)
    register_web(app)
    cli.register(app)
    from .web import compression, fragments, page_cache, static_assets
    static_assets.install(app)
    compression.install(app)  # before the page cache: its after_request must run first
    page_cache.install(app)
    fragments.install(app)
    from .web import observe
    observe.install(app)  # around the page cache: hits are counted, logged and get a request id too
    if app.config["BASE_URL"]:  # outermost: the page cache and every link see the public address
        from .web.public_address import PublicAddress
        app.wsgi_app = PublicAddress(app.wsgi_app, app.config["BASE_URL"])  # type: ignore[method-assign]

    return app
