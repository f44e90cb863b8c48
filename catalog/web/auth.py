"""Sign-in and sign-out pages, who is signed in, and the absolute lifetime of a sign-in."""
from __future__ import annotations

import secrets
import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..models import User
from ..services.accounts import throttle, users

bp = Blueprint("auth", __name__)
# When this session signed in (Unix seconds), kept in the signed session cookie: the sign-in ends
# SESSION_MAX_AGE seconds later however active it is (issue 13). A session without it (made
# before this rule, or restored from a remember-me cookie) counts as expired.
SIGNED_IN_AT = "signed_in_at"
SESSION_ID = "sid"  # one per sign-in: what "Keluar" on this device ends
NOT_CHECKED = frozenset({"api", "git"})  # bearer tokens there, never the session cookie


def current_actor() -> User | None:
    """The signed-in user, or None for a visitor: what services take as `actor`."""
    return current_user if current_user.is_authenticated else None


def safe_next(target: str | None, default: str | None = None) -> str:
    """Only same-site paths: no scheme, no host, no '//' or backslash tricks; else `default` (home)."""
    default = default or url_for("ui.home")
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


LANDING = {"adopter": "ui.my_region", "publisher": "ui.my_apps", "admin": "ui.review_list",
           "auditor": "ui.report_dashboard"}


def landing_page(user) -> str:
    """Where a sign-in without a `next` leads: each role's own work, not the public home."""
    return url_for(LANDING.get(user.role, "ui.home"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("auth/login.html", email="", next=request.args.get("next", ""))
    email = request.form.get("email", "")[:254]
    address = request.remote_addr or ""
    try:
        throttle.check(email, address)
    except throttle.TooManyAttempts as exc:
        flash(exc.message, "error")
        return render_template("auth/login.html", email=email, next=request.form.get("next", "")), 429
    user = users.authenticate(email, request.form.get("password", ""))
    if user is None:
        throttle.record_failure(email, address)
        flash(_("E-mail atau kata sandi salah."), "error")
        return render_template("auth/login.html", email=email, next=request.form.get("next", "")), 401
    throttle.record_success(email, address)
    login_user(user)
    session[SIGNED_IN_AT] = int(time.time())
    session[SESSION_ID] = secrets.token_urlsafe(24)  # "Keluar" ends this one only
    flash(_("Selamat datang, %(name)s.", name=user.name), "success")
    return redirect(safe_next(request.form.get("next"), landing_page(user)))


@bp.post("/logout")
@login_required
def logout():
    """This device only: the person stays signed in elsewhere, and this cookie, even if copied,
    no longer works."""
    if session.get(SESSION_ID):
        users.end_session(current_user, session[SESSION_ID], lifetime=current_app.config["SESSION_MAX_AGE"])
    logout_user()
    flash(_("Anda telah keluar dari perangkat ini."), "info")
    return redirect(url_for("ui.home"))


@bp.post("/logout/all")
@login_required
def logout_everywhere():
    users.end_sessions(current_user)
    logout_user()
    flash(_("Anda telah keluar dari semua perangkat. Token akses tetap berlaku; cabut di halaman Token akses "
            "bila perlu."), "info")
    return redirect(url_for("ui.home"))


@bp.before_app_request
def end_expired_session():
    """Sign out a session older than SESSION_MAX_AGE and send the person to the sign-in page."""
    if "_user_id" not in session or request.blueprint in NOT_CHECKED or request.endpoint == "static":
        return None
    max_age = current_app.config["SESSION_MAX_AGE"]
    started = session.get(SIGNED_IN_AT)
    if current_user.is_authenticated and users.session_ended(current_user, session.get(SESSION_ID)):
        logout_user()  # signed out on this device before (a copied cookie), or made before session ids
        session.pop(SIGNED_IN_AT, None)
        flash(_("Sesi ini sudah diakhiri. Silakan masuk lagi."), "info")
        return redirect(url_for("auth.login"))
    if isinstance(started, int | float) and time.time() - started < max_age:
        return None
    logout_user()  # this cookie only: the person's sessions elsewhere have their own clocks
    session.pop(SIGNED_IN_AT, None)
    hours = format(max_age / 3600, "g")
    flash(_("Sesi Anda sudah berakhir: demi keamanan, setiap sesi berlaku paling lama %(hours)s jam "
            "sejak masuk. Silakan masuk lagi.", hours=hours), "info")
    back = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=back) if back else url_for("auth.login"))
