"""Forks: a region's own copy of an app, its drift from upstream, and syncing upstream in."""
from __future__ import annotations

import logging
import threading
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from cachetools import LRUCache
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam
from sqlalchemy.orm import joinedload

from ... import vcs
from ...extensions import db
from ...models import App, Fork, Mirror, Organization, User
from ...models.types import MAX_DB_ID, utcnow
from ...vcs.errors import RefChanged, VcsError
from ...vcs.refs import is_full_sha
from .. import audit, repo_paths
from ..accounts import notifications, organizations
from ..catalog import apps
from ..catalog.fields import RESERVED_SLUGS, SLUG_RE
from ..errors import Conflict, NotFound, ValidationFailed, require
from ..permissions import can_fork, can_manage_fork
from ..tx import begin_write, write
from . import listing as fork_listing
from . import refresh as fork_refresh
from . import repo_locks

log = logging.getLogger(__name__)
CREATE_LOCK = "create"  # repo_locks name held while a fork of that relpath is being made


# What a new copy and a sync need of the mirror, as columns: a row that no commit expires
# (on SQLite the write transaction begins with one) and no decoding of the README it holds.
_READY_MIRROR = (db.select(Mirror.relpath, Mirror.head, Mirror.default_branch)
                 .where(Mirror.app_id == bindparam("app_id")))


def _ready_mirror(app_id: int):
    """The mirror's relpath, head and default branch. Raises Conflict until it has a head."""
    mirror = db.session.execute(_READY_MIRROR, {"app_id": app_id}).one_or_none()
    if mirror is None or not mirror.head:  # a refetch in progress still has the last good head
        raise Conflict(_("Repositori induk belum selesai disalin ke katalog. Coba lagi setelah status mirror 'siap'."))
    return mirror


def create_fork(slug: str, *, actor: User, org_code: str | None = None, name: str | None = None) -> Fork:
    """Copy a published app into `<org-slug>/<name>.git`, sharing upstream objects; returns the
    new fork as get_shown_fork reads it.

    Raises NotFound, PermissionDenied, ValidationFailed, Conflict.
    """
    app = apps.get_published(slug)
    org = organizations.get_by_code(org_code) if org_code else actor.organization
    require(can_fork(actor, org),
            _("Hanya adopter dari organisasi tersebut yang dapat menyalin aplikasi ke daerahnya."))
    name = (name or app.slug).strip().lower()
    if not SLUG_RE.match(name) or name in RESERVED_SLUGS:
        raise ValidationFailed(_("Nama repositori tidak valid."),
                               {"name": _("Gunakan huruf kecil, angka dan tanda hubung.")})
    mirror = _ready_mirror(app.id)
    _require_free_name(org, name)
    relpath = repo_paths.fork_relpath(org.slug, name)
    dest = repo_paths.absolute(relpath)
    names = ExitStack()
    try:  # across nodes (PostgreSQL); on one machine the mark's own lock serves
        names.enter_context(repo_locks.held(relpath, CREATE_LOCK))
    except VcsError as exc:
        raise Conflict(_being_made()) from exc
    with names:
        _clear_abandoned(org, name, relpath, dest)
        # The repository is built before the transaction: on SQLite a write transaction holds the
        # one writer's lock, and git's processes inside it made every other write wait (under the
        # working day's load, sign-ins and deployment writes waited out the 15 s busy timeout and
        # answered 500). Until the row commits it carries the unowned mark under our lock, so a
        # kill in between leaves a repository the next create of this name, the sweep
        # (repos/recovery.py) and fsck remove, and a live creation one they leave alone.
        try:
            info, hold = vcs.create_unowned_fork(repo_paths.absolute(mirror.relpath), dest,
                                                 default_branch=mirror.default_branch)
        except VcsError as exc:
            raise Conflict(exc.message) from exc
        except OSError as exc:  # the same name's repository renamed into place by a concurrent request
            if dest.exists():
                raise _name_taken(org, name) from exc
            raise
        try:
            with write():
                _require_free_name(org, name)
                vcs.hooks.write_quota(dest, current_app.config["FORK_QUOTA_BYTES"])  # pre-receive enforces it
                fork = Fork(app_id=app.id, organization_id=org.id, name=name, relpath=relpath,
                            default_branch=info.default_branch, base_commit=info.head, created_by_id=actor.id,
                            merge_base=info.head, upstream_head=mirror.head, fork_head=info.head,
                            computed_at=utcnow())
                db.session.add(fork)
                db.session.flush()
                audit.record(actor, "fork.create", "fork", fork.id, {"app": app.slug, "org": org.code,
                                                                      "repo": relpath, "base_commit": info.head})
                notifications.notify_fork(fork, actor)
                fork_id = fork.id
        except BaseException:
            hold.abandon()  # no repository without its row
            raise
        hold.owned()
    return get_shown_fork(fork_id)  # one statement, where the commit's expired row reloads with its full app


