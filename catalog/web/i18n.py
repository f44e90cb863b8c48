"""Which language a page is rendered in: the user's choice, then the browser, then Indonesian; and
which time zone its times are shown in: the viewer's organization's (WIB, WITA, WIT), else WIB.

Also the boundary helpers that translate text produced outside a request (git errors stored in
a mirror row, publiccode.yml messages, vocabulary labels): `translate` looks the Indonesian text
up in the catalog and leaves unknown text (names, data) as it is.
"""
from __future__ import annotations

from flask import g, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from ..vocab import timezones
from ..vocab.phrase import Phrase

LANGUAGES = ("id", "en")
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT = "id"
LANG_COOKIE = "lang"  # a visitor's choice: a plain cookie, so that anonymous pages need no session


def visitor_locale(cookie: str | None, accept_language: str | None) -> str:
    """A visitor's language from the `lang` cookie, then the browser. The page cache keys on
    this too, so it must stay the only rule for anonymous requests."""
    if cookie in LANGUAGES:
        return cookie
    accept = parse_accept_header(accept_language, LanguageAccept)
    return accept.best_match(LANGUAGES, default=DEFAULT) or DEFAULT


def select_locale() -> str:
    """Outside a request (CLI, worker, service calls in tests) the default, Indonesian.

    Signed in: this session's explicit switch, then the account's stored choice; then, for
    everyone, the `lang` cookie and the browser."""
    if not has_request_context():
        return DEFAULT
    user = current_user
    if getattr(user, "is_authenticated", False):
        if session.get("lang") in LANGUAGES:
            return session["lang"]
        if getattr(user, "locale", None) in LANGUAGES:
            return user.locale
    return visitor_locale(request.cookies.get(LANG_COOKIE), request.headers.get("Accept-Language"))


def translate(text) -> str:
    """Catalog translation of a plain Indonesian text, without %-formatting; '' for None."""
    if text is None:
        return ""
    if isinstance(text, Phrase):
        return text.render(request_translations().gettext)
    text = str(text)
    if not text:
        return text
    return request_translations().gettext(text)


def request_translations():
    """The catalog of this request's language, looked up once per request. flask_babel walks its
    domain and locale (and formats the locale's name) on every lookup: that was about half of a
    national report's render, one lookup per table cell, and 10–15 lookups per page in every
    template's `_()`. Keyed by locale: force_locale() (e-mails in the recipient's language) may change it."""
    if not has_request_context():
        return get_translations()
    locale = get_locale()
    cached = g.get("translations")
    if cached is None or cached[0] is not locale:
        cached = g.translations = (locale, get_translations())
    return cached[1]


def install_template_gettext(app) -> None:
    """Templates' `_()`, `ngettext()`, … through `request_translations` (flask_babel installs its
    own, which look the catalog up anew each call); newstyle, as flask_babel's: Jinja escapes
    and %-formats."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True)


def viewer_zone() -> str:
    """The IANA zone of the signed-in person's organization, by its province (a national agency:
    WIB); visitors, and anything outside a request (e-mails, the CLI), get WIB. Pages kept for
    visitors (page_cache) are therefore WIB too; fragments shared by signed-in people key on it."""
    if not has_request_context():
        return timezones.DEFAULT_ZONE
    zone = g.get("viewer_zone")
    if zone is None:
        user = current_user
        org = getattr(user, "organization", None) if getattr(user, "is_authenticated", False) else None
        zone = g.viewer_zone = timezones.zone_for_org_code(getattr(org, "code", None))
    return zone
