"""Delete what no branch or tag reaches, so that a secret pushed and then force-pushed away
stops being fetchable (git's protocol v2 serves any object a repository stores).

- After every accepted push to a fork, the push job (`fork.refresh`, then `prune_after_push`) checks whether
  the push dropped commits (cheap: the ref tips of the last prune and the reflogs against the
  refs now) and, if so, deletes every unreachable object older than `REPO_PRUNE_GRACE` seconds
  (default 300: a concurrent push writes its objects before it moves its ref). Younger ones are
  noted, and the periodic `repo.prune_sweep` deletes them once the grace has passed.
- A platform admin can purge a fork or an app's mirror at once for a leaked secret
  (`request_purge`: audited, then the `repo.purge` job with `REPO_PURGE_GRACE`, default 60 s).

What must stay is kept: commits that non-retired deployments run (the protected list and the
rows), and for a mirror every object its forks still borrow through their alternates.
"""
from __future__ import annotations

import logging
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from ... import vcs
from ...extensions import db
from ...models import Deployment, Fork, Mirror, User
from ...vcs import prune as vcs_prune
from ...vcs.errors import VcsError
from ...vocab.deployments import DeploymentStatus
from .. import audit, repo_paths
from ..errors import NotFound, require
from ..permissions import is_admin
from ..tx import write
from . import protected, repo_locks

log = logging.getLogger(__name__)
DEFAULT_PRUNE_GRACE = 300
DEFAULT_PURGE_GRACE = 60
KINDS = ("fork", "mirror")


def _grace(key: str, default: int) -> int:
    return int(current_app.config.get(key, default))


def _fork_keep(fork_id: int, path: Path) -> list[str]:
    """Deployed commits: from the rows (committed) and the protected file the pre-receive hook reads."""
    return sorted({*protected.deployed_commits(fork_id), *vcs.read_protected_commits(path)})


def _mirror_keep(mirror: Mirror, path: Path) -> list[str]:
    """Commits that upstream deployments run, and every object a fork of the app borrows."""
    stmt = db.select(Deployment.version_commit).where(
        Deployment.app_id == mirror.app_id, Deployment.fork_id.is_(None),
        Deployment.status != DeploymentStatus.RETIRED.value, Deployment.version_commit.is_not(None))
    keep = {c.strip().lower() for c in db.session.execute(stmt).scalars()}
    forks = db.session.execute(db.select(Fork.id, Fork.relpath).where(Fork.app_id == mirror.app_id)).all()
    for fork_id, relpath in forks:
        fork_path = repo_paths.absolute(relpath)
        if (fork_path / "HEAD").exists():
            borrowed = vcs_prune.borrowed_objects(fork_path, path, extra_tips=_fork_keep(fork_id, fork_path))
            keep.update(vcs_prune.present(path, borrowed))
    return sorted(keep)


def _prune(relpath: str, *, grace: int, force: bool, retry_pending: bool = True) -> vcs_prune.PruneResult | None:
    path = repo_paths.absolute(relpath)
    if not (path / "HEAD").exists():
        return None
    fork_id = db.session.execute(db.select(Fork.id).where(Fork.relpath == relpath)).scalar_one_or_none()
    if fork_id is not None:
        with repo_locks.held(relpath, repo_locks.PRUNE):  # across nodes, beside vcs's file locks
            return vcs_prune.prune(path, grace=grace, force=force, keep=_fork_keep(fork_id, path),
                                   retry_pending=retry_pending)
    mirror = db.session.execute(db.select(Mirror).where(Mirror.relpath == relpath)).scalar_one_or_none()
    if mirror is None:
        return None
    with repo_locks.held(relpath, repo_locks.PRUNE, repo_locks.FETCH):
        return vcs_prune.prune(path, grace=grace, force=force, mirror=True, keep=_mirror_keep(mirror, path),
                               retry_pending=retry_pending)


