"""Validation of the publiccode.yml sections: legal, maintenance, localisation and the others."""
from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _

from ..vocab import apps as catalog_vocab
from . import checks, standard, vocab
from .types import Report, child, item

_COUNTRY_RE = re.compile(r"^[A-Za-z]{2}$")


def legal(value: Any, r: Report) -> None:
    section = checks.mapping(value, "legal", r)
    if section is None:  # absent or of the wrong type: the licence is missing too, as the reference says
        r.error("legal.license", checks.missing())
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
            phone = c.get("phone")
            if isinstance(phone, (int, float)) and not isinstance(phone, bool):
                # the reference reads it; a number loses a leading 0 or +, so it only warns
                r.warn(child(path, "phone"), _("Tulis nomor telepon sebagai teks bertanda kutip, "
                                               "misalnya \"+62 771 123456\"."))
            else:
                checks.text(phone, child(path, "phone"), r)
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
            if not _COUNTRY_RE.match(code) or code.upper() not in standard.COUNTRIES or not (
                    code.isupper() or code.islower()):
                r.error(p, _("Gunakan kode negara ISO 3166-1 alfa-2, seluruhnya huruf besar "
                             "atau seluruhnya huruf kecil, misalnya ID."))
            elif code.islower() and version >= (0, 5):
                r.warn(p, _("Kode negara huruf kecil sudah usang; tulis '%(code)s'.",
                            code=code.upper()))


def organisations(doc: dict, version: vocab.Version, r: Report) -> None:
    """`organisation` (the publisher) and `fundedBy`: from 0.7 `uri` is mandatory and `name`
    optional (as the reference reads them); 0.5 and 0.6 files keep their own rule, name first."""
    org = checks.mapping(doc.get("organisation"), "organisation", r)
    if org is not None:
        _organisation(org, "organisation", version, r)
    if "fundedBy" in doc:
        for path, funder in _objects(doc["fundedBy"], "fundedBy", r):
            _organisation(funder, path, version, r)


def _organisation(org: dict, path: str, version: vocab.Version, r: Report) -> None:
    uri_first = version >= (0, 7)
    checks.text(org.get("name"), child(path, "name"), r, required=not uri_first)
    uri = checks.text(org.get("uri"), child(path, "uri"), r, required=uri_first)
    if uri is None:
        return
    if not checks.URI_RE.match(uri):
        r.error(child(path, "uri"), _("Harus berupa URI, misalnya https://... atau urn:..."))
    elif uri.lower().startswith(standard.ITALIAN_PA_URN):
        _ipa(uri[len(standard.ITALIAN_PA_URN):], child(path, "uri"), r)


def italy(doc: dict, r: Report) -> None:
    """The Italian extension as the reference reads it: one section only, a known extension
    version, a well-formed iPA code."""
    if "it" in doc and "IT" in doc:
        r.error("it", _("Bagian `it` dan `IT` tidak boleh ada bersamaan; pakai `IT` saja."))
    for key in ("IT", "it"):
        section = doc.get(key)
        if key not in doc or section is None:
            continue
        if not isinstance(section, dict):
            r.error(key, _("Harus berupa pemetaan (kunci: nilai)."))
            continue
        version = checks.text(section.get("countryExtensionVersion"),
                              child(key, "countryExtensionVersion"), r)
        if version is not None and version not in standard.IT_EXTENSION_VERSIONS:
            r.error(child(key, "countryExtensionVersion"),
                    _("Versi ekstensi Italia harus salah satu dari: %(options)s.",
                      options=", ".join(standard.IT_EXTENSION_VERSIONS)))
        riuso = checks.mapping(section.get("riuso"), child(key, "riuso"), r)
        if riuso is not None:
            code = checks.text(riuso.get("codiceIPA"), child(key, "riuso.codiceIPA"), r)
            if code:
                _ipa(code, child(key, "riuso.codiceIPA"), r)
        for part in ("conforme", "piattaforme"):
            sub = checks.mapping(section.get(part), child(key, part), r)
            for flag, value in (sub or {}).items():
                if value is not None and not isinstance(value, bool):
                    r.error(child(child(key, part), str(flag)), _("Harus true atau false."))


def _ipa(code: str, path: str, r: Report) -> None:
    if not standard.IPA_CODE_RE.match(code):
        r.error(path, _("Kode iPA (Indice PA) tidak valid: '%(code)s'.", code=code))


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
