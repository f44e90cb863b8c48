"""The signed-in user's own pages: their organization's apps and their access tokens."""
from __future__ import annotations

from datetime import UTC, datetime, time

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...services.accounts import tokens
from ...services.catalog import apps
from ...services.errors import ValidationFailed
from .blueprint import bp


@bp.get("/my/apps")
@login_required
def my_apps():
    return render_template("account/my_apps.html", apps=apps.apps_of_organization(current_user.organization_id))


@bp.get("/account/tokens")
@login_required
def token_list():
    return render_template("account/tokens.html", tokens=tokens.list_tokens(current_user, actor=current_user),
                           new_token=None, errors={}, label="")


@bp.post("/account/tokens")
@login_required
def token_create():
    label = request.form.get("label", "")
    expires = request.form.get("expires_on", "").strip()
    try:
        expires_at = (datetime.combine(datetime.fromisoformat(expires).date(), time.max, UTC)
                      if expires else None)
    except ValueError:
        expires_at, error = None, {"expires_on": _("Tanggal harus berformat TTTT-BB-HH.")}
    else:
        error = {}
    new_token = None
    if not error:
        try:
            _row, new_token = tokens.create_token(current_user, label=label, actor=current_user, expires_at=expires_at)
        except ValidationFailed as exc:
            error = exc.fields
    status = 400 if error else 201
    return render_template("account/tokens.html", tokens=tokens.list_tokens(current_user, actor=current_user),
                           new_token=new_token, errors=error, label="" if new_token else label), status


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def token_revoke(token_id: int):
    tokens.revoke_token(token_id, actor=current_user)
    flash(_("Token dicabut; aplikasi yang memakainya tidak bisa masuk lagi."), "info")
    return redirect(url_for("ui.token_list"))
