"""Upstream mirrors: queue a fetch, run it in the worker, record progress, releases and files."""
from __future__ import annotations

import logging
import os
import socket
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from blinker import Namespace
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam

from ... import vcs
from ...extensions import db
from ...jobs.queue import enqueue
from ...models import App, AppState, Fork, Mirror, MirrorState, Release, User
from ...models.types import utcnow
from ...vcs.errors import VcsError
from .. import audit, repo_paths
from ..accounts import notifications
from ..catalog.apps import get_app
from ..catalog.mirror_requests import ensure_mirror, queue_fetch
from ..errors import Conflict, ValidationFailed, require
from ..permissions import can_archive_app
from ..tx import write
from . import repo_locks

log = logging.getLogger(__name__)
MAX_FILE = 256 * 1024
INCOMING_DIR = ".incoming"  # under REPOS_DIR: uploads waiting for their import job
PROGRESS_EVERY = 1.0  # seconds between progress writes
# Sent inside a fetch's transaction when upstream's publiccode.yml changed (sender: the app id).
# interop's harvest listens, so that repositories need not import the areas above them.
publiccode_changed = Namespace().signal("publiccode-changed")


def request_refresh(slug: str, *, actor: User) -> App:
    """Publisher of the app or an admin asks for a fetch now. Raises NotFound, PermissionDenied."""
    with write():
        app = get_app(slug, actor)
        require(can_archive_app(actor, app), _("Hanya penerbit aplikasi ini atau admin yang dapat memperbarui mirror."))
        if app.state != AppState.PUBLISHED.value:
            raise Conflict(_("Mirror hanya dibuat untuk aplikasi yang sudah terbit."))
        ensure_mirror(app)
        audit.record(actor, "mirror.request", "app", app.slug, {})
    queue_fetch(app.id)
    return app


def _progress_writer(mirror_id: int):
    """Progress goes to the row in short transactions of its own, at most once a second."""
    last = [0.0]

    def record(percent: int, text: str) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY and percent < 100:
            return
        last[0] = now
        with write():
            db.session.execute(db.update(Mirror).where(Mirror.id == mirror_id)
                               .values(progress=int(percent), progress_text=text[:200]))
    return record


def _start(app_id: int) -> Mirror | None:
    with write():
        mirror = db.session.execute(db.select(Mirror).where(Mirror.app_id == app_id)).scalar_one_or_none()
        if mirror is None:
            return None  # nothing written: the commit only ends the transaction
        mirror.state, mirror.progress, mirror.error = MirrorState.FETCHING.value, 0, ""
    return mirror


def _fail(mirror_id: int, message: str) -> None:
    db.session.rollback()
    with write():
        mirror = db.session.get(Mirror, mirror_id)
        mirror.state, mirror.error = MirrorState.FAILED.value, message
        audit.record(None, "mirror.fail", "app", mirror.app.slug, {"error": message})


def run_fetch(app_id: int) -> str:
    """Worker job: clone or fetch the upstream; returns the final state."""
    mirror = _start(app_id)
    if mirror is None:
        return "missing"
    mirror_id, relpath, url = mirror.id, mirror.relpath, mirror.app.repo_url
    path = repo_paths.absolute(relpath)
    if mirror.app.hosted_upstream:  # nothing to fetch: the pushed repository is the upstream (issue 20)
        return _read_hosted(mirror_id, path, had_head=mirror.head is not None)
    cfg = current_app.config
    # Local folders and loopback only for the exact address an admin registered (issue 13, finding 7).
    allow_local = bool(cfg["ALLOW_LOCAL_REPOS"]) and url == mirror.app.local_repo_url
    try:
        remote = vcs.check_remote_url(url, allow_local=allow_local,
                                      resolver=cfg.get("DNS_RESOLVER") or socket.getaddrinfo)
        action = vcs.fetch_mirror if (path / "HEAD").exists() else vcs.create_mirror
        path.parent.mkdir(parents=True, exist_ok=True)
        with repo_locks.held(relpath, repo_locks.FETCH):  # across nodes, beside vcs's file lock
            info = action(path, remote, timeout=cfg["MIRROR_TIMEOUT"], max_bytes=cfg["MIRROR_MAX_BYTES"],
                          progress=_progress_writer(mirror_id))
    except VcsError as exc:
        log.warning("mirror of app %s failed: %s", app_id, exc.detail or exc.message)
        _fail(mirror_id, exc.message)
        return MirrorState.FAILED.value
    _record_success(mirror_id, path, info)
    return MirrorState.READY.value


