"""Sign-in and sign-out pages, and who is signed in."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..models import User
from ..services.accounts import throttle, users

bp = Blueprint("auth", __name__)


def current_actor() -> User | None:
    """The signed-in user, or None for a visitor: what services take as `actor`."""
    return current_user if current_user.is_authenticated else None


def safe_next(target: str | None) -> str:
    """Only same-site paths: no scheme, no host, no '//' or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("ui.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return url_for("ui.home")
    return target


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
    flash(_("Selamat datang, %(name)s.", name=user.name), "success")
    return redirect(safe_next(request.form.get("next")))


@bp.post("/logout")
@login_required
def logout():
    users.end_sessions(current_user)
    logout_user()
    flash(_("Anda telah keluar."), "info")
    return redirect(url_for("ui.home"))