def _clear_abandoned(org, name: str, relpath: str, dest: Path) -> None:
    """Make way at `dest`: a repository a killed creation left there (marked, its maker gone, no
    row) is removed. Raises Conflict for one being made right now or one that is no half-made
    fork (a person judges it: fsck moves it to lost+found)."""
    if not dest.exists():
        return
    hold = vcs.fsutil.claim_unowned(dest)
    if hold is None:
        if vcs.fsutil.is_unowned(dest):
            raise Conflict(_being_made())
        raise Conflict(_("Repositori dengan nama ini masih ada di disk; hubungi admin (fsck)."))
    if fork_row_committed(relpath):  # its maker died after the commit, before dropping the mark
        hold.owned()
        raise _name_taken(org, name)
    log.warning("fork %s: removing a repository whose creation was interrupted before its row", relpath)
    hold.abandon()


def _being_made() -> str:
    return _("Repositori dengan nama ini sedang dibuat oleh permintaan lain. Coba lagi beberapa saat lagi.")


def fork_row_committed(relpath: str) -> bool:
    """Whether a fork row for `relpath` is committed, read on a connection of its own: the
    request's session may hold a snapshot older than the commit of a creation that just ended."""
    with db.engine.connect() as conn:
        return conn.execute(_FORK_ID_BY_RELPATH, {"relpath": relpath}).first() is not None


def _require_free_name(org, name: str) -> None:
    if db.session.execute(db.select(Fork.id).where(Fork.organization_id == org.id, Fork.name == name)).first():
        raise _name_taken(org, name)


def _name_taken(org, name: str) -> Conflict:
    return Conflict(_("%(name)s sudah memiliki repositori '%(name2)s'.", name=org.name, name2=name),
                    {"name": _("Nama sudah dipakai di organisasi ini.")})


def get_fork(fork_id: int) -> Fork:
    fork = db.session.get(Fork, fork_id) if 0 < fork_id <= MAX_DB_ID else None
    if fork is None:
        raise NotFound(_("Repositori salinan tidak ditemukan."))
    return fork


# Built once (with their cache keys) instead of per request: the fork's page, its file diffs
# and its API entry (polled after every push) show its app's name and slug only, and the API
# names its organization's parent. The full app (JSON columns, publisher, platforms) and a lazy
# load of the parent cost two statements more per view.
_SHOWN_FORK = (db.select(Fork).where(Fork.id == bindparam("fork_id"))
               .options(joinedload(Fork.app).load_only(App.slug, App.name).lazyload("*"),
                        joinedload(Fork.organization).joinedload(Organization.parent)))
_FORK_ID_BY_RELPATH = db.select(Fork.id).where(Fork.relpath == bindparam("relpath"))


