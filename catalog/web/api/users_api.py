"""Accounts through the API: list, invite, change a role, deactivate and reactivate (admins, and
org admins for their own organization), and "Lupa kata sandi" for anyone (202 whatever happens)."""
from __future__ import annotations

import logging
from typing import Any

from flask import request
from flask_babel import gettext as _

from ...models import User
from ...services.accounts import passwords, people
from ...services.accounts.throttle import TooManyAttempts
from ...services.errors import ValidationFailed
from ...vocab.accounts import account_state
from .blueprint import bp
from .common import json_body, listing, page_args, require_actor

log = logging.getLogger(__name__)
BOOLEANS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


def user_json(u: User) -> dict[str, Any]:
    return {"id": u.id, "email": u.email, "name": u.name, "org": u.organization.code, "role": u.role,
            "active": u.active, "state": account_state(u), "locale": u.locale,
            "last_login_at": u.last_login_at.isoformat(timespec="seconds") if u.last_login_at else None,
            "created_at": u.created_at.isoformat(timespec="seconds")}


def _text(data: dict, name: str, *, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise ValidationFailed(_("'%(name)s' harus teks.", name=name), {name: _("Teks.")})
    return value


@bp.get("/users")
def user_list():
    actor = require_actor()
    page, per_page = page_args()
    raw_active = request.args.get("active", "").strip().lower()
    if raw_active and raw_active not in BOOLEANS:
        raise ValidationFailed(_("'active' harus true atau false."), {"active": "true/false"})
    found = people.list_people(actor, org_code=request.args.get("org") or None, role=request.args.get("role") or None,
                               active=BOOLEANS.get(raw_active), state=request.args.get("state") or None,
                               last_login=request.args.get("last_login") or None, q=request.args.get("q") or None,
                               page=page, per_page=per_page)
    return listing([user_json(u) for u in found.items], found.total, page, per_page)


@bp.post("/users")
def user_invite():
    """Body `{email, name, org?, role, locale?}`: 201 with the account; the invitation is e-mailed."""
    actor = require_actor()
    data = json_body()
    user = people.invite(actor, email=_text(data, "email"), name=_text(data, "name"),
                         org_code=_text(data, "org", required=False), role=_text(data, "role"),
                         locale=_text(data, "locale", required=False))
    return user_json(user), 201


@bp.get("/users/<int:user_id>")
def user_detail(user_id: int):
    return user_json(people.get_person(require_actor(), user_id))


@bp.patch("/users/<int:user_id>")
def user_update(user_id: int):
    """Body `{role}`: the one thing changed here (names and e-mails are the person's own)."""
    actor = require_actor()
    return user_json(people.change_role(actor, user_id, _text(json_body(), "role")))


@bp.post("/users/<int:user_id>/deactivate")
def user_deactivate(user_id: int):
    return user_json(people.deactivate(require_actor(), user_id))


@bp.post("/users/<int:user_id>/activate")
def user_activate(user_id: int):
    return user_json(people.activate(require_actor(), user_id))


@bp.post("/users/<int:user_id>/invitation")
def user_reinvite(user_id: int):
    """A new invitation e-mail (the earlier link stops working)."""
    return user_json(people.resend_invitation(require_actor(), user_id)), 202


@bp.post("/password-reset")
def password_reset_request():
    """Body `{email}`: 202 always, whether or not the address has an account, and also past the
    request limits (the form says so; here nothing is sent then, as the contract promises 202)."""
    data = json_body()
    email = data.get("email")
    if not isinstance(email, str):
        raise ValidationFailed(_("'email' harus teks."), {"email": _("Teks.")})
    try:
        passwords.request_reset(email[:254], address=request.remote_addr or "")
    except TooManyAttempts:
        log.info("password reset request over the limit; nothing sent")
    return {"status": "accepted", "message": _("Bila alamat itu terdaftar dan aktif, tautan atur ulang kata sandi "
                                               "sudah dikirim; berlaku 1 jam.")}, 202
