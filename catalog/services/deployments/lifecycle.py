"""Deployments: record where an organization runs an app, move it through its lifecycle, confirm it."""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import lazyload, load_only, selectinload

from ...extensions import db
from ...models import App, Deployment, DeploymentEvent, Fork, Organization, User
from ...models.types import MAX_DB_ID, utcnow
from ...vocab import deployments as dv
from .. import audit
from ..accounts import notifications, organizations
from ..catalog import apps
from ..errors import Conflict, NotFound, PermissionDenied, ValidationFailed, require
from ..permissions import can_confirm_deployment, can_record_deployment, can_view_app
from ..repos.protected import protect_after_commit
from ..tx import write
from .fields import clean_deployment_fields
from .versions import Lag, VersionTarget, compute_lag, resolve_version, stored_target

CHECK_FIELDS = _l("Periksa kembali isian yang ditandai.")


def _digest(text: str) -> str | None:
    """Private text goes into the public audit trail only as its hash (tamper-evident, not readable)."""
    return hashlib.sha256(text.encode()).hexdigest() if text else None


def _event(dep: Deployment, actor: User | None, kind: str, *, field: str = "", old: Any = "",
           new: Any = "", note: str = "") -> None:
    db.session.add(DeploymentEvent(deployment_id=dep.id, actor_id=actor.id if actor else None, kind=kind,
                                   field=field, from_value=_as_text(old), to_value=_as_text(new), note=note))


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _published_app(slug: Any, errors: dict[str, str]) -> App | None:
    slug = str(slug or "").strip()
    if not slug:
        errors["app"] = "Wajib diisi: slug aplikasi, misalnya simanja."
        return None
    try:
        return apps.get_published(slug)
    except NotFound:
        errors["app"] = _("Aplikasi '%(v)s' tidak ditemukan atau belum terbit.", v=slug[:64])
        return None


def _own_fork(fork_id: int | None, app: App | None, org: Organization, errors: dict[str, str]) -> Fork | None:
    """A fork of this app owned by this organization; other regions' forks are simply 'not found'."""
    if fork_id is None or app is None:
        return None
    fork = db.session.get(Fork, fork_id)
    if fork is None or fork.organization_id != org.id or fork.app_id != app.id:
        errors["fork_id"] = _("Salinan %(name)s milik %(name2)s dengan nomor itu tidak ditemukan.",
                              name=app.name, name2=org.name)
        return None
    return fork


def _apply_lag(dep: Deployment, target: VersionTarget, lag: Lag) -> None:
    dep.version, dep.version_commit = target.version, target.commit
    dep.lag_releases, dep.lag_commits = lag.releases, lag.commits
    dep.lag_latest_release, dep.lag_computed_at = lag.latest_release, lag.computed_at


def _lapse_confirmation(dep: Deployment, actor: User | None, why: str) -> None:
    """A confirmation covers the status and version it saw; a change makes the record self-declared again."""
    if dep.confirmed_at is not None:
        _event(dep, actor, "confirmation_lapsed", old=dep.confirmed_role, note=why)
        dep.confirmed_by = None  # the relationship, not only its id: a kept-loaded answer shows it gone
        dep.confirmed_role = dep.confirmed_at = None


