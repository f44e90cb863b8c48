"""Checks of single values (types, URLs, dates, e-mail, BCP 47, SPDX) that report against a path."""
from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _

from ..vocab.spdx import normalize_spdx
from . import vocab
from .types import Report, item

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*"
                      r"[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
URI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
# RFC 5646 shape: language, extlang, script, region, variants, extensions, private use.
BCP47_RE = re.compile(
    r"^(?P<lang>[A-Za-z]{2,3})(?:-[A-Za-z]{3}){0,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|\d{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|\d[A-Za-z0-9]{3}))*(?:-[0-9A-WYZa-wyz](?:-[A-Za-z0-9]{2,8})+)*"
    r"(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?$"
)


def missing() -> str:
    """The message for a required key that is absent, in the current language."""
    return _("Kunci ini wajib diisi.")


def present(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def text(value: Any, path: str, r: Report, *, required: bool = False) -> str | None:
    """The value as text: None when absent (null), '' when written empty, which is present.

    A list or mapping is the wrong type even when empty; a number is read as its text with a
    warning (the reference reads any scalar as text); an empty required value is missing.
    """
    if value is None:
        if required:
            r.error(path, missing())
        return None
    if isinstance(value, (list, dict, bool)):
        r.error(path, wrong_type())
        return None
    if isinstance(value, (int, float)):
        r.warn(path, _("Tulis nilai ini sebagai teks bertanda kutip, misalnya \"%(value)s\".",
                       value=value))
        value = str(value)
    if not isinstance(value, str):
        r.error(path, wrong_type())
        return None
    if required and not value.strip():
        r.error(path, missing())
        return None
    return value


def wrong_type() -> str:
    return _("Harus berupa teks (gunakan tanda kutip bila perlu).")


def mapping(value: Any, path: str, r: Report, *, required: bool = False) -> dict | None:
    if value is None:
        if required:
            r.error(path, missing())
        return None
    if not isinstance(value, dict):
        r.error(path, _("Harus berupa pemetaan (kunci: nilai)."))
        return None
    return value


def listing(value: Any, path: str, r: Report, *, required: bool = False,
            scalar_ok: bool = False) -> list | None:
    """A list (a lone string too when `scalar_ok`); reports missing, empty or wrong types."""
    if value is None:
        if required:
            r.error(path, missing())
        return None
    if scalar_ok and isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        r.error(path, _("Harus berupa daftar."))
        return None
    if required and not value:
        r.error(path, _("Daftar ini tidak boleh kosong."))
        return None
    return value


def texts(value: Any, path: str, r: Report, **kw: Any) -> list[tuple[str, str]]:
    """(path, text) of every item of a list of strings, reporting items that are not text."""
    items = listing(value, path, r, **kw)
    if items is None:
        return []
    if kw.get("scalar_ok") and isinstance(value, str):
        return [(item(path, 0), value)]  # a lone string is the list's first item, as the reference says
    out = []
    for i, v in enumerate(items):
        if text(v, item(path, i), r, required=True) is not None:
            out.append((item(path, i), v))
    return out


def url_problem(value: str, *, relative_ok: bool = False) -> tuple[str | None, bool]:
    """(error message or None, whether to warn that it is plain http)."""
    if any(ord(c) < 33 for c in value):
        return _("Alamat tidak boleh berisi spasi atau karakter kendali."), False
    parts = urlsplit(value)
    if relative_ok and not parts.scheme and not parts.netloc:
        if value.startswith("/") or ".." in value.split("/"):
            return (_("Gunakan jalur relatif dari akar repositori (tanpa '/' di depan atau '..')."),
                    False)
        return None, False
    if parts.scheme not in ("https", "http") or not parts.hostname:
        if relative_ok:
            return _("Gunakan alamat lengkap yang diawali https:// atau jalur relatif."), False
        return _("Gunakan alamat lengkap yang diawali https://."), False
    if parts.username or parts.password:
        return _("Jangan cantumkan nama pengguna atau kata sandi di alamat."), False
    return None, parts.scheme == "http"


def url(value: Any, path: str, r: Report, *, required: bool = False,
        relative_ok: bool = False) -> str | None:
    s = text(value, path, r, required=required)
    if s is None:
        return None
    if not s.strip():
        r.error(path, _("Alamat tidak boleh kosong; hapus kuncinya bila tidak ada."))
        return None
    problem, plain_http = url_problem(s, relative_ok=relative_ok)
    if problem:
        r.error(path, problem)
        return None
    if plain_http:
        r.warn(path, _("Sebaiknya gunakan https://."))
    return s


def date_value(value: Any, path: str, r: Report, *, required: bool = False) -> date | None:
    s = text(value, path, r, required=required)
    if s is None:
        return None
    try:
        if DATE_RE.match(s):
            return date.fromisoformat(s)
    except ValueError:
        pass
    r.error(path, _("Tanggal harus berformat TTTT-BB-HH dan benar-benar ada, misalnya 2026-12-31."))
    return None


def email(value: Any, path: str, r: Report) -> None:
    s = text(value, path, r)
    if s and not EMAIL_RE.match(s):
        r.error(path, _("Alamat surel tidak valid."))


def uri(value: Any, path: str, r: Report, *, required: bool = False) -> None:
    s = text(value, path, r, required=required)
    if s is not None and not URI_RE.match(s):
        r.error(path, _("Harus berupa URI, misalnya https://... atau urn:..."))


def language(tag: Any, path: str, r: Report) -> str | None:
    """Primary language subtag of a valid BCP 47 tag (legacy ISO 639-2 codes warn)."""
    if not isinstance(tag, str) or not (m := BCP47_RE.match(tag)):
        r.error(path, _("Kode bahasa harus mengikuti BCP 47, misalnya 'id', 'en' atau 'jv'."))
        return None
    primary = m.group("lang").lower()
    if primary in vocab.LANG_LEGACY:
        r.warn(path, _("Kode bahasa tiga huruf lama; BCP 47 memakai '%(code)s'.",
                       code=vocab.LANG_LEGACY[primary]))
        return vocab.LANG_LEGACY[primary]
    if primary not in vocab.LANG_2 and primary not in vocab.LANG_3:
        r.error(path, _("Kode bahasa '%(code)s' tidak dikenal.", code=primary))
        return None
    return primary


def spdx(value: Any) -> tuple[str | None, list[str]]:
    """Canonical SPDX expression (deprecated ids replaced) and the replaced ids."""
    if not isinstance(value, str):
        return None, []
    replaced: list[str] = []

    def swap(m: re.Match) -> str:
        successor = _SPDX_OLD.get(m.group(0).lower())
        if successor is None:
            return m.group(0)
        replaced.append(m.group(0))
        return successor

    modern = _SPDX_OLD_RE.sub(swap, value)
    return normalize_spdx(modern), replaced


_SPDX_OLD = {old.lower(): new for old, new in vocab.SPDX_DEPRECATED.items()}
_SPDX_OLD_RE = re.compile(r"(?<![\w.+-])[al]?gpl-\d\.\d\+?(?![\w.+-])", re.I)


def licence(value: Any, path: str, r: Report) -> None:
    s = text(value, path, r, required=True)
    if s is None:
        return
    canonical, replaced = spdx(s)
    if canonical is None:
        r.error(path, _("Isi dengan ekspresi lisensi SPDX, misalnya GPL-3.0-or-later atau MIT."))
    elif replaced:
        r.warn(path, _("ID SPDX usang (%(ids)s); tulis '%(licence)s'.", ids=", ".join(replaced),
                       licence=canonical))
    elif _spelling(canonical) != _spelling(s):
        r.warn(path, _("Tulis lisensi sesuai ejaan SPDX: '%(licence)s'.", licence=canonical))


def _spelling(expression: str) -> str:
    """An expression as spelled, ignoring spaces and grouping parentheses."""
    return re.sub(r"[()\s]+", "", expression)


def choice(value: Any, options: tuple[str, ...], path: str, r: Report, *,
           required: bool = False) -> str | None:
    s = text(value, path, r, required=required)
    if s is None:
        return None
    if s not in options:
        r.error(path, _("Nilai '%(value)s' tidak dikenal; pilih salah satu: %(options)s.", value=s,
                        options=", ".join(options)))
        return None
    return s