def get_shown_fork(fork_id: int) -> Fork:
    """The fork as its own page, its diffs and its API entry show it: anything of its app beyond
    the name and slug loads only when read. Raises NotFound."""
    fork = (db.session.execute(_SHOWN_FORK, {"fork_id": fork_id}).scalar_one_or_none()
            if 0 < fork_id <= MAX_DB_ID else None)
    if fork is None:
        raise NotFound(_("Repositori salinan tidak ditemukan."))
    return fork


def get_by_relpath(relpath: str) -> Fork | None:
    return db.session.execute(db.select(Fork).where(Fork.relpath == relpath)).scalar_one_or_none()


def forks_of_app(app_id: int, page: int = 1, per_page: int = 20) -> tuple[list[Fork], int]:
    """One page of an app's forks, oldest first, and how many there are (a shared app may have
    hundreds)."""
    stmt = (db.select(Fork).where(Fork.app_id == app_id).order_by(Fork.created_at, Fork.id)
            .limit(per_page).offset((page - 1) * per_page))
    return list(db.session.execute(stmt).scalars()), fork_listing.fork_count(app_id)


def refresh_divergence(fork_id: int) -> Fork:
    """Recompute and store everything about the fork's drift now (on request, after a sync,
    fsck). Workers refresh many forks through fork_refresh.refresh_batch instead."""
    get_fork(fork_id)
    fork_refresh.refresh_batch([fork_id], force=True, details="now")
    return get_fork(fork_id)


def request_refresh(fork_id: int, *, actor: User) -> Fork:
    fork = get_fork(fork_id)
    require(can_manage_fork(actor, fork.organization_id),
            _("Hanya adopter organisasi pemilik salinan ini yang dapat memperbaruinya."))
    return refresh_divergence(fork_id)


def sync_fork(fork_id: int, *, actor: User) -> tuple[Fork, str]:
    """Bring upstream's new commits in: fast-forward, or a merge built without a worktree.

    Raises PermissionDenied; Conflict with extra={'conflicts': [...]} when files conflict
    (nothing is written then).
    """
    fork = get_fork(fork_id)
    require(can_manage_fork(actor, fork.organization_id),
            _("Hanya adopter organisasi pemilik salinan ini yang dapat menyinkronkan."))
    mirror = _ready_mirror(fork.app_id)
    identity = vcs.Identity(actor.name, f"user-{actor.id}@katalog.invalid")  # no personal e-mail in public history
    try:
        result = vcs.sync_upstream(repo_paths.absolute(fork.relpath), branch=fork.default_branch,
                                   upstream_commit=mirror.head, author=identity)
    except RefChanged as exc:
        raise Conflict(_("Cabang berubah saat sinkronisasi (ada push baru). Coba lagi.")) from exc
    except VcsError as exc:
        raise Conflict(exc.message) from exc
    if result.outcome == "conflict":
        raise Conflict(_("Sinkronisasi dibatalkan: ada berkas yang bentrok. Tidak ada yang diubah."),
                       extra={"conflicts": list(result.conflicts)})
    with write():
        fork = get_fork(fork_id)
        audit.record(actor, "fork.sync", "fork", fork.id, {"outcome": result.outcome, "head": result.new_head,
                                                            "upstream": mirror.head})
    return refresh_divergence(fork_id), result.outcome


def annotate_fork(fork_id: int, note: str, *, actor: User) -> Fork:
    """Why the region changed it ("integrasi SIMPEG daerah", "sesuai Perwako No. 8/2022")."""
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationFailed(_("Catatan terlalu panjang."), {"note": _("Maksimal 2000 karakter.")})
    with write():
        fork = get_fork(fork_id)
        require(can_manage_fork(actor, fork.organization_id),
                _("Hanya adopter organisasi pemilik salinan ini yang dapat menulis catatan."))
        fork.note = note
        audit.record(actor, "fork.annotate", "fork", fork.id, {"length": len(note)})
    return fork


