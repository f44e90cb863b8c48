"""Validate a parsed publiccode.yml (versions 0.2–0.7), reporting every error against its key."""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _

from ..vocab import apps as catalog_vocab
from . import checks, sections, standard, vocab
from .keys import check_keys
from .types import Issue, Report, child

SHORT_MAX, LONG_MIN, LONG_MAX, GENERIC_MAX = 150, 150, 10000, 35
VERSION_RE = re.compile(r"^0\.(\d+)(?:\.\d+)?$")
LATEST_ALIAS = "0"  # "the latest 0.x", as the standard's own examples write it
_SCREENSHOT_EXT = (".png", ".jpg", ".jpeg")


def validate(doc: Any) -> tuple[list[Issue], list[Issue]]:
    """(errors, warnings) of a parsed document; unknown versions are checked by the latest rules."""
    r = Report()
    if not isinstance(doc, dict):
        r.error("", _("Isi berkas harus berupa pemetaan (kunci: nilai) di tingkat teratas."))
        return r.errors, r.warnings
    version = parse_version(doc.get("publiccodeYmlVersion"), r) or vocab.LATEST
    check_keys(doc, version, r)
    _top(doc, version, r)
    _description(doc.get("description"), r)
    sections.legal(doc.get("legal"), r)
    sections.maintenance(doc.get("maintenance"), r)
    sections.localisation(doc.get("localisation"), r)
    sections.depends_on(doc.get("dependsOn"), r)
    sections.audience(doc.get("intendedAudience"), version, r)
    sections.organisations(doc, version, r)
    sections.supports(doc.get("supports"), r)
    sections.italy(doc, r)
    return r.errors, r.warnings


def parse_version(value: Any, r: Report) -> vocab.Version | None:
    """(0, minor) of a supported publiccodeYmlVersion such as "0", "0.2", "0.2.2" or "0.4.0".

    "0" is the latest 0.x; 0.2 and 0.3 are read but earn the reference's "not the latest
    version" warning.
    """
    path = "publiccodeYmlVersion"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # `0.4` or `0` written without quotes is a YAML number
        r.warn(path, _("Tulis versi sebagai teks bertanda kutip: \"%(version)s\".", version=value))
        value = str(value)
    if isinstance(value, (int, float, bool, list, dict)):
        r.error(path, checks.wrong_type())
        return None
    s = checks.text(value, path, r, required=True)
    if s is None:
        return None
    if s.strip() == LATEST_ALIAS:
        return vocab.LATEST
    m = VERSION_RE.match(s.strip())
    found = (0, int(m.group(1))) if m else None
    if found not in vocab.SUPPORTED:
        supported = ", ".join([LATEST_ALIAS] + [f"{v[0]}.{v[1]}" for v in vocab.SUPPORTED])
        r.error(path, _("Versi '%(version)s' tidak didukung; gunakan salah satu: %(supported)s.",
                        version=s, supported=supported))
        return None
    if found in vocab.NOT_LATEST_WARNED:
        number = ".".join(str(part) for part in vocab.LATEST)
        r.warn(path, _("v%(version)s bukan versi terbaru; gunakan '%(latest)s' (versi terbaru, "
                       "%(number)s).", version=s.strip(), latest=LATEST_ALIAS, number=number))
    return found


def _top(doc: dict, version: vocab.Version, r: Report) -> None:
    checks.text(doc.get("name"), "name", r, required=True)
    checks.text(doc.get("applicationSuite"), "applicationSuite", r)
    checks.url(doc.get("url"), "url", r, required=True)
    checks.url(doc.get("landingURL"), "landingURL", r)
    checks.url(doc.get("roadmap"), "roadmap", r)
    for path, value in checks.texts(doc.get("isBasedOn"), "isBasedOn", r, scalar_ok=True):
        checks.url(value, path, r, required=True)
    _software_version(doc.get("softwareVersion"), r)
    checks.date_value(doc.get("releaseDate"), "releaseDate", r)
    for key in ("logo", "monochromeLogo"):
        _logo(doc.get(key), key, r)
    for key in ("inputTypes", "outputTypes"):
        for path, mime in checks.texts(doc.get(key), key, r):
            if not standard.MIME_RE.match(mime.strip()):
                r.error(path, _("'%(value)s' bukan tipe MIME, misalnya application/pdf.",
                                value=mime))
    checks.texts(doc.get("platforms"), "platforms", r, required=True)  # a list, as the reference
    _categories(doc.get("categories"), version, r)
    checks.texts(doc.get("usedBy"), "usedBy", r)
    checks.choice(doc.get("developmentStatus"), catalog_vocab.DEVELOPMENT_STATUSES,
                  "developmentStatus", r, required=True)
    if doc.get("softwareType") == "standalone":
        r.warn("softwareType", _("Nilai 'standalone' usang sejak versi 0.2; gunakan "
                                 "standalone/web, standalone/desktop, standalone/backend, dll."))
    else:
        checks.choice(doc.get("softwareType"), catalog_vocab.SOFTWARE_TYPES, "softwareType", r,
                      required=True)


