"""Which language a page is rendered in: the user's choice, then the browser, then Indonesian.

Also the boundary helpers that translate text produced outside a request (git errors stored in
a mirror row, publiccode.yml messages, vocabulary labels): `translate` looks the Indonesian text
up in the catalog and leaves unknown text (names, data) as it is.
"""
from __future__ import annotations

from flask import has_request_context, request, session
from flask_babel import get_translations
from flask_login import current_user

LANGUAGES = ("id", "en")
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT = "id"


def select_locale() -> str:
    """Outside a request (CLI, worker, service calls in tests) the default, Indonesian."""
    if not has_request_context():
        return DEFAULT
    user = current_user
    if getattr(user, "is_authenticated", False) and getattr(user, "locale", None) in LANGUAGES:
        return user.locale
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT) or DEFAULT


def translate(text) -> str:
    """Catalog translation of a plain Indonesian text, without %-formatting; '' for None."""
    if text is None:
        return ""
    text = str(text)
    if not text:
        return text
    return get_translations().gettext(text)