def create_deployment(data: Mapping[str, Any], *, actor: User | None, app_slug: Any,
                      org_code: str | None = None) -> Deployment:
    """Record a deployment for the actor's organization (admins may name another).

    Raises PermissionDenied, NotFound (unknown organization), ValidationFailed, Conflict.
    """
    if actor is None:
        raise PermissionDenied(_("Silakan masuk terlebih dahulu."))
    org = organizations.get_by_code(str(org_code)) if org_code else actor.organization
    require(can_record_deployment(actor, org), _("Hanya adopter dari organisasi ini yang dapat mencatat pemakaiannya."))
    values, errors = clean_deployment_fields(data, creating=True)
    app = _published_app(app_slug, errors)
    fork = _own_fork(values.get("fork_id"), app, org, errors)
    if errors:
        raise ValidationFailed(CHECK_FIELDS, errors)
    target = resolve_version(app, fork, values["version"])
    lag = compute_lag(app.id, target)
    with write() as op:
        duplicate = db.session.execute(db.select(Deployment.id).where(
            Deployment.organization_id == org.id, Deployment.app_id == app.id,
            Deployment.environment == values["environment"], Deployment.status != "retired")).first()
        if duplicate:
            raise Conflict(_("%(name)s sudah mencatat %(name2)s di lingkungan ini (pemakaian #%(v)s).",
                             name=org.name, name2=app.name, v=duplicate[0]),
                           {"environment": _("Sudah tercatat; ubah status atau versi pemakaian yang ada.")})
        now = utcnow()
        dep = Deployment(app_id=app.id, organization_id=org.id, fork_id=fork.id if fork else None,
                         environment=values["environment"], status=values["status"], hosting=values["hosting"],
                         url=values.get("url", ""), opd_units=values.get("opd_units", []),
                         go_live_on=values.get("go_live_on"), note=values.get("note", ""),
                         created_by_id=actor.id, created_at=now, updated_at=now, status_changed_at=now)
        if dep.status == "production" and dep.go_live_on is None:
            dep.go_live_on = now.date()
        _apply_lag(dep, target, lag)
        db.session.add(dep)
        db.session.flush()
        _event(dep, actor, "created", new=dep.status, note=dep.note)
        audit.record(actor, "deployment.create", "deployment", dep.id, {
            "org": org.code, "app": app.slug, "fork_id": dep.fork_id, "environment": dep.environment,
            "status": dep.status, "version": dep.version, "commit": dep.version_commit, "hosting": dep.hosting,
            "url_sha256": _digest(dep.url), "note_sha256": _digest(dep.note)})
        notifications.notify_deployment(dep, actor)
        protect_after_commit(op, dep.fork_id)  # pushes to the fork must keep this commit
    return dep


# A status change names its app and checks who may see it, nothing more: the app's description,
# JSON columns and platforms are left to load on access.
_APP_BY_NAME = selectinload(Deployment.app).options(
    load_only(App.id, App.slug, App.name, App.state, App.publisher_id), lazyload(App.platform_rows))


def get_deployment(deployment_id: int, actor: User | None = None, *, app_by_name: bool = False) -> Deployment:
    """Raises NotFound (also when the app itself is hidden from the actor). `app_by_name`: the
    app is loaded with the columns that name it and decide who sees it."""
    options = [_APP_BY_NAME] if app_by_name else []
    dep = db.session.get(Deployment, deployment_id, options=options) if 0 < deployment_id <= MAX_DB_ID else None
    if dep is None or not can_view_app(actor, dep.app):
        raise NotFound(_("Data pemakaian tidak ditemukan."))
    return dep


def get_changeable(deployment_id: int, actor: User | None, *, app_by_name: bool = False) -> Deployment:
    """A deployment the actor may change. Raises NotFound, PermissionDenied."""
    dep = get_deployment(deployment_id, actor, app_by_name=app_by_name)
    require(can_record_deployment(actor, dep.organization),
            _("Hanya adopter dari organisasi pemakai yang dapat mengubah data pemakaian ini."))
    return dep


