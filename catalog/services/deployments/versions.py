"""Check that a deployed version exists, and measure how far it lags behind upstream."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ... import vcs
from ...extensions import db
from ...models import App, Fork, Mirror, Release
from ...models.types import utcnow
from ...vcs.errors import VcsError
from ...vcs.repos import is_ancestor
from .. import repo_paths
from ..errors import ValidationFailed

log = logging.getLogger(__name__)
MAX_RELEASES_WALKED = 200  # ancestry checks for a commit that is not itself a release
NOT_MIRRORED = _l("Versi belum dapat diperiksa: repositori induk belum tersalin.")


@dataclass(frozen=True)
class VersionTarget:
    """A checked version: its full commit when known, and the repository that holds it."""

    version: str
    commit: str | None
    repo: Path | None


@dataclass(frozen=True)
class Lag:
    releases: int | None
    commits: int | None
    latest_release: str | None
    computed_at: datetime


def _mirror(app_id: int) -> Mirror | None:
    return db.session.execute(db.select(Mirror).where(Mirror.app_id == app_id)).scalar_one_or_none()


def _usable(relpath: str) -> Path | None:
    path = repo_paths.absolute(relpath)
    return path if (path / "HEAD").exists() else None


def _releases(app_id: int) -> list[Release]:
    stmt = db.select(Release).where(Release.app_id == app_id).order_by(Release.date.desc(), Release.id.desc())
    return list(db.session.execute(stmt).scalars())


def _hint(app_id: int) -> str:
    names = [r.name for r in _releases(app_id)[:5]]
    return _(" Rilis yang tercatat: %(v)s.", v=', '.join(names)) if names else ""


def _fork_hint(path: Path) -> str:
    """The fork's newest tags (its own and those it copied from upstream): shown only when a
    version is refused, so git runs on an error and never for a page view."""
    try:
        names = [r.name for r in vcs.list_releases(path, limit=5)]
    except VcsError:
        return ""
    return _(" Tag di salinan ini: %(v)s.", v=', '.join(names)) if names else ""


def _resolve(path: Path, version: str) -> str | None:
    try:
        return vcs.resolve(path, version)
    except VcsError as exc:
        log.warning("resolving %r in %s failed: %s", version, path, exc.detail or exc.message)
        raise ValidationFailed(_("Versi belum dapat diperiksa saat ini; coba lagi sebentar lagi."),
                               {"version": _("Repositori sedang tidak dapat dibaca.")}) from exc


def resolve_version(app: App, fork: Fork | None, version: str) -> VersionTarget:
    """The version must be a tag or commit of the fork (when given) or of the upstream mirror;
    without a mirror yet, a recorded release name is accepted. Raises ValidationFailed."""
    if fork is not None:
        path = _usable(fork.relpath)
        if path is None:
            raise ValidationFailed(_("Repositori salinan tidak ditemukan di server."),
                                   {"fork_id": _("Repositori salinan tidak ditemukan di server; hubungi admin.")})
        sha = _resolve(path, version)
        if sha is None:
            message = _("'%(version)s' bukan tag atau commit di repositori salinan %(name)s.%(v)s",
                        version=version, name=fork.name, v=_fork_hint(path))
            raise ValidationFailed(_("Versi tidak ditemukan."), {"version": message})
        return VersionTarget(version, sha, path)
    mirror = _mirror(app.id)
    path = _usable(mirror.relpath) if mirror is not None and mirror.head else None
    if path is not None:
        sha = _resolve(path, version)
        if sha is None:
            message = _("'%(version)s' bukan tag atau commit di repositori induk %(name)s.%(v)s",
                        version=version, name=app.name, v=_hint(app.id))
            raise ValidationFailed(_("Versi tidak ditemukan."), {"version": message})
        return VersionTarget(version, sha, path)
    release = db.session.execute(
        db.select(Release).where(Release.app_id == app.id, Release.name == version)).scalar_one_or_none()
    if release is not None:
        return VersionTarget(version, release.commit, None)
    raise ValidationFailed(NOT_MIRRORED, {"version": NOT_MIRRORED + _hint(app.id)})


def _releases_behind(releases: list[Release], target: VersionTarget) -> int | None:
    """Releases newer (by date) than the deployed one; for a plain commit, releases it lacks."""
    deployed = next((r for r in releases if r.name == target.version), None) or next(
        (r for r in releases if target.commit and r.commit == target.commit), None)
    if deployed is not None and deployed.date is not None:
        return sum(1 for r in releases if r.date is not None and r.date > deployed.date)
    if not releases:
        return 0
    if target.commit is None or target.repo is None:
        return None
    missing = 0
    for release in releases[:MAX_RELEASES_WALKED]:
        if release.commit != target.commit and not is_ancestor(target.repo, release.commit, target.commit):
            missing += 1
    return missing


def compute_lag(app_id: int, target: VersionTarget) -> Lag:
    """Releases and commits the deployed version lacks. Runs git: call it when the version is
    recorded or upstream refreshes, never for a page view. Unknown parts stay None."""
    releases = _releases(app_id)
    latest = releases[0].name if releases else None
    try:
        behind_releases = _releases_behind(releases, target)
    except VcsError as exc:
        log.warning("release lag of app %s failed: %s", app_id, exc.detail or exc.message)
        behind_releases = None
    commits = None
    mirror = _mirror(app_id)
    if mirror is not None and mirror.head and target.commit and target.repo is not None:
        try:
            commits = vcs.count_commits_between(target.repo, target.commit, mirror.head)
        except VcsError as exc:
            log.warning("commit lag of app %s failed: %s", app_id, exc.detail or exc.message)
    return Lag(behind_releases, commits, latest, utcnow())


def stored_target(app: App, fork: Fork | None, version: str, commit: str | None) -> VersionTarget:
    """The target of an existing deployment: the commit recorded then (tags can move), in
    whichever repository is available now."""
    if fork is not None:
        repo = _usable(fork.relpath)
    else:
        mirror = _mirror(app.id)
        repo = _usable(mirror.relpath) if mirror is not None and mirror.head else None
    if commit and repo is not None:
        return VersionTarget(version, commit, repo)
    try:
        return resolve_version(app, fork, version)
    except ValidationFailed:
        return VersionTarget(version, commit, None)