def _read_hosted(mirror_id: int, path: Path, *, had_head: bool) -> str:
    """A hosted upstream after a push (or on publishing, created empty): record its head,
    releases and files as a fetch would, so forks, deployments and contributions follow.
    A repository that held commits and is gone is never silently recreated empty."""
    if had_head and not (path / "HEAD").exists():
        _fail(mirror_id, _("Repositori induk di katalog hilang dari disk; pulihkan dari cadangan."))
        return MirrorState.FAILED.value
    try:
        info = vcs.hosted.ensure_hosted_repo(path)
    except VcsError as exc:
        _fail(mirror_id, exc.message)
        return MirrorState.FAILED.value
    _record_success(mirror_id, path, info)
    return MirrorState.READY.value


def run_bundle_import(app_id: int, bundle_name: str | None = None, bundle_path: str | None = None) -> str:
    """Worker job: build the mirror from an uploaded git bundle (offices with slow links)."""
    bundle = _staged_bundle(bundle_name, bundle_path)
    mirror = _start(app_id)
    try:
        if mirror is None:
            return "missing"
        if bundle is None or not bundle.is_file():
            log.warning("bundle import for app %s: upload %r not found", app_id, bundle_name or bundle_path)
            _fail(mirror.id, _("Berkas bundel yang diunggah tidak ditemukan; unggah lagi."))
            return MirrorState.FAILED.value
        mirror_id, relpath = mirror.id, mirror.relpath
        path = repo_paths.absolute(relpath)
        if (path / "HEAD").exists():
            _fail(mirror_id, _("Mirror sudah ada; impor bundel hanya untuk mirror baru."))
            return MirrorState.FAILED.value
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with repo_locks.held(relpath, repo_locks.FETCH):
                info = vcs.import_bundle(path, bundle, max_bytes=current_app.config["MIRROR_MAX_BYTES"],
                                         progress=_progress_writer(mirror_id))
        except VcsError as exc:  # refused by an object check: nothing was moved into place
            log.warning("bundle import for app %s failed: %s", app_id, exc.detail or exc.message)
            _fail(mirror_id, exc.message)
            return MirrorState.FAILED.value
        _record_success(mirror_id, path, info)
        return MirrorState.READY.value
    finally:
        if bundle is not None:
            bundle.unlink(missing_ok=True)


def _read_text(path: Path, names: tuple[str, ...]) -> str:
    for name in names:
        blob = vcs.read_blob(path, "HEAD", name, max_bytes=MAX_FILE)
        if blob is not None:
            return blob.decode("utf-8", errors="replace")
    return ""