def change_status(deployment_id: int, status: Any, *, actor: User | None, note: Any = "",
                  expected: str | None = None) -> Deployment:
    """Move along the lifecycle. `expected`: the status the person saw (a form in an old tab);
    a deployment that moved since is not moved again on that basis.
    Raises NotFound, PermissionDenied, ValidationFailed, Conflict (forbidden or stale move)."""
    status, note = str(status or "").strip(), str(note or "").strip()
    dep = get_changeable(deployment_id, actor, app_by_name=True)  # loaded and checked before the write lock
    # The answer shows the row as written, without reloading it; the row alone is read again,
    # inside the block, so the move is checked against its status as it is now.
    with write(keep_loaded=True, reread=(dep,)) as op:
        if expected and expected != dep.status:
            raise Conflict(_("Status pemakaian ini sudah berubah menjadi '%(v)s' (di tab atau perangkat lain) "
                             "sejak halaman ini dibuka. Periksa lagi, lalu ubah bila masih perlu.",
                             v=_(dv.status_label(dep.status))), {"status": _("Status sudah berubah.")})
        if status not in dv.STATUSES:
            raise ValidationFailed(_("Status tidak dikenal."),
                                   {"status": _("Pilih salah satu: %(v)s.",
                                                v=', '.join(_(dv.status_label(s)) for s in dv.STATUSES))})
        if len(note) > 2000:
            raise ValidationFailed(CHECK_FIELDS, {"note": _("Catatan maksimal 2000 karakter.")})
        if status == dep.status:
            raise Conflict(_("Pemakaian ini sudah berstatus '%(v)s'.", v=_(dv.status_label(status))))
        if not dep.can_move_to(status):
            allowed = (", ".join(f"'{_(dv.status_label(s))}'" for s in dv.next_statuses(dep.status))
                       or _("tidak ada (status akhir)"))
            raise Conflict(_("Status '%(v)s' tidak dapat diubah menjadi '%(v2)s'. Pilihan berikutnya: %(allowed)s.",
                             v=_(dv.status_label(dep.status)), v2=_(dv.status_label(status)), allowed=allowed),
                           {"status": _("Perpindahan status tidak diizinkan.")})
        old, now = dep.status, utcnow()
        dep.status, dep.status_changed_at, dep.updated_at = status, now, now
        if status == "production" and dep.go_live_on is None:
            dep.go_live_on = now.date()
        _event(dep, actor, "status", field="status", old=old, new=status, note=note)
        protect_after_commit(op, dep.fork_id)  # a retired deployment releases its commit
        _lapse_confirmation(dep, actor, _("Status berubah setelah dikonfirmasi."))
        audit.record(actor, "deployment.status", "deployment", dep.id,
                     {"from": old, "to": status, "note_sha256": _digest(note)})
    return dep


def update_deployment(deployment_id: int, changes: Mapping[str, Any], *, actor: User | None) -> Deployment:
    """Change version, source fork or details; each changed field becomes an event.

    Raises NotFound, PermissionDenied, ValidationFailed, Conflict.
    """
    dep = get_changeable(deployment_id, actor)
    values, errors = clean_deployment_fields(changes, creating=False)
    fork = dep.fork
    if "fork_id" in values and values["fork_id"] != dep.fork_id:
        fork = _own_fork(values["fork_id"], dep.app, dep.organization, errors)
    if errors:
        raise ValidationFailed(CHECK_FIELDS, errors)
    version = values.get("version", dep.version)
    source_changed = version != dep.version or (fork.id if fork else None) != dep.fork_id
    target = resolve_version(dep.app, fork, version) if source_changed else None
    lag = compute_lag(dep.app_id, target) if target else None
    with write() as op:
        dep = get_changeable(deployment_id, actor)
        old_fork_id = dep.fork_id  # a deployment moved to another fork releases its commit in the old one
        changed = [k for k, v in values.items() if k != "version" and getattr(dep, k) != v]
        if dep.environment != values.get("environment", dep.environment) and db.session.execute(
                db.select(Deployment.id).where(
                    Deployment.organization_id == dep.organization_id, Deployment.app_id == dep.app_id,
                    Deployment.environment == values["environment"], Deployment.status != "retired",
                    Deployment.id != dep.id)).first():
            raise Conflict(_("Lingkungan itu sudah tercatat untuk aplikasi ini."),
                           {"environment": _("Sudah tercatat.")})
        for key in changed:  # the note's text lives on the row; its event only says it changed
            _event(dep, actor, "changed", field=key, old="" if key == "note" else getattr(dep, key),
                   new="" if key == "note" else values[key])
            setattr(dep, key, values[key])
        if target is not None:
            protect_after_commit(op, old_fork_id, dep.fork_id)
            if target.version != dep.version:
                _event(dep, actor, "version", field="version", old=dep.version, new=target.version)
                changed.append("version")
            _apply_lag(dep, target, lag)
            _lapse_confirmation(dep, actor, _("Versi atau sumber berubah setelah dikonfirmasi."))
        if changed:
            dep.updated_at = utcnow()
            audit.record(actor, "deployment.update", "deployment", dep.id, {
                "fields": sorted(changed), "version": dep.version, "commit": dep.version_commit,
                "fork_id": dep.fork_id, "url_sha256": _digest(dep.url), "note_sha256": _digest(dep.note)})
    return dep


