"""The language switch in the header.

Visitors follow a plain link (GET /lang/<code>) that sets a `lang` cookie: no session and no
CSRF token, so anonymous pages carry no Set-Cookie and can be cached. Signed-in people use a
POST form (they have a session anyway) that also stores the choice on their account — a GET
never writes the database.
"""
from __future__ import annotations

from flask import abort, redirect, request, session
from flask_login import current_user

from ...services.accounts import users
from ..auth import safe_next
from ..i18n import LANG_COOKIE, LANGUAGES
from .blueprint import bp

COOKIE_MAX_AGE = 365 * 24 * 3600


def _back(target: str | None):
    """Redirect to a same-site path only (safe_next falls back to the home page)."""
    response = redirect(safe_next(target))
    response.headers["Cache-Control"] = "no-store"
    return response


def _remember(response, lang: str):
    response.set_cookie(LANG_COOKIE, lang, max_age=COOKIE_MAX_AGE, path="/", httponly=True,
                        samesite="Lax", secure=request.is_secure)
    return response


@bp.get("/lang/<code>")
def language_switch(code: str):
    """GET /lang/en?next=/apps — for visitors; a signed-in person's switch lasts this session
    (their account keeps its stored choice until they use the form)."""
    if code not in LANGUAGES:
        abort(404)
    if current_user.is_authenticated:
        session["lang"] = code
    return _remember(_back(request.args.get("next")), code)


@bp.post("/language")
def language_set():
    """POST lang=id|en (CSRF-protected form); stored on the account when signed in."""
    lang = request.form.get("lang", "")
    response = _back(request.form.get("next"))
    if lang not in LANGUAGES:
        return response
    if current_user.is_authenticated:
        users.set_locale(current_user, lang, actor=current_user)
        session.pop("lang", None)  # the account's choice governs again
    return _remember(response, lang)
