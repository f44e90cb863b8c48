"""List an app from its publiccode.yml (pasted, or read from its repository), problems per key."""
from __future__ import annotations

import re
import socket
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from ... import vcs
from ...extensions import db
from ...models import App, User
from ...publiccode import Issue, load, parse, to_entry_fields
from ...publiccode import files as referenced_files
from ...publiccode.export import FIELD_OF_PATH
from ...vcs.errors import GitCommandError, SizeLimitExceeded, VcsError
from .. import audit
from ..accounts import organizations
from ..catalog import apps
from ..errors import Conflict, PermissionDenied, ValidationFailed, require
from ..permissions import can_create_app, is_admin
from ..tx import write

FILE_NAMES = ("publiccode.yml", "publiccode.yaml")
SOURCE_KEY = "publiccode_yml"  # where problems of the file as a whole are reported
PEEK_TIMEOUT = 30
# Catalog field → the publiccode.yml key it comes from, so catalog errors name the file's key
# (the inverse of the export's table; for the contractor the more precise key wins).
PATH_OF_FIELD = {field: path for path, field in FIELD_OF_PATH.items()}
EXTRA_PATHS = {
    "publiccodeYmlVersion": "publiccodeYmlVersion", "categories": "categories",
    "dependsOn": "dependsOn", "localisation": "localisation", "isBasedOn": "isBasedOn",
    "softwareVersion": "softwareVersion", "releaseDate": "releaseDate", "logo": "logo",
    "landingURL": "landingURL", "roadmap": "roadmap", "usedBy": "usedBy",
    "scope": "intendedAudience.scope", "organisation": "organisation",
}
_OTHER_LANGUAGE = re.compile(r"^description\.(?!en(?:[.\[]|$))[^.\[]+")
# (errors, warnings) about the files a publiccode.yml names, from the repository it was read from.
FileIssues = tuple[list[Issue], list[Issue]]
NO_FILE_ISSUES: FileIssues = ([], [])


@dataclass(frozen=True)
class Reading:
    """A file read for the catalog: fields and extras (partial when `errors`), issues per key."""

    fields: dict[str, Any]
    extras: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Prefill:
    text: str
    reading: Reading
    fields: dict[str, Any]
    warnings: dict[str, str]


def by_path(issues: list[Issue]) -> dict[str, str]:
    """Issues keyed by their key path; several on one key are joined, file-level ones go to
    `publiccode_yml`."""
    out: dict[str, str] = {}
    for issue in issues:
        key = issue.path or SOURCE_KEY
        out[key] = f"{out[key]} {issue.message}" if key in out else issue.message
    return out


def _normal(path: str) -> str:
    return _OTHER_LANGUAGE.sub("description.id", path)


def touched(path: str, problems: dict[str, str]) -> bool:
    """Whether a problem sits on `path`, above it or below it."""
    for raw in problems:
        p = _normal(raw)
        if p == path or path.startswith((p + ".", p + "[")) or p.startswith((path + ".", path + "[")):
            return True
    return False


