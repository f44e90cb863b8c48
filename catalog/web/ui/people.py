"""Account management pages (/admin/people): the platform admin for everyone, an org admin for
their own organization. List with filters, invite, change a role, deactivate and reactivate."""
from __future__ import annotations

from urllib.parse import parse_qs

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...services.accounts import people, users
from ...services.errors import Conflict, ValidationFailed
from ...services.permissions import can_grant_role, can_manage_account, is_admin
from ...vocab import accounts as labels
from .blueprint import bp, page_arg

FILTERS = ("org", "role", "state", "last_login", "q")


def _filters() -> dict[str, str]:
    return {k: request.args.get(k, "").strip()[:100] for k in FILTERS if request.args.get(k, "").strip()}


def _list_page(*, values: dict, errors: dict, status: int = 200):
    args = _filters()
    found = people.list_people(current_user, org_code=args.get("org"), role=args.get("role"),
                               state=args.get("state"), last_login=args.get("last_login"), q=args.get("q"),
                               page=page_arg())
    org = current_user.organization
    grantable = [r for r in users.ROLES if is_admin(current_user) or can_grant_role(current_user, r, org)]
    return render_template("people/list.html", found=found, args=args, values=values, errors=errors,
                           roles=users.ROLES, grantable=grantable, labels=labels, locales=users.LOCALES,
                           can_manage=lambda u: can_manage_account(current_user, u),
                           can_grant=lambda r, o: can_grant_role(current_user, r, o)), status


@bp.get("/admin/people")
@login_required
def people_list():
    return _list_page(values={"role": "adopter"}, errors={})


@bp.post("/admin/people")
@login_required
def people_invite():
    values = {k: request.form.get(k, "").strip() for k in ("email", "name", "org", "role", "locale")}
    try:
        user = people.invite(current_user, email=values["email"], name=values["name"],
                             org_code=values["org"] or None, role=values["role"], locale=values["locale"] or None)
    except (ValidationFailed, Conflict) as exc:
        return _list_page(values=values, errors=exc.fields or {"email": exc.message}, status=exc.status)
    flash(_("Undangan untuk %(email)s dikirim. Tautannya berlaku 72 jam.", email=user.email), "success")
    return redirect(url_for("ui.people_list"), code=303)


def _back(message: str, category: str = "success"):
    """Back to the list with the filters it had (sent as its query string in `back`)."""
    flash(message, category)
    kept = parse_qs(request.form.get("back", "")[:500])
    args = {k: v[0] for k, v in kept.items() if k in (*FILTERS, "page") and v}
    return redirect(url_for("ui.people_list", **args), code=303)


@bp.post("/admin/people/<int:user_id>/role")
@login_required
def people_role(user_id: int):
    try:
        user = people.change_role(current_user, user_id, request.form.get("role", ""))
    except (ValidationFailed, Conflict) as exc:
        return _back(next(iter(exc.fields.values()), exc.message), "error")
    return _back(_("Peran %(name)s kini %(role)s.", name=user.name, role=_(labels.role_label(user.role))))


@bp.post("/admin/people/<int:user_id>/deactivate")
@login_required
def people_deactivate(user_id: int):
    if request.form.get("confirmed") != "1":  # tokens are revoked for good: say so, ask once more
        return render_template("people/confirm_deactivate.html", person=people.get_person(current_user, user_id))
    try:
        user = people.deactivate(current_user, user_id)
    except Conflict as exc:
        return _back(exc.message, "error")
    return _back(_("Akun %(name)s dinonaktifkan: semua sesinya berakhir dan tokennya dicabut.", name=user.name))


@bp.post("/admin/people/<int:user_id>/activate")
@login_required
def people_activate(user_id: int):
    try:
        user = people.activate(current_user, user_id)
    except Conflict as exc:
        return _back(exc.message, "error")
    return _back(_("Akun %(name)s aktif kembali. Token lamanya tetap dicabut.", name=user.name))


@bp.post("/admin/people/<int:user_id>/invitation")
@login_required
def people_reinvite(user_id: int):
    try:
        user = people.resend_invitation(current_user, user_id)
    except Conflict as exc:
        return _back(exc.message, "error")
    return _back(_("Undangan baru untuk %(email)s dikirim; tautan sebelumnya tidak berlaku lagi.", email=user.email))