def _software_version(value: Any, r: Report) -> None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        r.warn("softwareVersion", _("Tulis versi sebagai teks bertanda kutip."))
    else:
        checks.text(value, "softwareVersion", r)


def _logo(value: Any, path: str, r: Report) -> None:
    """The logo: a file in the repository or an https URL, in SVG, SVGZ or PNG ('' = none)."""
    if value == "":
        return
    s = checks.url(value, path, r, relative_ok=True)
    if s is not None and not s.split("?")[0].lower().endswith(standard.LOGO_EXTENSIONS):
        r.error(path, _("Format logo harus SVG, SVGZ atau PNG."))


def _file(value: Any, path: str, extensions: tuple[str, ...], r: Report) -> None:
    """A file in the repository: a relative path or an https URL, with an expected extension."""
    s = checks.url(value, path, r, relative_ok=True)
    if s is not None and not s.split("?")[0].lower().endswith(extensions):
        r.warn(path, _("Format berkas yang dianjurkan: %(formats)s.",
                       formats=", ".join(extensions)))


def _categories(value: Any, version: vocab.Version, r: Report) -> None:
    """Optional (the reference reads every version as the latest, where they are optional);
    each must be in the standard's list. The catalog asks for its own category at submission."""
    for path, cat in checks.texts(value, "categories", r):
        if cat not in standard.CATEGORIES:  # the catalog's own extra keys included
            r.error(path, _("Kategori '%(category)s' tidak ada dalam daftar kategori "
                            "publiccode.yml.", category=cat))
        elif cat not in catalog_vocab.CATEGORIES:
            r.warn(path, _("Kategori '%(category)s' sah menurut standar tetapi belum dikenal "
                           "katalog.", category=cat))


def _description(value: Any, r: Report) -> None:
    """At least one language; shortDescription in each, long text and features in at least one."""
    desc = checks.mapping(value, "description", r, required=True)
    if desc is None:
        return
    if not desc:
        r.error("description", _("Isi deskripsi untuk minimal satu bahasa, misalnya `id`."))
        return
    has_long = has_features = False
    languages = []
    for lang, body in desc.items():
        path = child("description", str(lang))
        checks.language(lang, path, r)
        body = checks.mapping(body, path, r, required=True)
        if body is None:
            continue
        languages.append(path)
        has_long |= _description_texts(body, path, r)
        features = checks.texts(body.get("features"), child(path, "features"), r,
                                required="features" in body)
        has_features |= bool(features) or "features" in body
        for key in ("documentation", "apiDocumentation"):
            checks.url(body.get(key), child(path, key), r)
        for p, v in checks.texts(body.get("screenshots"), child(path, "screenshots"), r):
            _file(v, p, _SCREENSHOT_EXT, r)
        for p, v in checks.texts(body.get("videos"), child(path, "videos"), r):
            if checks.url(v, p, r) is not None and not _oembed(v):
                r.error(p, _("Video harus dari penyedia oEmbed yang dikenal, misalnya YouTube "
                             "atau Vimeo."))
        checks.texts(body.get("awards"), child(path, "awards"), r)
    if languages and not has_long:
        r.error(child(languages[0], "longDescription"),
                _("Isi deskripsi panjang (%(min)s–%(max)s karakter) minimal untuk satu bahasa.",
                  min=LONG_MIN, max=LONG_MAX))
    if languages and not has_features:
        r.error(child(languages[0], "features"), _("Isi daftar fitur minimal untuk satu bahasa."))


def _oembed(link: str) -> bool:
    """Whether a video link matches an oEmbed provider's address scheme (no network)."""
    parts = urlsplit(link)
    prefixes = standard.OEMBED_VIDEO.get((parts.hostname or "").lower(), ())
    path = parts.path or "/"
    return any(path.startswith(p) and (p != "/" or len(path) > 1) for p in prefixes)


def _description_texts(body: dict, path: str, r: Report) -> bool:
    """Check the texts of one language; True when it has a longDescription of any length."""
    short = checks.text(body.get("shortDescription"), child(path, "shortDescription"), r,
                        required=True)
    if short is not None and len(short) > SHORT_MAX:
        r.error(child(path, "shortDescription"),
                _("Terlalu panjang (%(length)s karakter); maksimal %(max)s.", length=len(short),
                  max=SHORT_MAX))
    elif short is not None and "\n" in short.strip():
        r.warn(child(path, "shortDescription"), _("Sebaiknya satu kalimat dalam satu baris."))
    long = checks.text(body.get("longDescription"), child(path, "longDescription"), r,
                       required="longDescription" in body)
    if long is not None and not LONG_MIN <= len(long) <= LONG_MAX:
        r.error(child(path, "longDescription"),
                _("Panjangnya %(length)s karakter; harus %(min)s–%(max)s karakter.",
                  length=len(long), min=LONG_MIN, max=LONG_MAX))
    generic = checks.text(body.get("genericName"), child(path, "genericName"), r)
    if generic is not None and len(generic) > GENERIC_MAX:
        r.error(child(path, "genericName"), _("Maksimal %(max)s karakter.", max=GENERIC_MAX))
    checks.text(body.get("localisedName"), child(path, "localisedName"), r)
    return long is not None or "longDescription" in body