def _record_success(mirror_id: int, path: Path, info) -> None:
    releases = vcs.list_releases(path) if info.head else []
    readme = _read_text(path, ("README.md", "README", "readme.md", "README.txt")) if info.head else ""
    publiccode = _read_text(path, ("publiccode.yml", "publiccode.yaml")) if info.head else ""
    size = vcs.fsutil.dir_size(path)
    known = db.session.get(Mirror, mirror_id)  # diffs for the notifications run before the write lock
    known_head = known.head
    touched = notifications.upstream_touches(known.app_id, path, known_head, info.head)
    with write():
        mirror = db.session.get(Mirror, mirror_id)
        previous_head = mirror.head
        publiccode_changed.send(mirror.app_id, old_text=mirror.publiccode_yml, new_text=publiccode, head=info.head)
        mirror.state, mirror.progress, mirror.progress_text = MirrorState.READY.value, 100, ""
        mirror.head, mirror.default_branch, mirror.size_bytes = info.head, info.default_branch, size
        mirror.readme, mirror.publiccode_yml, mirror.fetched_at, mirror.error = readme, publiccode, utcnow(), ""
        new_tags = _sync_releases(mirror.app_id, releases)
        notifications.notify_upstream_change(mirror.app_id, previous_head=previous_head, new_head=info.head,
                                             new_releases=new_tags, mirror_path=path,
                                             touched=touched if previous_head == known_head else {})
        audit.record(None, "mirror.fetch", "app", mirror.app.slug,
                     {"head": info.head, "previous_head": previous_head, "new_releases": new_tags})
        has_forks = db.session.execute(
            db.select(Fork.id).where(Fork.app_id == mirror.app_id).limit(1)).first() is not None
        app_id = mirror.app_id
    enqueue("vitality.compute", app_id=app_id)  # new history, or a day older: docs/vitality.md
    if previous_head != info.head:
        enqueue("deployment.refresh_lag", app_id=app_id)  # "tertinggal N rilis", once per fetch
        if has_forks:
            enqueue("fork.refresh_app", app_id=app_id)  # one batch, one transaction


def _sync_releases(app_id: int, releases) -> list[str]:
    """Tags become releases; returns the names that are new."""
    existing = {r.name: r for r in db.session.execute(db.select(Release).where(Release.app_id == app_id)).scalars()}
    seen, new = set(), []
    for rel in releases:
        seen.add(rel.name)
        row = existing.get(rel.name)
        if row is None:
            db.session.add(Release(app_id=app_id, name=rel.name, commit=rel.commit, date=rel.date,
                                   message=rel.message[:2000]))
            new.append(rel.name)
        elif row.commit != rel.commit:
            row.commit, row.date, row.message = rel.commit, rel.date, rel.message[:2000]
    for name, row in existing.items():
        if name not in seen:
            db.session.delete(row)
    return new


def queue_due_refreshes() -> int:
    """Periodic: fetch mirrors older than MIRROR_REFRESH_HOURS; retry queued ones and fetches
    whose worker died (still 'fetching' long after the time limit)."""
    now = utcnow()
    cutoff = now - timedelta(hours=current_app.config["MIRROR_REFRESH_HOURS"])
    stalled = now - timedelta(seconds=current_app.config["MIRROR_TIMEOUT"] * 1.5)
    stmt = db.select(Mirror.app_id).join(App, App.id == Mirror.app_id).where(
        App.state == AppState.PUBLISHED.value,
        db.or_(Mirror.state == MirrorState.QUEUED.value,
               db.and_(Mirror.state == MirrorState.FETCHING.value, Mirror.queued_at < stalled),
               db.and_(Mirror.state.in_((MirrorState.READY.value, MirrorState.FAILED.value)),
                       db.or_(Mirror.fetched_at.is_(None), Mirror.fetched_at < cutoff))))
    app_ids = list(db.session.execute(stmt).scalars())
    db.session.rollback()
    for app_id in app_ids:
        queue_fetch(app_id)
    return len(app_ids)


def latest_release(app_id: int) -> Release | None:
    stmt = db.select(Release).where(Release.app_id == app_id).order_by(Release.date.desc(), Release.id.desc()).limit(1)
    return db.session.execute(stmt).scalar_one_or_none()


def releases(app_id: int, limit: int = 20) -> list[Release]:
    stmt = (db.select(Release).where(Release.app_id == app_id)
            .order_by(Release.date.desc(), Release.id.desc()).limit(limit))
    return list(db.session.execute(stmt).scalars())


def get_mirror_by_slug(slug: str) -> Mirror | None:
    stmt = db.select(Mirror).join(App, App.id == Mirror.app_id).where(App.slug == slug)
    return db.session.execute(stmt).scalar_one_or_none()


