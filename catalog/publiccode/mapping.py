"""Map a valid publiccode.yml document onto the catalog's editable app fields plus extras."""
from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _

from ..vocab import apps as catalog_vocab
from ..vocab import slugs
from . import checks, vocab
from .types import Issue, item


def to_entry_fields(doc: dict) -> tuple[dict[str, Any], dict[str, Any], list[Issue]]:
    """(fields keyed like app_fields.EDITABLE, extras the catalog may store later, warnings).

    Expects a document without validation errors; missing parts map to empty values.
    """
    warnings: list[Issue] = []
    desc = _section(doc, "description")
    id_lang, en_lang = _language(desc, "id"), _language(desc, "en")
    first = next(iter(desc), None)
    short_lang = id_lang or first
    if short_lang is not None and short_lang != id_lang:
        warnings.append(Issue(f"description.{short_lang}", _(
            "Tidak ada deskripsi berbahasa Indonesia (`id`); deskripsi singkat diambil dari "
            "'%(language)s'.", language=short_lang)))
    maint = _section(doc, "maintenance")
    mtype = maint.get("type") if maint.get("type") in catalog_vocab.MAINTENANCE_TYPES else "none"
    contractor = _contractor(maint, mtype, warnings)
    categories = _strings(doc.get("categories"))
    fields: dict[str, Any] = {
        "name": _str(doc.get("name")),
        "slug": _slug(_str(doc.get("url")), _str(doc.get("name"))),
        "short_description_id": _text(desc, short_lang, "shortDescription"),
        "short_description_en": _text(desc, en_lang, "shortDescription"),
        "description": _text(desc, _first_with(desc, "longDescription", id_lang),
                             "longDescription"),
        "features": _strings(_get(desc, _first_with(desc, "features", id_lang, en_lang),
                                  "features")),
        "category": _category(categories, warnings),
        "tags": [],
        "repo_url": _str(doc.get("url")),
        "license": checks.spdx(_section(doc, "legal").get("license"))[0] or "",
        "development_status": _str(doc.get("developmentStatus")),
        "software_type": _software_type(doc.get("softwareType"), warnings),
        "platforms": _platforms(doc.get("platforms"), warnings),
        "documentation_url": _text(desc, _first_with(desc, "documentation", id_lang, en_lang),
                                   "documentation"),
        "maintenance_type": mtype,
        "maintenance_contacts": _contacts(maint.get("contacts")),
        "contractor_name": contractor[0],
        "contract_end": contractor[1],
    }
    return fields, _extras(doc, categories), warnings


def _extras(doc: dict, categories: list[str]) -> dict[str, Any]:
    depends, loc = _section(doc, "dependsOn"), _section(doc, "localisation")
    org, audience = _section(doc, "organisation"), _section(doc, "intendedAudience")
    return {
        "publiccodeYmlVersion": _str(doc.get("publiccodeYmlVersion")),
        "categories": categories,
        "dependsOn": {k: [dict(d) for d in _list(depends.get(k)) if isinstance(d, dict)]
                      for k in ("open", "proprietary", "hardware")},
        "localisation": {"localisationReady": loc.get("localisationReady"),
                         "availableLanguages": _strings(loc.get("availableLanguages"))},
        "isBasedOn": _strings(doc.get("isBasedOn")),
        "softwareVersion": _str(doc.get("softwareVersion")),
        "releaseDate": _str(doc.get("releaseDate")),
        "logo": _str(doc.get("logo")),
        "landingURL": _str(doc.get("landingURL")),
        "roadmap": _str(doc.get("roadmap")),
        "usedBy": _strings(doc.get("usedBy")),
        "scope": _strings(audience.get("scope")),
        "organisation": ({"name": _str(org.get("name")), "uri": _str(org.get("uri"))}
                         if org else None),
    }


def _section(doc: dict, key: str) -> dict:
    value = doc.get(key)
    return value if isinstance(value, dict) else {}


def _language(desc: dict, primary: str) -> str | None:
    """Key of the description in a language: exact tag first, then regional or legacy forms."""
    if primary in desc:
        return primary
    legacy = {v: k for k, v in vocab.LANG_LEGACY.items() if k in ("ind", "eng")}.get(primary)
    for key in desc:
        if isinstance(key, str) and (key.lower().split("-")[0] == primary or key == legacy):
            return key
    return None


def _first_with(desc: dict, key: str, *preferred: str | None) -> str | None:
    """The preferred language that has `key`, else the first language that has it."""
    for lang in [p for p in preferred if p] + list(desc):
        if isinstance(desc.get(lang), dict) and desc[lang].get(key):
            return lang
    return None


def _get(desc: dict, lang: str | None, key: str) -> Any:
    body = desc.get(lang) if lang is not None else None
    return body.get(key) if isinstance(body, dict) else None


def _text(desc: dict, lang: str | None, key: str) -> str:
    return _str(_get(desc, lang, key)).strip()


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v).strip() for v in _list(value) if isinstance(v, (str, int, float))]


def _slug(url: str, name: str) -> str:
    """The repository's name (last path segment of `url`), else the name, as a catalog slug."""
    segment = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    for candidate in (segment, name):
        slug = slugs.slugify(candidate)
        if slugs.SLUG_RE.match(slug) and slug not in slugs.RESERVED_SLUGS:
            return slug
    return ""


def _category(categories: list[str], warnings: list[Issue]) -> str:
    known = [c for c in categories if c in catalog_vocab.CATEGORIES]
    if not known:
        warnings.append(Issue("categories", _("Tidak ada kategori yang dikenal katalog; pilih "
                                              "kategori secara manual.")))
    return known[0] if known else ""


def _software_type(value: Any, warnings: list[Issue]) -> str:
    if value == "standalone":
        warnings.append(Issue("softwareType", _("'standalone' dipetakan ke 'standalone/other'.")))
        return "standalone/other"
    return _str(value)


def _platforms(value: Any, warnings: list[Issue]) -> list[str]:
    out: list[str] = []
    for i, raw in enumerate(_strings(value)):
        name = raw.strip().lower()
        name = vocab.PLATFORM_ALIASES.get(name, name)
        if name in catalog_vocab.PLATFORMS:
            out.append(name)
        else:
            path = item("platforms", i) if isinstance(value, list) else "platforms"
            warnings.append(Issue(path, _("Platform '%(platform)s' tidak dikenal katalog dan "
                                          "diabaikan.", platform=raw)))
    return list(dict.fromkeys(out))


def _contacts(value: Any) -> list[dict[str, str]]:
    return [{k: _str(c.get(k)).strip() for k in ("name", "email", "phone")}
            for c in _list(value) if isinstance(c, dict) and c.get("name")]


def _contractor(maint: dict, mtype: str, warnings: list[Issue]) -> tuple[str, date | None]:
    """Name and end date of the first contractor; the catalog keeps one per entry."""
    contractors = [c for c in _list(maint.get("contractors")) if isinstance(c, dict)]
    if mtype != "contract" or not contractors:
        return "", None
    if len(contractors) > 1:
        warnings.append(Issue("maintenance.contractors", _("Katalog hanya menyimpan penyedia "
                                                           "pertama; yang lain diabaikan.")))
    until = _str(contractors[0].get("until"))
    try:
        end = date.fromisoformat(until) if until else None
    except ValueError:
        end = None
    return _str(contractors[0].get("name")).strip(), end
