"""Password sign-in, sign-out, and the checks every signed-in request passes (absolute lifetime,
sessions ended elsewhere, "last seen")."""
from __future__ import annotations

import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ..services.accounts import sessions, single_sign_on, throttle, users
from . import sign_in_code, sso  # noqa: F401  (their routes join the blueprint)
from .sign_in import (  # noqa: F401  (bp, current_actor and safe_next are imported from here elsewhere)
    NOT_CHECKED,
    SEEN_AT,
    SESSION_ID,
    SIGNED_IN_AT,
    after_first_factor,
    bp,
    current_actor,
    login_page,
    safe_next,
)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return login_page(next_url=request.args.get("next", ""))
    email = request.form.get("email", "")[:254]
    next_url = request.form.get("next", "")
    if not single_sign_on.password_login_enabled():
        flash(_("Masuk dengan kata sandi tidak tersedia di sini. Gunakan tombol single sign-on."), "error")
        return login_page(next_url=next_url, status=403)
    address = request.remote_addr or ""
    try:
        throttle.check(email, address)
    except throttle.TooManyAttempts as exc:
        flash(exc.message, "error")
        return login_page(email=email, next_url=next_url, status=429)
    user = users.authenticate(email, request.form.get("password", ""))
    if user is None:
        throttle.record_failure(email, address)
        flash(_("E-mail atau kata sandi salah."), "error")
        return login_page(email=email, next_url=next_url, status=401)
    throttle.record_success(email, address)
    if not single_sign_on.password_login_allowed(user):
        flash(_("Organisasi Anda masuk lewat single sign-on, bukan dengan kata sandi Katalog."), "error")
        return login_page(email=email, next_url=next_url, status=403)
    return after_first_factor(user, method="password", next_url=next_url)


@bp.post("/logout")
@login_required
def logout():
    """This device only: the person stays signed in elsewhere, and this cookie, even if copied,
    no longer works."""
    if session.get(SESSION_ID):
        sessions.end_this_session(current_user, session[SESSION_ID])
    logout_user()
    flash(_("Anda telah keluar dari perangkat ini."), "info")
    return redirect(url_for("ui.home"))


@bp.post("/logout/all")
@login_required
def logout_everywhere():
    sessions.end_all_sessions(current_user, actor=current_user)
    logout_user()
    flash(_("Anda telah keluar dari semua perangkat. Token akses tetap berlaku; cabut di halaman Token akses "
            "bila perlu."), "info")
    return redirect(url_for("ui.home"))


@bp.before_app_request
def end_expired_session():
    """Sign out a session older than SESSION_MAX_AGE (or ended elsewhere) and send the person to
    the sign-in page; note "last seen" at most every SESSION_SEEN_INTERVAL seconds."""
    if "_user_id" not in session or request.blueprint in NOT_CHECKED or request.endpoint == "static":
        return None
    max_age = current_app.config["SESSION_MAX_AGE"]
    started = session.get(SIGNED_IN_AT)
    if current_user.is_authenticated and users.session_ended(current_user, session.get(SESSION_ID)):
        logout_user()  # ended on the account page or on its device (a copied cookie), or made before session ids
        session.pop(SIGNED_IN_AT, None)
        flash(_("Sesi ini sudah diakhiri. Silakan masuk lagi."), "info")
        return redirect(url_for("auth.login"))
    if isinstance(started, int | float) and time.time() - started < max_age:
        _note_seen()
        return None
    logout_user()  # this cookie only: the person's sessions elsewhere have their own clocks
    session.pop(SIGNED_IN_AT, None)
    hours = format(max_age / 3600, "g")
    flash(_("Sesi Anda sudah berakhir: demi keamanan, setiap sesi berlaku paling lama %(hours)s jam "
            "sejak masuk. Silakan masuk lagi.", hours=hours), "info")
    back = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=back) if back else url_for("auth.login"))


def _note_seen() -> None:
    """A write every few minutes per session, never per request: the cookie says when the last was."""
    now = int(time.time())
    if not current_user.is_authenticated or now - session.get(SEEN_AT, 0) < current_app.config["SESSION_SEEN_INTERVAL"]:
        return
    session[SEEN_AT] = now
    if session.get(SESSION_ID):
        sessions.touch_session(session[SESSION_ID])

