"""Our receive hooks' messages in the pusher's language.

The hooks run inside git, outside Flask; the git route passes the pusher's language as
CATALOG_LOCALE (the account's choice, else what `git` sends as Accept-Language from the
user's own locale), and the hook reads the same compiled catalog as the pages. Babel is not
used here, and gettext is imported only when a message is shown in another language: the hook
starts in a fresh Python at every push."""
from __future__ import annotations

import os

LOCALE_ENV = "CATALOG_LOCALE"
TRANSLATIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "translations")
_CATALOGS: dict[str, object] = {}


def _locale() -> str:
    locale = os.environ.get(LOCALE_ENV, "id")
    return locale if len(locale) == 2 and locale.isascii() and locale.isalpha() and locale.islower() else "id"


def _catalog(locale: str):  # -> gettext.NullTranslations
    if locale not in _CATALOGS:
        import gettext

        try:
            with open(os.path.join(TRANSLATIONS, locale, "LC_MESSAGES", "messages.mo"), "rb") as fh:
                _CATALOGS[locale] = gettext.GNUTranslations(fh)
        except OSError:
            _CATALOGS[locale] = gettext.NullTranslations()
    return _CATALOGS[locale]


def _(message: str, **values: object) -> str:
    """The message (Indonesian source text) in CATALOG_LOCALE, with `%(name)s` values filled in."""
    locale = _locale()
    text = message if locale == "id" else _catalog(locale).gettext(message)
    return text % values if values else text


def size(n: int) -> str:
    """Bytes for people: `512 B`, `1,5 MiB` (a decimal comma in Indonesian)."""
    value, unit = float(n), "B"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):  # noqa: B007  (the last unit is kept)
        if value < 1024 or unit == "TiB":
            break
        value /= 1024
    text = f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
    return text.replace(".", ",") if _locale() == "id" else text