# Built once (with its cache key): the app's page, its adoption guide and its API entry read it.
_MIRROR_OF_APP = db.select(Mirror).where(Mirror.app_id == bindparam("app_id"))


def get_mirror(app: App) -> Mirror | None:
    return db.session.execute(_MIRROR_OF_APP, {"app_id": app.id}).scalar_one_or_none()


def require_bundle_upload(slug: str, *, actor: User) -> App:
    """May `actor` upload a bundle for this app now? Asked before a byte of the upload is read.
    Raises NotFound, PermissionDenied, Conflict (not published, or the mirror already exists)."""
    app = get_app(slug, actor)
    require(can_archive_app(actor, app), _("Hanya penerbit aplikasi ini atau admin yang dapat mengunggah bundel."))
    if app.state != AppState.PUBLISHED.value:
        raise Conflict(_("Bundel hanya dapat diimpor untuk aplikasi yang sudah terbit."))
    mirror = get_mirror(app)
    if mirror is not None and mirror.head:
        raise Conflict(_("Mirror sudah ada; impor bundel hanya untuk mirror baru."))
    return app


def incoming_dir() -> Path:
    """Where uploaded bundles wait for the import job: beside the repositories, on the storage
    every node mounts, so the worker that takes the job (on any machine) can read the file."""
    return repo_paths.repos_root() / INCOMING_DIR


def new_upload_path(slug: str) -> Path:
    """An empty file in `incoming_dir()` for an upload to be streamed into; `flask catalog
    fsck --repair` removes one that was never imported (a crash, a dropped connection)."""
    incoming = incoming_dir()
    incoming.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f"{slug}-{int(time.time() * 1000)}-", suffix=".bundle", dir=incoming)
    os.close(fd)
    return Path(name)


def _staged_bundle(bundle_name: str | None, bundle_path: str | None) -> Path | None:
    """The upload a job names: by file name inside `incoming_dir()` (the mount point may differ
    between nodes), or by the absolute path jobs queued by earlier releases carry, which must lie
    in an incoming folder. None for anything else."""
    if bundle_name:
        if "/" in bundle_name or bundle_name.startswith(".") or not bundle_name.endswith(".bundle"):
            return None
        return incoming_dir() / bundle_name
    if bundle_path:
        path = Path(bundle_path)
        legacy = Path(current_app.config["DATA_DIR"]) / "incoming"
        if path.suffix == ".bundle" and path.parent in (incoming_dir(), legacy):
            return path
    return None


def stage_bundle(slug: str, bundle: Path | None, *, actor: User) -> App:
    """Queue the import of an uploaded bundle already saved at `bundle` (by the web layer,
    streamed in chunks; None when no file was chosen). Checks the header now (complete, has a
    branch: a quick read, never the pack); the import job then runs every object check a fetch
    runs before the mirror moves into place (vcs.import_bundle). The file is removed on refusal.
    Raises NotFound, PermissionDenied, Conflict, ValidationFailed."""
    try:
        require_bundle_upload(slug, actor=actor)
        if bundle is None:
            raise ValidationFailed(_("Pilih berkas bundel git (.bundle) terlebih dahulu."),
                                   {"bundle": _("Pilih berkas .bundle.")})
        size = bundle.stat().st_size
        if size == 0:
            raise ValidationFailed(_("Berkas bundel kosong."), {"bundle": _("Pilih berkas bundel git (.bundle).")})
        try:
            vcs.mirror.verify_bundle(bundle)
        except VcsError as exc:
            log.info("bundle upload for %s refused: %s", slug, exc.detail or exc.message)
            raise ValidationFailed(_(exc.message), {"bundle": _(exc.message)}) from None
    except BaseException:
        if bundle is not None:
            bundle.unlink(missing_ok=True)
        raise
    with write():
        app = get_app(slug, actor)
        ensure_mirror(app)
        audit.record(actor, "mirror.bundle", "app", app.slug, {"bytes": size})
    enqueue("mirror.import_bundle", app_id=app.id, bundle_name=bundle.name)
    return app
