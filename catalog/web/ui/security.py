"""The signed-in person's sign-in security: their sessions (listed, ended one by one or all at
once) and their two-factor sign-in (enrol with a QR code, recovery codes shown once, turn off)."""
from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...services.accounts import sessions, two_factor
from ...services.errors import ServiceError
from ..sign_in import SESSION_ID
from ..sign_in_code import NEW_RECOVERY_CODES
from .blueprint import bp


@bp.get("/account/sessions")
@login_required
def session_list():
    rows = sessions.list_sessions(current_user, actor=current_user)
    current = sessions.digest(session.get(SESSION_ID) or "")
    return render_template("account/sessions.html", rows=rows, current=current)


@bp.post("/account/sessions/<int:session_row_id>/end")
@login_required
def session_end(session_row_id: int):
    row = sessions.end_session(session_row_id, actor=current_user)
    flash(_("Sesi di %(device)s telah diakhiri.", device=row.device or _("perangkat tak dikenal")), "info")
    return redirect(url_for("ui.session_list"))


def _two_factor_page(*, enrolment=None, error: str = "", status: int = 200, codes=None):
    response = make_response(render_template(
        "account/two_factor.html", enabled=two_factor.is_enabled(current_user),
        required=two_factor.is_required(current_user), enrolment=enrolment, error=error, codes=codes,
        codes_left=two_factor.recovery_codes_left(current_user)), status)
    response.headers["Cache-Control"] = "no-store"  # the page may hold a secret or recovery codes
    return response


@bp.get("/account/two-factor")
@login_required
def two_factor_page():
    return _two_factor_page(enrolment=two_factor.pending_enrolment(current_user),
                            codes=session.pop(NEW_RECOVERY_CODES, None))


@bp.post("/account/two-factor/start")
@login_required
def two_factor_start():
    try:
        enrolment = two_factor.start_enrolment(current_user, actor=current_user)
    except ServiceError as exc:
        return _two_factor_page(error=exc.message, status=exc.status)
    return _two_factor_page(enrolment=enrolment)


@bp.post("/account/two-factor/confirm")
@login_required
def two_factor_confirm():
    try:
        codes = two_factor.confirm_enrolment(current_user, request.form.get("code", ""), actor=current_user)
    except ServiceError as exc:
        return _two_factor_page(enrolment=two_factor.pending_enrolment(current_user),
                                error=exc.fields.get("code") or exc.message, status=exc.status)
    session[NEW_RECOVERY_CODES] = codes
    flash(_("Verifikasi dua langkah aktif. Simpan kode pemulihan di bawah ini."), "success")
    return redirect(url_for("ui.two_factor_page"), code=303)


@bp.post("/account/two-factor/disable")
@login_required
def two_factor_disable():
    try:
        two_factor.disable(current_user, request.form.get("code", ""), actor=current_user)
    except ServiceError as exc:
        return _two_factor_page(error=exc.fields.get("code") or exc.message, status=exc.status)
    flash(_("Verifikasi dua langkah dimatikan."), "info")
    return redirect(url_for("ui.two_factor_page"), code=303)
