"""Validation of the publiccode.yml sections: legal, maintenance, localisation and the others."""
from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _

from ..vocab import apps as catalog_vocab
from . import checks, vocab
from .types import Report, child, item

_COUNTRY_RE = re.compile(r"^[A-Za-z]{2}$")


def legal(value: Any, r: Report) -> None:
    section = checks.mapping(value, "legal", r)
    if value is None:
        r.error("legal.license", checks.missing())
    if section is None:
        return
    checks.licence(section.get("license"), "legal.license", r)
    for key in ("mainCopyrightOwner", "repoOwner", "authorsFile"):
        checks.text(section.get(key), child("legal", key), r)


def maintenance(value: Any, r: Report) -> None:
    """The type decides: contractors only with `contract`, contacts with internal/community."""
    section = checks.mapping(value, "maintenance", r)
    if value is None:
        r.error("maintenance.type", checks.missing())
    if section is None:
        return
    kind = checks.choice(section.get("type"), catalog_vocab.MAINTENANCE_TYPES, "maintenance.type",
                         r, required=True)
    contractors, contacts = section.get("contractors"), section.get("contacts")
    if kind == "contract" and not checks.present(contractors):
        r.error("maintenance.contractors", _("Wajib diisi untuk pemeliharaan dengan kontrak "
                                             "(`type: contract`)."))
    elif kind not in (None, "contract") and contractors is not None:
        r.error("maintenance.contractors", _("Penyedia hanya boleh diisi bila `type: contract`."))
    elif contractors is not None:
        for path, c in _objects(contractors, "maintenance.contractors", r):
            checks.text(c.get("name"), child(path, "name"), r, required=True)
            checks.date_value(c.get("until"), child(path, "until"), r, required=True)
            checks.email(c.get("email"), child(path, "email"), r)
            checks.url(c.get("website"), child(path, "website"), r)
    if kind in ("internal", "community") and not checks.present(contacts):
        r.error("maintenance.contacts", _("Isi minimal satu kontak pemelihara untuk "
                                          "`type: %(type)s`.", type=kind))
    elif contacts is not None:
        for path, c in _objects(contacts, "maintenance.contacts", r):
            checks.text(c.get("name"), child(path, "name"), r, required=True)
            checks.email(c.get("email"), child(path, "email"), r)
            if isinstance(c.get("phone"), (int, float)):
                r.error(child(path, "phone"), _("Nomor telepon harus ditulis sebagai teks "
                                                "bertanda kutip, misalnya \"+62 771 123456\"."))
            else:
                checks.text(c.get("phone"), child(path, "phone"), r)
            checks.text(c.get("affiliation"), child(path, "affiliation"), r)


def localisation(value: Any, r: Report) -> None:
    section = checks.mapping(value, "localisation", r)
    if value is not None and section is None:
        return  # the section itself has the wrong type, already reported
    section = section or {}
    ready = section.get("localisationReady")
    if ready is None:
        r.error("localisation.localisationReady", checks.missing())
    elif not isinstance(ready, bool):
        r.error("localisation.localisationReady", _("Harus true atau false (di YAML 1.2, 'yes' "
                                                    "dan 'no' adalah teks)."))
    path = "localisation.availableLanguages"
    for p, lang in checks.texts(section.get("availableLanguages"), path, r, required=True):
        checks.language(lang, p, r)


def depends_on(value: Any, r: Report) -> None:
    section = checks.mapping(value, "dependsOn", r)
    for key in ("open", "proprietary", "hardware"):
        if section is None or key not in section:
            continue
        for path, dep in _objects(section[key], child("dependsOn", key), r):
            checks.text(dep.get("name"), child(path, "name"), r, required=True)
            for field in ("version", "versionMin", "versionMax"):
                v = dep.get(field)
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    r.warn(child(path, field), _("Tulis versi sebagai teks bertanda kutip."))
                else:
                    checks.text(v, child(path, field), r)
            if "optional" in dep and not isinstance(dep["optional"], bool):
                r.error(child(path, "optional"), _("Harus true atau false."))


def audience(value: Any, version: vocab.Version, r: Report) -> None:
    section = checks.mapping(value, "intendedAudience", r)
    if section is None:
        return
    for p, scope in checks.texts(section.get("scope"), "intendedAudience.scope", r):
        if scope not in vocab.SCOPES:
            r.error(p, _("Cakupan '%(scope)s' tidak ada dalam daftar scope publiccode.yml.",
                         scope=scope))
    for key in ("countries", "unsupportedCountries"):
        for p, code in checks.texts(section.get(key), child("intendedAudience", key), r):
            if not _COUNTRY_RE.match(code):
                r.error(p, _("Gunakan kode negara ISO 3166-1 alfa-2, misalnya ID."))
            elif code.islower() and version >= (0, 5):
                r.warn(p, _("Kode negara huruf kecil sudah usang; tulis '%(code)s'.",
                            code=code.upper()))


def organisations(doc: dict, r: Report) -> None:
    """`organisation` (the publisher) and `fundedBy`, both lists of name + optional URI."""
    org = checks.mapping(doc.get("organisation"), "organisation", r)
    if org is not None:
        _organisation(org, "organisation", r)
    if "fundedBy" in doc:
        for path, funder in _objects(doc["fundedBy"], "fundedBy", r):
            _organisation(funder, path, r)


def _organisation(org: dict, path: str, r: Report) -> None:
    checks.text(org.get("name"), child(path, "name"), r, required=True)
    checks.uri(org.get("uri"), child(path, "uri"), r)


def supports(value: Any, r: Report) -> None:
    if value is None:
        return
    for path, entry in _objects(value, "supports", r):
        ident = checks.text(entry.get("id"), child(path, "id"), r, required=True)
        if ident is None:
            continue
        if ident.startswith("alias:"):
            if ident[6:] not in vocab.SUPPORTS_ALIASES:
                r.error(child(path, "id"), _("Alias tidak dikenal; pilih salah satu: %(options)s.",
                                             options=", ".join(vocab.SUPPORTS_ALIASES)))
        else:
            checks.uri(ident, child(path, "id"), r)


def _objects(value: Any, path: str, r: Report) -> list[tuple[str, dict]]:
    """(path, mapping) of each item of a list of objects, reporting items of other types."""
    out = []
    for i, obj in enumerate(checks.listing(value, path, r, required=True) or []):
        if checks.mapping(obj, item(path, i), r, required=True) is not None:
            out.append((item(path, i), obj))
    return out
