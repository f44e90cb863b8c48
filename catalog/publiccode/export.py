"""Write a catalog entry (or a regional fork, as a software variant) as a publiccode.yml file."""
from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import fields as dc_fields
from datetime import date
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from ..vocab import apps as catalog_vocab
from . import standard, vocab
from .parse import parse
from .types import Issue
from .validate import validate

FORK_PREFIX = "Modifikasi daerah: "
# Plain words a YAML 1.1 reader would turn into booleans; quoted for older tools.
_YAML11_BOOL = re.compile(r"^(y|n|yes|no|on|off|true|false)$", re.I)
# publiccode.yml paths → catalog field, so a refused export can point at the form field.
FIELD_OF_PATH = {
    "name": "name", "url": "repo_url", "legal.license": "license", "platforms": "platforms",
    "developmentStatus": "development_status", "softwareType": "software_type",
    "description.id.shortDescription": "short_description_id",
    "description.en.shortDescription": "short_description_en",
    "description.id.longDescription": "description", "description.id.features": "features",
    "description.id.documentation": "documentation_url", "categories": "category",
    "maintenance.type": "maintenance_type", "maintenance.contacts": "maintenance_contacts",
    "maintenance.contractors": "contractor_name",
    "maintenance.contractors[0].name": "contractor_name",
    "maintenance.contractors[0].until": "contract_end",
}


class ExportError(ValueError):
    """The entry cannot make a valid publiccode.yml; `fields` maps catalog fields to messages."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("; ".join(f"{i.path}: {i.message}" for i in issues))
        self.issues = issues
        self.fields: dict[str, str] = {}
        for i in issues:
            key = FIELD_OF_PATH.get(i.path) or FIELD_OF_PATH.get(i.path.split("[")[0], "")
            if key:
                self.fields.setdefault(key, i.message)


@dataclass(frozen=True)
class ExportEntry:
    """An app entry's editable fields plus what publiccode.yml needs beyond them.

    `url` is where this codebase lives (defaults to `repo_url`). A fork sets `upstream_url`
    (the codebase it is based on), its own `url`, its organization as `publisher_name`, and
    `fork_note` describing the regional changes.
    """

    name: str
    repo_url: str
    license: str
    short_description_id: str
    description: str
    features: tuple[str, ...] = ()
    category: str = ""
    development_status: str = "stable"
    software_type: str = "standalone/web"
    platforms: tuple[str, ...] = ()
    short_description_en: str = ""
    slug: str = ""
    tags: tuple[str, ...] = ()
    documentation_url: str = ""
    maintenance_type: str = "internal"
    maintenance_contacts: tuple[Mapping[str, str], ...] = ()
    contractor_name: str = ""
    contract_end: date | None = None
    publisher_name: str = ""
    publisher_uri: str = ""
    release_name: str = ""
    release_date: date | None = None
    url: str = ""
    categories: tuple[str, ...] = ()
    upstream_url: str = ""
    fork_note: str = ""
    copyright_owner: str = ""
    landing_url: str = ""
    available_languages: tuple[str, ...] = ("id",)
    localisation_ready: bool = False

    @classmethod
    def from_fields(cls, values: Mapping[str, Any], **extra: Any) -> ExportEntry:
        """Build from a dict of app fields (e.g. clean_app_fields output) plus extra values."""
        names = {f.name for f in dc_fields(cls)}
        data = {k: v for k, v in {**values, **extra}.items() if k in names}
        for key, value in data.items():
            if isinstance(value, list):
                data[key] = tuple(value)
        return cls(**data)


def to_publiccode(entry: ExportEntry) -> str:
    """The publiccode.yml text (version EXPORT_VERSION); raises ExportError if it is not valid."""
    text = _dump(_document(entry))
    result = parse(text)
    errors = result.errors or validate(result.doc)[0]
    if errors:
        raise ExportError(errors)
    return text


def _document(e: ExportEntry) -> dict[str, Any]:
    is_fork = bool(e.upstream_url)
    doc: dict[str, Any] = {"publiccodeYmlVersion": vocab.EXPORT_VERSION, "name": e.name,
                           "url": e.url or e.repo_url}
    if is_fork:
        doc["isBasedOn"] = e.upstream_url
    if e.landing_url:
        doc["landingURL"] = e.landing_url
    if e.release_name:
        doc["softwareVersion"] = e.release_name
    if e.release_date:
        doc["releaseDate"] = e.release_date.isoformat()
    if e.publisher_uri:  # without a URI (mandatory from 0.7) the name stays in mainCopyrightOwner
        doc["organisation"] = {"name": e.publisher_name, "uri": e.publisher_uri} if e.publisher_name \
            else {"uri": e.publisher_uri}
    doc["platforms"] = list(e.platforms)
    # only keys of the standard's list: the catalog's own extra categories stay out of the file
    categories = [c for c in dict.fromkeys((e.category, *e.categories))
                  if c in catalog_vocab.CATEGORIES and c in standard.CATEGORIES]
    if categories:
        doc["categories"] = categories
    doc["developmentStatus"] = e.development_status
    doc["softwareType"] = e.software_type
    doc["description"] = _description(e, is_fork)
    doc["legal"] = {"license": e.license}
    owner = e.copyright_owner or ("" if is_fork else e.publisher_name)
    if owner:
        doc["legal"]["mainCopyrightOwner"] = owner
    doc["maintenance"] = _maintenance(e)
    doc["localisation"] = {"localisationReady": e.localisation_ready,
                           "availableLanguages": list(e.available_languages)}
    return doc


def _description(e: ExportEntry, is_fork: bool) -> dict[str, Any]:
    """Bahasa Indonesia carries the full text; English only the short description we keep."""
    features = list(e.features)
    long = e.description.strip()
    if is_fork and e.fork_note.strip():
        note = FORK_PREFIX + " ".join(e.fork_note.split())
        features.append(note)
        long = f"{long}\n\n{note}" if long else note
    body: dict[str, Any] = {"shortDescription": e.short_description_id,
                            "longDescription": LiteralScalarString(long) if "\n" in long else long,
                            "features": features}
    if e.documentation_url:
        body["documentation"] = e.documentation_url
    desc = {"id": body}
    if e.short_description_en:
        desc["en"] = {"shortDescription": e.short_description_en}
    return desc


def _maintenance(e: ExportEntry) -> dict[str, Any]:
    out: dict[str, Any] = {"type": e.maintenance_type}
    if e.maintenance_type == "contract" and (e.contractor_name or e.contract_end):
        contractor: dict[str, Any] = {"name": e.contractor_name}
        if e.contract_end:
            contractor["until"] = e.contract_end.isoformat()
        out["contractors"] = [contractor]
    contacts = [{k: str(c[k]) for k in ("name", "email", "phone") if c.get(k)}
                for c in e.maintenance_contacts if c.get("name")]
    if contacts:
        out["contacts"] = contacts
    return out


def _quote_ambiguous(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _quote_ambiguous(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_quote_ambiguous(v) for v in value]
    if isinstance(value, str) and _YAML11_BOOL.match(value):
        return DoubleQuotedScalarString(value)
    return value


def _dump(doc: dict[str, Any]) -> str:
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    out = io.StringIO()
    out.write("# publiccode.yml — dibuat oleh Katalog Bagi-Pakai.\n")
    yaml.dump(_quote_ambiguous(doc), out)
    return out.getvalue()