def record_push(relpath: str, user_id: int | None) -> int | None:
    """After an accepted push (the git route calls it once git has finished): audit the push
    and queue the divergence refresh. Returns the fork's id, None for a repository without a fork row."""
    begin_write()  # the git route calls this for a fork it found: no look before the write lock
    fork_id = _fork_id(relpath)  # still there once the write transaction began
    if fork_id is None:
        db.session.rollback()
        return None
    actor = db.session.get(User, user_id) if user_id else None
    audit.record(actor, "fork.push", "fork", fork_id, {"repo": relpath})
    db.session.commit()
    from ...jobs.queue import enqueue
    # counts, details, and the prune that makes what a force push dropped unfetchable (repos/purge.py)
    enqueue("fork.refresh", fork_id=fork_id, relpath=relpath)
    return fork_id


def _fork_id(relpath: str) -> int | None:
    """The id alone: a push's receipt needs no fork row with its app and organization."""
    return db.session.execute(_FORK_ID_BY_RELPATH, {"relpath": relpath}).scalar_one_or_none()


# The files changed between two commits never change: the fork page shows them from memory
# instead of two git processes per view (≈30 ms of its ≈50 at national scale). Per process.
_changes: LRUCache = LRUCache(maxsize=1024)
_kept_lock = threading.Lock()
# So does one file's diff between two commits: four to five git processes per view otherwise.
# Bounded by the text kept (a diff is cut at 512 KiB): 8 MiB per process.
_diffs: LRUCache = LRUCache(maxsize=8 * 1024 * 1024, getsizeof=lambda diff: len(diff.text) + 100)


@dataclass(frozen=True)
class ChangeList:
    """Files the fork changed since its merge base; `error` says why none could be listed."""

    changes: list
    error: str = ""


def fork_overview(fork: Fork) -> tuple[fork_refresh.ForkDetails, ChangeList]:
    """What the fork's own page shows beyond the stored counts, for the stored heads (runs
    git: fine for one fork, never for lists)."""
    details = fork_refresh.fork_details(fork)
    return details, fork_changes(fork, merge_base=details.merge_base)


def fork_changes(fork: Fork, limit: int = 500, *, merge_base: str | None = "") -> ChangeList:
    """Files changed since the merge base (`merge_base` as fork_details computed it; the
    current one by default). When the change is too large to list within the diff limits
    (a "git bomb"), no files and the reason."""
    base = fork_refresh.current_merge_base(fork) if merge_base == "" else merge_base
    if not base or not fork.fork_head:
        return ChangeList([])
    repo = repo_paths.absolute(fork.relpath)
    try:
        return _between_commits(_changes, (str(repo), base, fork.fork_head, limit), lambda: ChangeList(
            vcs.changed_files(repo, base, fork.fork_head, limit=limit, **fork_refresh.diff_limits())))
    except VcsError as exc:
        log.warning("changed files of fork %s failed: %s", fork.id, exc.detail or exc.message)
        return ChangeList([], exc.message)


def fork_file_diff(fork: Fork, path: str):
    """Raises NotFound for a path the fork did not change (or that git refuses)."""
    base = fork_refresh.current_merge_base(fork)
    if not base or not fork.fork_head:
        raise NotFound(_("Belum ada perubahan."))
    repo = repo_paths.absolute(fork.relpath)
    try:
        return _between_commits(_diffs, (str(repo), base, fork.fork_head, path), lambda: vcs.file_diff(
            repo, base, fork.fork_head, path, **fork_refresh.diff_limits()))
    except VcsError as exc:
        raise NotFound(exc.message) from exc


def _between_commits(cache: LRUCache, key: tuple, compute):
    """What git says between two commits (key: repo, base, head, ...), from `cache` when known;
    kept only when both are full commit ids, which name fixed content and so are never stale."""
    with _kept_lock:
        known = cache.get(key)
    if known is not None:
        return known
    found = compute()
    if is_full_sha(key[1]) and is_full_sha(key[2]):
        with _kept_lock:
            cache[key] = found
    return found
