"""The second step of signing in: a code from the authenticator (or a recovery code), or, where
two-factor is required and not yet set up, its enrolment."""
from __future__ import annotations

import time

from flask import flash, render_template, request, session, url_for
from flask_babel import gettext as _

from ..services.accounts import two_factor
from ..services.errors import ServiceError
from .sign_in import PENDING, PENDING_MAX_AGE, bp, finish_sign_in, login_page

NEW_RECOVERY_CODES = "new_recovery_codes"  # shown once on the two-factor page after enrolment


def _pending(enrol: bool):
    """The person between the steps, or None when there is none (or it waited too long)."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_MAX_AGE \
            or bool(pending.get("enrol")) != enrol:
        return None, None
    user = two_factor.account_for_second_step(pending.get("uid"))
    return (pending, user) if user is not None else (None, None)


def _start_again():
    """No password (or single sign-on) came first, or it was too long ago: the sign-in page."""
    session.pop(PENDING, None)
    flash(_("Langkah masuk ini sudah kedaluwarsa atau belum dimulai. Silakan masuk lagi."), "info")
    return login_page(status=401)


@bp.route("/login/kode", methods=["GET", "POST"])
def login_code():
    pending, user = _pending(enrol=False)
    if user is None:
        return _start_again()
    if request.method == "GET":
        return render_template("auth/code.html", error="")
    try:
        kind = two_factor.verify_code(user, request.form.get("code", ""))
    except ServiceError as exc:
        return render_template("auth/code.html", error=exc.fields.get("code") or exc.message), exc.status
    if kind == "recovery":
        flash(_("Anda masuk dengan kode pemulihan; kode itu tidak berlaku lagi (sisa %(n)s). Buat autentikator "
                "baru bila ponsel Anda hilang.", n=two_factor.recovery_codes_left(user)), "info")
    return finish_sign_in(user, method=pending["method"], next_url=pending["next"])


@bp.route("/login/daftar-kode", methods=["GET", "POST"])
def login_enrol():
    """Two-factor is required for this role and not set up yet: set it up now, then sign in."""
    pending, user = _pending(enrol=True)
    if user is None:
        return _start_again()
    enrolment = two_factor.pending_enrolment(user) or two_factor.start_enrolment(user, actor=user)
    if request.method == "GET":
        return render_template("auth/enrol.html", enrolment=enrolment, error="")
    try:
        codes = two_factor.confirm_enrolment(user, request.form.get("code", ""), actor=user)
    except ServiceError as exc:
        return render_template("auth/enrol.html", enrolment=enrolment,
                               error=exc.fields.get("code") or exc.message), exc.status
    response = finish_sign_in(user, method=pending["method"], next_url=url_for("ui.two_factor_page"))
    session[NEW_RECOVERY_CODES] = codes
    return response