def confirm_deployment(deployment_id: int, *, actor: User | None, note: Any = "") -> Deployment:
    """The app's publisher or an auditor in scope vouches for the current status and version.

    Already confirmed: returned unchanged. Raises NotFound, PermissionDenied.
    """
    note = str(note or "").strip()[:2000]
    with write():
        dep = get_deployment(deployment_id, actor)
        require(can_confirm_deployment(actor, dep),
                _("Hanya penerbit aplikasi atau auditor wilayah ini yang dapat mengonfirmasi pemakaian."))
        if dep.confirmed_at is not None:
            return dep  # nothing written: the commit only ends the transaction
        role = actor.role
        dep.confirmed_by_id, dep.confirmed_role, dep.confirmed_at = actor.id, role, utcnow()
        _event(dep, actor, "confirmed", new=role, note=note)
        audit.record(actor, "deployment.confirm", "deployment", dep.id,
                     {"role": role, "status": dep.status, "version": dep.version, "note_sha256": _digest(note)})
    return dep


HISTORY_SHOWN = 100  # a deployment moved every day for years must not make each answer longer


@dataclass(frozen=True)
class History:
    events: list[DeploymentEvent]  # oldest first: the newest HISTORY_SHOWN changes
    complete: bool                 # False: older changes exist beyond these


def history(dep: Deployment, limit: int | None = None) -> History:
    """The deployment's latest changes (HISTORY_SHOWN), for its page and the API's answers."""
    limit = HISTORY_SHOWN if limit is None else limit
    stmt = (db.select(DeploymentEvent).where(DeploymentEvent.deployment_id == dep.id)
            .order_by(DeploymentEvent.at.desc(), DeploymentEvent.id.desc()).limit(limit + 1))
    newest = list(db.session.execute(stmt).scalars())
    return History(newest[:limit][::-1], len(newest) <= limit)


def refresh_lag(deployment_id: int) -> Deployment:
    """Recompute the stored version lag (after an upstream fetch). Raises NotFound."""
    dep = db.session.get(Deployment, deployment_id) if 0 < deployment_id <= MAX_DB_ID else None
    if dep is None:
        raise NotFound(_("Data pemakaian tidak ditemukan."))
    target = stored_target(dep.app, dep.fork, dep.version, dep.version_commit)
    lag = compute_lag(dep.app_id, target)
    with write() as op:
        dep = db.session.get(Deployment, deployment_id)
        old_commit = dep.version_commit
        _apply_lag(dep, VersionTarget(dep.version, target.commit or dep.version_commit, target.repo), lag)
        if dep.version_commit != old_commit:
            protect_after_commit(op, dep.fork_id)
    return dep


def refresh_app_lag(app_id: int) -> int:
    """Refresh every deployment of an app that is not retired; the mirror job calls this."""
    stmt = db.select(Deployment.id).where(Deployment.app_id == app_id, Deployment.status != "retired")
    ids = list(db.session.execute(stmt).scalars())
    db.session.rollback()
    for dep_id in ids:
        refresh_lag(dep_id)
    return len(ids)


def active_count(app_id: int) -> int:
    """Deployments of an app that are not retired (the app's `deployments_count`)."""
    stmt = db.select(db.func.count()).where(Deployment.app_id == app_id, Deployment.status != "retired")
    return db.session.execute(stmt).scalar_one()
