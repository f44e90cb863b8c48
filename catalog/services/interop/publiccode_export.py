"""An entry, or a regional fork as a variant of its upstream, written as publiccode.yml."""
from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

from flask_babel import gettext as _
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from ...models import App, Fork, User
from ...publiccode import ExportEntry, ExportError, parse, to_publiccode, validate
from ..catalog import apps
from ..deployments import used_by
from ..errors import ValidationFailed
from ..repos import forks, mirrors
from . import imports

# Text a YAML reader would turn into a number, boolean or null: quoted so it stays text.
_NOT_TEXT = re.compile(r"^(|~|null|true|false|yes|no|on|off|y|n|[-+]?(\.inf|\.nan)|"
                       r"[-+]?[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?|[-+]?\.[0-9]+|"
                       r"0x[0-9a-fA-F]+|0o[0-7]+)$", re.I)


def app_publiccode(slug: str, *, actor: User | None, base_url: str) -> str:
    """The entry as publiccode.yml. Raises NotFound, ValidationFailed (fields that keep the
    entry from being a valid file, by catalog field; `extra.issues` by key path)."""
    app = apps.get_app(slug, actor)
    return _render(entry_for_app(app, base_url), _extras(app, variant=False, used_by=used_by.names(app.id)))


def fork_publiccode(fork_id: int, *, base_url: str) -> str:
    """A fork as a variant: its own URL, `isBasedOn` upstream, its organization. Raises NotFound,
    ValidationFailed."""
    fork = forks.get_fork(fork_id)
    return _render(entry_for_fork(fork, base_url),
                   _extras(fork.app, variant=True, used_by=used_by.names(fork.app_id, fork_id=fork.id)))


def clone_url(base_url: str, relpath: str) -> str:
    return base_url.rstrip("/") + "/git/" + relpath


def organization_uri(base_url: str, code: str) -> str:
    """The publisher's page in this catalog: the `organisation.uri` other catalogs can follow."""
    return base_url.rstrip("/") + "/organizations/" + code


def public_url(app: App, base_url: str) -> str:
    """Where others can clone the code: the repository URL, or the catalog's mirror of a
    repository an admin registered as a local path (a server path means nothing elsewhere)."""
    if app.public_repo_url:
        return app.public_repo_url
    mirror = mirrors.get_mirror(app)
    return clone_url(base_url, mirror.relpath) if mirror is not None else ""


def _release(app: App, extras: dict[str, Any]) -> tuple[str, date | None]:
    """The newest tag of the mirror when there is one, else what the imported file said."""
    release = mirrors.latest_release(app.id)
    if release is not None:
        return release.name, release.date.date() if release.date else None
    try:
        when = date.fromisoformat(str(extras.get("releaseDate") or ""))
    except ValueError:
        when = None
    return str(extras.get("softwareVersion") or ""), when


def _localisation(extras: dict[str, Any]) -> dict[str, Any]:
    loc = extras.get("localisation") if isinstance(extras.get("localisation"), dict) else {}
    languages = tuple(str(x) for x in loc.get("availableLanguages") or ()) or ("id",)
    return {"localisation_ready": loc.get("localisationReady") is True, "available_languages": languages}


def entry_for_app(app: App, base_url: str) -> ExportEntry:
    extras = app.publiccode_extras or {}
    name, when = _release(app, extras)
    return ExportEntry.from_fields(
        {**apps.app_fields(app), "slug": app.slug}, url=public_url(app, base_url),
        publisher_name=app.publisher.name, publisher_uri=organization_uri(base_url, app.publisher.code),
        release_name=name, release_date=when,
        categories=tuple(str(c) for c in extras.get("categories") or ()),
        landing_url=str(extras.get("landingURL") or ""), **_localisation(extras))


def entry_for_fork(fork: Fork, base_url: str) -> ExportEntry:
    """The region maintains its variant itself; upstream's contacts and contractor stay upstream's."""
    app = fork.app
    values = {**apps.app_fields(app), "slug": fork.name, "maintenance_type": "internal",
              "maintenance_contacts": [{"name": fork.organization.name, "email": "", "phone": ""}],
              "contractor_name": "", "contract_end": None}
    extras = app.publiccode_extras or {}
    return ExportEntry.from_fields(
        values, url=clone_url(base_url, fork.relpath), upstream_url=public_url(app, base_url),
        publisher_name=fork.organization.name, fork_note=fork.note, copyright_owner="",
        publisher_uri=organization_uri(base_url, fork.organization.code),
        categories=tuple(str(c) for c in extras.get("categories") or ()), **_localisation(extras))


def _extras(app: App, *, variant: bool, used_by: list[str]) -> dict[str, Any]:
    """Imported keys ExportEntry has no field for; a variant's isBasedOn is its upstream only.
    `usedBy` is never the imported claim: only the organizations whose production deployment is
    confirmed or observed (deployments.used_by), so that each name can be checked."""
    extras = dict(app.publiccode_extras or {})
    if variant:
        extras.pop("isBasedOn", None)
    extras["usedBy"] = list(used_by)
    return extras


def _render(entry: ExportEntry, extras: dict[str, Any]) -> str:
    try:
        text = to_publiccode(entry)
        return _merge(text, extras) if _mergeable(extras) else text
    except ExportError as exc:
        issues = imports.by_path(exc.issues)
        raise ValidationFailed(_("Entri ini belum dapat diekspor sebagai publiccode.yml yang valid; "
                               "lengkapi isian yang ditandai."), exc.fields or issues,
                               {"issues": issues}) from exc


_MERGED = ("isBasedOn", "logo", "roadmap", "usedBy", "scope", "dependsOn", "organisation")


def _mergeable(extras: dict[str, Any]) -> bool:
    return any(extras.get(k) for k in _MERGED)


def _quoted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _quoted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_quoted(v) for v in value]
    if isinstance(value, str) and _NOT_TEXT.match(value):
        return DoubleQuotedScalarString(value)
    return value


def _insert_after(doc: CommentedMap, after: str, key: str, value: Any) -> None:
    keys = list(doc.keys())
    position = keys.index(after) + 1 if after in keys else len(keys)
    doc.insert(position, key, _quoted(value))


def _merge(text: str, extras: dict[str, Any]) -> str:
    """Add the kept extras to the exported text and check the result again."""
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    doc = yaml.load(text)
    if extras.get("isBasedOn"):
        _insert_after(doc, "url", "isBasedOn", list(extras["isBasedOn"]))
    for key in ("roadmap", "logo"):
        if extras.get(key):
            _insert_after(doc, "landingURL" if "landingURL" in doc else "url", key, extras[key])
    if extras.get("usedBy"):
        _insert_after(doc, "categories" if "categories" in doc else "platforms", "usedBy", extras["usedBy"])
    if extras.get("scope"):
        _insert_after(doc, "softwareType", "intendedAudience", {"scope": list(extras["scope"])})
    org = extras.get("organisation")
    if isinstance(org, dict) and org.get("uri") and "organisation" in doc:
        doc["organisation"]["uri"] = _quoted(org["uri"])
    depends = extras.get("dependsOn")
    if isinstance(depends, dict):
        kept = {k: v for k, v in depends.items() if v}
        if kept:
            _insert_after(doc, "localisation", "dependsOn", kept)
    out = io.StringIO()
    yaml.dump(doc, out)
    merged = out.getvalue()
    result = parse(merged)
    errors = result.errors or validate(result.doc)[0]
    if errors:
        raise ExportError(errors)
    return merged
