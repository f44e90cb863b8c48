"""What a killed process leaves among the repositories, healed by the worker without a person.

Two states a SIGKILL (a node dying under load) leaves behind:

- a fork whose creation was killed after git renamed its repository into place and before its
  row committed. create_fork builds it carrying the unowned mark under the creator's lock
  (vcs/fsutil.py): a mark whose lock anyone can take belongs to a dead creator, and the rows
  then say whether it is kept (a row committed: the mark goes) or removed (none did). A mark
  still locked is a creation in progress, on this node or (PostgreSQL's advisory lock) another:
  never touched.
- a push whose ref moved without its refresh: the web process killed after git updated the ref
  and before it recorded the push, or the job lost with the worker that had taken it (the queue
  hands a job over once and has no lease: a job a dead worker held is gone). The stored
  divergence then describes an older head. The sweep reads every fork's branch ref from its
  file (no git process; a fork never pushed has no loose ref and costs one failed open) and
  queues the push job again where the ref moved after the stored numbers.

The worker runs `recover()` every two minutes and once at its start (a node restarted after a
crash heals at once); fsck --repair calls the same functions.
"""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from ... import vcs
from ...extensions import db
from ...jobs.queue import enqueue
from ...models import Fork
from ...vcs.errors import VcsError
from ...vcs.fsutil import STAGING_MARK, UNOWNED_MARK
from .. import repo_paths
from . import repo_locks
from .forks import CREATE_LOCK, fork_row_committed

log = logging.getLogger(__name__)
PUSH_GRACE = 60  # seconds: a ref moved more recently may still have its own push job coming


@dataclass
class Unowned:
    """Repositories (and staging dirs) still carrying the unowned mark, by what became of them."""

    removed: list[str] = field(default_factory=list)   # abandoned creations, now deleted
    kept: list[str] = field(default_factory=list)      # their row committed: mark dropped
    in_progress: list[str] = field(default_factory=list)  # a live creator holds them


@dataclass(frozen=True)
class StaleHead:
    fork_id: int
    relpath: str


def recover(grace: float = PUSH_GRACE) -> dict[str, int]:
    """The worker's sweep: abandoned creations removed, lost push refreshes queued again (for
    refs that moved more than `grace` seconds ago; a refresh queued twice costs one ref read)."""
    unowned = settle_unowned(repair=True)
    stale = stale_fork_heads(grace=grace)
    for head in stale:
        enqueue("fork.refresh", fork_id=head.fork_id, relpath=head.relpath)
    if unowned.removed or unowned.kept or stale:
        log.warning("recovered after a crash: %d abandoned creations removed, %d marks dropped, "
                    "%d push refreshes queued again", len(unowned.removed), len(unowned.kept), len(stale))
    return {"removed": len(unowned.removed), "kept": len(unowned.kept), "refreshed": len(stale)}


def _marked(root: Path) -> list[tuple[str, Path]]:
    """(relpath, directory) of every marked repository and staging dir: one scan of each
    namespace folder, one stat per repository."""
    found = []
    try:
        namespaces = [ns for ns in os.scandir(root) if ns.is_dir(follow_symlinks=False) and not ns.name.startswith(".")]
    except FileNotFoundError:
        return []
    for ns in namespaces:
        if ns.name == repo_paths.UPSTREAM_NAMESPACE:
            continue  # mirrors are made for a committed row, never before it
        with os.scandir(ns.path) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith(".") and STAGING_MARK in name:
                    name = name[1:].partition(STAGING_MARK)[0]  # the staging dir of `name`
                if not name.endswith(".git") or not entry.is_dir(follow_symlinks=False):
                    continue
                if os.path.lexists(os.path.join(entry.path, UNOWNED_MARK)):
                    found.append((f"{ns.name}/{name}", Path(entry.path)))
    return found


def settle_unowned(*, repair: bool) -> Unowned:
    """Sort the marked repositories; with `repair`, remove the abandoned and unmark the owned."""
    result = Unowned()
    for relpath, path in _marked(repo_paths.repos_root()):
        staging = path.name.startswith(".")
        shown = f"{relpath} (staging dir {path.name})" if staging else relpath
        try:
            with repo_locks.held(relpath, CREATE_LOCK):
                hold = vcs.fsutil.claim_unowned(path)
                if hold is None:
                    result.in_progress.append(shown)
                    continue
                if not staging and fork_row_committed(relpath):
                    (hold.owned if repair else hold.release)()
                    result.kept.append(shown)
                    continue
                (hold.abandon if repair else hold.release)()
                result.removed.append(shown)
        except VcsError:  # PostgreSQL: a creator on some node holds the name
            result.in_progress.append(shown)
    return result


def stale_fork_heads(*, grace: float) -> list[StaleHead]:
    """Forks whose branch ref moved after their stored divergence and more than `grace` seconds
    ago. A fork whose last refresh failed (a repository too large to diff, say) counts only when
    the ref moved after that attempt, so a fork that cannot be refreshed is not retried at every
    sweep."""
    rows = db.session.execute(db.select(Fork.id, Fork.relpath, Fork.default_branch, Fork.fork_head,
                                        Fork.divergence_error, Fork.computed_at)).all()
    db.session.rollback()  # no read transaction held while the files are read
    now, stale = time.time(), []
    for fork_id, relpath, branch, stored, error, computed_at in rows:
        path = repo_paths.absolute(relpath)
        try:
            moved_at = os.stat(path / "refs" / "heads" / branch, follow_symlinks=False).st_mtime
        except OSError:  # no loose ref: not pushed since it was made (or its refs were packed)
            continue
        if moved_at > now - grace:
            continue
        if error and computed_at is not None and moved_at <= computed_at.timestamp():
            continue
        try:
            head = vcs.read_branch_head(path, branch)
        except (VcsError, OSError, ValueError):
            continue  # fsck reports an unreadable fork
        if head and head != stored:
            stale.append(StaleHead(fork_id, relpath))
    return stale