def prune_after_push(relpath: str, *, retry_pending: bool = False) -> vcs_prune.PruneResult | None:
    """The job after a push: prune when the push dropped commits. Another prune (or a mirror
    fetch) still running: the repository is marked pending and the sweep takes it up, with
    `retry_pending` (what an earlier prune kept for the grace is tried again then, not at every push)."""
    try:
        result = _prune(relpath, grace=_grace("REPO_PRUNE_GRACE", DEFAULT_PRUNE_GRACE), force=False,
                        retry_pending=retry_pending)
    except VcsError as exc:
        log.warning("prune of %s postponed: %s", relpath, exc.detail or exc.message)
        path = repo_paths.absolute(relpath)
        if (path / "HEAD").exists():
            vcs_prune.mark_pending(path)
        return None
    if result is not None and result.ran:
        log.info("pruned %s: %d dropped tips, %d objects -> %d, %d kept for the grace", relpath,
                 len(result.dropped), result.objects_before, result.objects_after, len(result.remaining))
    return result


def pending_relpaths() -> list[str]:
    """Repositories whose last prune kept dropped objects for the grace (or was postponed)."""
    root = repo_paths.repos_root()
    found = []
    for marker in root.glob(f"*/*.git/{vcs_prune.PENDING_FILE}"):
        found.append(marker.parent.relative_to(root).as_posix())
    return sorted(found)


def sweep_pending() -> int:
    """The periodic job: prune every pending repository again; returns how many ran."""
    ran = 0
    for relpath in pending_relpaths():
        result = prune_after_push(relpath, retry_pending=True)
        ran += bool(result and result.ran)
    return ran


def _target(kind: str, ident: int | str) -> tuple[str, str, int]:
    """(relpath, audit object type, id) of a fork (by id) or an app's mirror (by app slug)."""
    if kind == "fork":
        fork = db.session.get(Fork, int(ident))
        if fork is None:
            raise NotFound(_("Repositori salinan tidak ditemukan."))
        return fork.relpath, "fork", fork.id
    if kind == "mirror":
        from ...models import App
        app = db.session.execute(db.select(App).where(App.slug == str(ident))).scalar_one_or_none()
        mirror = db.session.execute(db.select(Mirror).where(Mirror.app_id == app.id)).scalar_one_or_none() \
            if app is not None else None
        if mirror is None:
            raise NotFound(_("Mirror aplikasi ini tidak ditemukan."))
        return mirror.relpath, "app", app.id
    raise NotFound(_("Halaman tidak ditemukan."))


def purge_target(kind: str, ident: int | str, *, actor: User | None) -> tuple[str, str, int]:
    """What a purge would act on (for the confirmation page). Admins only."""
    require(is_admin(actor), _("Hanya admin platform yang dapat membersihkan repositori."))
    return _target(kind, ident)


def request_purge(kind: str, ident: int | str, *, actor: User, reason: str = "") -> str:
    """An admin deletes now every object of a fork or mirror that no branch or tag reaches (a
    leaked secret that was force-pushed away), except deployed commits and what forks borrow.
    Records `repo.purge` in the audit trail, then queues the `repo.purge` job. Returns the relpath.
    Raises PermissionDenied (not a platform admin), NotFound."""
    require(is_admin(actor), _("Hanya admin platform yang dapat membersihkan repositori."))
    reason = (reason or "").strip()[:500]
    with write():
        relpath, object_type, object_id = _target(kind, ident)
        audit.record(actor, "repo.purge", object_type, object_id,
                     {"repo": relpath, "kind": kind, "reason_length": len(reason)})
        from ...jobs.queue import enqueue
        enqueue("repo.purge", relpath=relpath, actor_id=actor.id)
    return relpath


def run_purge(relpath: str, actor_id: int | None = None) -> vcs_prune.PruneResult | None:
    """The `repo.purge` job: prune now (the short purge grace), whatever the tips say; the
    outcome goes into the audit trail as `repo.purged`."""
    result = _prune(relpath, grace=_grace("REPO_PURGE_GRACE", DEFAULT_PURGE_GRACE), force=True)
    if result is None:
        return None
    fork = db.session.execute(db.select(Fork.id).where(Fork.relpath == relpath)).scalar_one_or_none()
    with write():
        actor = db.session.get(User, actor_id) if actor_id else None
        if fork is not None:
            object_type, object_id = "fork", fork
        else:
            object_type = "app"
            object_id = db.session.execute(db.select(Mirror.app_id).where(Mirror.relpath == relpath)).scalar_one()
        audit.record(actor, "repo.purged", object_type, object_id,
                     {"repo": relpath, "objects_before": result.objects_before,
                      "objects_after": result.objects_after, "kept_for_grace": len(result.remaining)})
    return result
