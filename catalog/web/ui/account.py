"""The signed-in user's own pages: their organization's apps and their access tokens."""
from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...models.types import utcnow
from ...services.accounts import tokens, two_factor
from ...services.catalog import apps
from ...services.errors import NotFound, ValidationFailed
from ...services.repos import forks
from .. import page_cache
from .blueprint import bp, page_arg


@bp.get("/my/apps")
@login_required
def my_apps():
    page_cache.keep_for_session()
    entries = apps.apps_of_organization(current_user.organization_id, page_arg())
    return render_template("account/my_apps.html", entries=entries)


NEW_TOKEN_KEY = "new_token"  # the secret between the POST and the page after it, shown once


def _came_from_fork(raw: str | None):
    """The fork whose page sent the person here for a push token (?fork=<id>), to link back to
    and show its clone command; nothing for a bad or unknown id."""
    if not raw or not raw.isdigit() or len(raw) > 12:
        return None
    try:
        return forks.get_fork(int(raw))
    except NotFound:
        return None


def _token_page(*, errors: dict, values: dict, new_token: str | None = None, fork=None):
    return render_template("account/tokens.html", tokens=tokens.list_tokens(current_user, actor=current_user),
                           new_token=new_token, errors=errors, values=values, scopes=tokens.SCOPES,
                           lifetimes=tokens.LIFETIME_CHOICES, now=utcnow(),
                           needs_code=two_factor.is_enabled(current_user), fork=fork)


@bp.get("/account/tokens")
@login_required
def token_list():
    new_token = session.pop(NEW_TOKEN_KEY, None)
    response = make_response(_token_page(errors={}, values={
        "label": "", "scopes": ["git"],  # what most come here for: a password for git push
        "lifetime_days": tokens.DEFAULT_LIFETIME_DAYS}, new_token=new_token,
        fork=_came_from_fork(request.args.get("fork"))))
    response.headers["Cache-Control"] = "no-store"  # the page may hold a secret
    return response


@bp.post("/account/tokens")
@login_required
def token_create():
    """POST, then redirect to the list (a reload makes no second token); the secret travels in
    the signed session to that one page view, never in the address."""
    values = {"label": request.form.get("label", ""), "scopes": request.form.getlist("scopes"),
              "lifetime_days": request.form.get("lifetime_days", str(tokens.DEFAULT_LIFETIME_DAYS))}
    try:
        lifetime = int(values["lifetime_days"])
    except ValueError:
        lifetime = 0  # refused by the service with its message
    if lifetime not in tokens.LIFETIME_CHOICES:
        lifetime = 0
    try:
        # an account with two-factor gives a current code too (two_factor.create_token)
        _row, plain = two_factor.create_token(current_user, code=request.form.get("code", ""), label=values["label"],
                                              actor=current_user, scopes=values["scopes"], lifetime_days=lifetime)
    except (ValidationFailed, two_factor.TooManyCodes) as exc:
        return _token_page(errors=exc.fields or {"code": exc.message}, values=values,
                           fork=_came_from_fork(request.form.get("fork"))), \
            429 if isinstance(exc, two_factor.TooManyCodes) else 400
    session[NEW_TOKEN_KEY] = plain
    fork = _came_from_fork(request.form.get("fork"))
    return redirect(url_for("ui.token_list", fork=fork.id if fork else None), code=303)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def token_revoke(token_id: int):
    if request.form.get("confirmed") != "1":  # final: say what stops working, ask once more
        return render_template("account/confirm_revoke.html", token=tokens.get_token(token_id, actor=current_user))
    tokens.revoke_token(token_id, actor=current_user)
    flash(_("Token dicabut; aplikasi yang memakainya tidak bisa masuk lagi."), "info")
    return redirect(url_for("ui.token_list"))