def field_for_path(path: str) -> str | None:
    """The catalog form field a key path belongs to (`maintenance.contacts[0].email` →
    `maintenance_contacts`), or None for keys the form has no field for."""
    path = _normal(path)
    while path:
        if path in FIELD_OF_PATH:
            return FIELD_OF_PATH[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None


def to_paths(fields: dict[str, str]) -> dict[str, str]:
    return {PATH_OF_FIELD.get(k, k): v for k, v in fields.items()}


def _compact(extras: dict[str, Any]) -> dict[str, Any]:
    """Extras worth keeping: no empty values, no dependsOn without dependencies."""
    out = {}
    for key, value in extras.items():
        if isinstance(value, dict) and value and all(v in ([], None, "") for v in value.values()):
            continue
        if value in (None, "", [], {}):
            continue
        out[key] = value
    return out


def read_publiccode(text: str | bytes, files: FileIssues = NO_FILE_ISSUES) -> Reading:
    """Load a file (with what its repository said of the files it names); when it has errors,
    keep what maps cleanly from keys without problems."""
    loaded = load(text)
    warnings = by_path(loaded.warnings + files[1])
    if loaded.ok and not files[0]:
        return Reading(loaded.fields, _compact(loaded.extras), {}, warnings)
    errors = by_path(loaded.errors + files[0])
    parsed = parse(text)
    if parsed.doc is None:
        return Reading({}, {}, errors, warnings)
    try:
        fields, extras, mapped = to_entry_fields(parsed.doc)
    except (TypeError, ValueError, AttributeError, KeyError):  # shapes the mapper never expects
        return Reading({}, {}, errors, warnings)
    warnings = {**by_path(mapped), **warnings}
    fields = {k: v for k, v in fields.items() if not touched(PATH_OF_FIELD.get(k, k), errors)}
    extras = {k: v for k, v in extras.items() if not touched(EXTRA_PATHS.get(k, k), errors)}
    return Reading(fields, _compact(extras), errors, warnings)


def _allow_local(actor: User) -> bool:
    return bool(current_app.config.get("ALLOW_LOCAL_REPOS")) and is_admin(actor)


def fetch_publiccode(repo_url: str, *, actor: User) -> tuple[str, FileIssues]:
    """publiccode.yml at the repository's HEAD, read with a shallow fetch, and what the same
    commit's tree says of the files it names (logo, screenshots, authorsFile). Raises
    ValidationFailed."""
    cfg = current_app.config
    checked: list[FileIssues] = []

    def inspect(blob: bytes, lookup: referenced_files.Lookup) -> None:
        parsed = parse(blob)
        if parsed.doc is not None:
            checked.append(referenced_files.check(parsed.doc, lookup))

    try:
        remote = vcs.check_remote_url(repo_url.strip(), allow_local=_allow_local(actor),
                                      resolver=cfg.get("DNS_RESOLVER") or socket.getaddrinfo)
        blob = vcs.peek_file(remote, *FILE_NAMES, timeout=cfg.get("IMPORT_TIMEOUT", PEEK_TIMEOUT),
                             inspect=inspect)
    except SizeLimitExceeded as exc:
        raise ValidationFailed(_("Berkas publiccode.yml terlalu besar."), {"repo_url": exc.message}) from exc
    except GitCommandError as exc:
        raise ValidationFailed(_("Repositori tidak dapat dibaca."), {
            "repo_url": _("Repositori tidak dapat dihubungi, kosong, atau tidak ditemukan. Periksa alamatnya."),
        }) from exc
    except VcsError as exc:
        raise ValidationFailed(_("Repositori tidak dapat dibaca."), {"repo_url": exc.message}) from exc
    if blob is None:
        raise ValidationFailed(_("Repositori ini belum memiliki publiccode.yml."), {
            "repo_url": _("Tidak ada berkas publiccode.yml di cabang utama repositori ini.")})
    try:
        return blob.decode("utf-8-sig"), (checked[0] if checked else NO_FILE_ISSUES)
    except UnicodeDecodeError as exc:
        raise ValidationFailed(_("Berkas publiccode.yml tidak dapat dibaca."),
                               {SOURCE_KEY: _("Berkas harus berenkode UTF-8.")}) from exc


def _source(text: Any, repo_url: Any, actor: User) -> tuple[str, FileIssues]:
    """The file's text from exactly one of the two sources (with the repository's word on the
    files it names; pasted text has no tree to look in). Raises ValidationFailed."""
    if bool(text) == bool(repo_url):
        raise ValidationFailed(_("Kirim salah satu sumber."), {
            SOURCE_KEY: _("Tempel isi publiccode.yml atau isi alamat repositori (salah satu saja).")})
    if repo_url:
        if not isinstance(repo_url, str):
            raise ValidationFailed(_("Alamat repositori tidak valid."), {"repo_url": _("Harus berupa teks.")})
        return fetch_publiccode(repo_url, actor=actor)
    if not isinstance(text, str):
        raise ValidationFailed(_("Isi berkas tidak valid."), {SOURCE_KEY: _("Harus berupa teks.")})
    return text, NO_FILE_ISSUES


def _with_repo(fields: dict[str, Any], warnings: dict[str, str], repo_url: Any) -> None:
    """Read from a repository, the entry points at that repository; a different `url` warns."""
    if not repo_url:
        return
    repo_url = repo_url.strip()
    if fields.get("repo_url") and fields["repo_url"] != repo_url:
        warnings.setdefault(
            "url", _("Berkas menyebut alamat lain (%(v)s); katalog memakai alamat repositori yang Anda isi.",
                     v=fields['repo_url'][:200]))
    fields["repo_url"] = repo_url


def prefill(*, text: Any = None, repo_url: Any = None, actor: User | None) -> Prefill:
    """What the registration form should be filled with. Raises PermissionDenied,
    ValidationFailed (the source itself: no text, unreadable repository)."""
    if actor is None:
        raise PermissionDenied(_("Silakan masuk terlebih dahulu."))
    require(can_create_app(actor, actor.organization), _("Hanya penerbit yang dapat mendaftarkan aplikasi."))
    source, files = _source(text, repo_url, actor)
    reading = read_publiccode(source, files)
    fields, warnings = dict(reading.fields), dict(reading.warnings)
    _with_repo(fields, warnings, repo_url)
    return Prefill(source, reading, fields, warnings)


def import_app(*, text: Any = None, repo_url: Any = None, actor: User | None,
               org_code: str | None = None, slug: Any = None) -> tuple[App, dict[str, str]]:
    """Create a draft from a publiccode.yml; returns it with the warnings per key.

    An invalid file raises ValidationFailed with every error against its key path and
    `extra={"warnings": ..., "draft": slug}` when a draft could still be saved from the keys
    without problems. Raises PermissionDenied, NotFound (organization), Conflict (slug).
    """
    if actor is None:
        raise PermissionDenied(_("Silakan masuk terlebih dahulu."))
    org = organizations.get_by_code(str(org_code)) if org_code else actor.organization
    require(can_create_app(actor, org), _("Hanya penerbit dari organisasi ini yang dapat mendaftarkan aplikasi."))
    source, files = _source(text, repo_url, actor)
    reading = read_publiccode(source, files)
    data, warnings = dict(reading.fields), dict(reading.warnings)
    _with_repo(data, warnings, repo_url)
    if slug:
        data["slug"] = slug
    if reading.errors:
        draft = _try_draft(data, reading, actor, org.code, "repo" if repo_url else "text")
        extra: dict[str, Any] = {"warnings": warnings}
        message = _("Berkas publiccode.yml belum valid; perbaiki kunci yang ditandai.")
        if draft is not None:
            extra["draft"] = draft.slug
            message += _(" Draf '%(slug)s' tetap disimpan dari kunci yang benar.", slug=draft.slug)
        raise ValidationFailed(message, reading.errors, extra)
    try:
        app = apps.create_app(data, actor=actor, org_code=org.code)
    except (ValidationFailed, Conflict) as exc:  # create_app's write() rolled back already
        raise type(exc)(exc.message, to_paths(exc.fields), {"warnings": warnings}) from exc
    _attach(app, reading, actor, "repo" if repo_url else "text")
    return app, warnings


def _try_draft(data: dict[str, Any], reading: Reading, actor: User, org_code: str,
               source: str) -> App | None:
    """Save what the valid keys give as a draft, if the catalog accepts it as one."""
    try:
        app = apps.create_app(data, actor=actor, org_code=org_code)
    except (ValidationFailed, Conflict):
        return None
    _attach(app, reading, actor, source)
    return app


def _attach(app: App, reading: Reading, actor: User, source: str) -> None:
    """Keep the extras and record the import (create_app committed the entry itself)."""
    with write():
        row = db.session.get(App, app.id)
        row.publiccode_extras = dict(reading.extras)
        audit.record(actor, "app.import", "app", row.slug, {
            "source": source, "errors": sorted(reading.errors), "warnings": len(reading.warnings),
            "extras": sorted(reading.extras)})
