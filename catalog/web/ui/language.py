"""The language switch in the header: remembered in the session and, once signed in, on the account."""
from __future__ import annotations

from flask import redirect, request, session, url_for
from flask_login import current_user

from ...services import users
from ..auth import safe_next
from ..i18n import LANGUAGES
from . import bp


@bp.post("/language")
def language_set():
    """POST lang=id|en (CSRF-protected form); back to the page it came from."""
    lang = request.form.get("lang", "")
    if lang in LANGUAGES:
        session["lang"] = lang
        if current_user.is_authenticated:
            users.set_locale(current_user, lang, actor=current_user)
    target = request.form.get("next") or ""
    return redirect(safe_next(target) if target else url_for("ui.home"))
