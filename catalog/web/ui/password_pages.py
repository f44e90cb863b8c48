"""Password pages: "Lupa kata sandi", the reset and invitation links (no sign-in), and the
signed-in person's own change on /account/password.

The links' secrets are in the path; these pages load nothing from elsewhere and the site sends
`Referrer-Policy: same-origin`, so the secret never leaves in a Referer, and they are never cached."""
from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ...services.accounts import passwords, users
from ...services.accounts.throttle import TooManyAttempts
from ...services.errors import NotFound, ValidationFailed
from ...vocab.accounts import role_label
from .blueprint import bp


def _no_store(body, status: int = 200):
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/password/forgot", methods=["GET", "POST"])
def password_forgot():
    if request.method == "GET":
        return render_template("password/forgot.html", email="")
    email = request.form.get("email", "")[:254]
    try:
        passwords.request_reset(email, address=request.remote_addr or "")
    except TooManyAttempts as exc:
        flash(exc.message, "error")
        return render_template("password/forgot.html", email=email), 429
    # The same words whether or not the address has an account.
    flash(_("Bila %(email)s terdaftar dan aktif, kami sudah mengirim tautan untuk mengatur ulang kata sandi. "
            "Tautan berlaku 1 jam. Periksa juga folder spam.", email=email.strip()), "info")
    return redirect(url_for("auth.login"), code=303)


def _set_password_page(kind: str, secret: str):
    """GET shows the form for a usable link (else a page saying it no longer works); POST sets it."""
    lookup, use = ((passwords.invitation, passwords.accept_invitation) if kind == "invite"
                   else (passwords.reset_link, passwords.complete_reset))
    template = "password/invitation.html" if kind == "invite" else "password/reset.html"
    try:
        link = lookup(secret)
    except NotFound as exc:
        return _no_store(render_template("password/link_invalid.html", message=exc.message, kind=kind), 404)
    if request.method == "GET":
        return _no_store(render_template(template, person=link.user, errors={}, min_length=users.MIN_PASSWORD,
                                         role=_(role_label(link.user.role))))
    try:
        user = use(secret, request.form.get("password", ""), request.form.get("password_confirm", ""))
    except ValidationFailed as exc:
        return _no_store(render_template(template, person=link.user, errors=exc.fields, min_length=users.MIN_PASSWORD,
                                         role=_(role_label(link.user.role))), 422)
    except NotFound as exc:  # used or replaced in the meantime
        return _no_store(render_template("password/link_invalid.html", message=exc.message, kind=kind), 404)
    flash(_("Kata sandi tersimpan. Silakan masuk dengan e-mail %(email)s dan kata sandi baru Anda.",
            email=user.email), "success")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/password/reset/<secret>", methods=["GET", "POST"])
def password_reset(secret: str):
    return _set_password_page("reset", secret)


@bp.route("/account/invitation/<secret>", methods=["GET", "POST"])
def invitation_accept(secret: str):
    return _set_password_page("invite", secret)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password_change():
    """The current password, then the new one twice. A change ends every session, this one too:
    the person signs in again with the new password (which proves they have it right)."""
    if request.method == "GET":
        return render_template("password/change.html", errors={}, min_length=users.MIN_PASSWORD)
    try:
        form = request.form
        passwords.change_password(current_user, current=form.get("current_password", ""),
                                  new=form.get("password", ""), confirm=form.get("password_confirm", ""),
                                  address=request.remote_addr or "")
    except (ValidationFailed, TooManyAttempts) as exc:
        errors = exc.fields or {"current_password": exc.message}
        return render_template("password/change.html", errors=errors, min_length=users.MIN_PASSWORD), exc.status
    logout_user()
    flash(_("Kata sandi diubah. Semua sesi akun Anda sudah diakhiri; masuk lagi dengan kata sandi baru."), "success")
    return redirect(url_for("auth.login"), code=303)
