"""Our receive hooks' messages in the pusher's language.

The hooks run inside git, outside Flask; the git route passes the pusher's language as
CATALOG_LOCALE (the account's choice, else what `git` sends as Accept-Language from the
user's own locale), and the hook reads the same compiled catalog as the pages."""
from __future__ import annotations

import gettext
import os
import re
from functools import lru_cache
from pathlib import Path

LOCALE_ENV = "CATALOG_LOCALE"
TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"
_LOCALE_RE = re.compile(r"^[a-z]{2}$")


@lru_cache(maxsize=4)
def _catalog(locale: str) -> gettext.NullTranslations:
    try:
        with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo", "rb") as fh:
            return gettext.GNUTranslations(fh)
    except OSError:
        return gettext.NullTranslations()


def _(message: str, **values: object) -> str:
    """The message (Indonesian source text) in CATALOG_LOCALE, with `%(name)s` values filled in."""
    locale = os.environ.get(LOCALE_ENV, "id")
    text = _catalog(locale).gettext(message) if _LOCALE_RE.fullmatch(locale) and locale != "id" else message
    return text % values if values else text
