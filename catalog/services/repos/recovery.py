"""What a killed process leaves among the repositories, healed by the worker without a person.

A state a SIGKILL (a node dying under load) leaves behind:

- a fork whose creation was killed after git renamed its repository into place and before its
  row committed. create_fork builds it carrying the unowned mark under the creator's lock
  (vcs/fsutil.py): a mark whose lock anyone can take belongs to a dead creator, and the rows
  then say whether it is kept (a row committed: the mark goes) or removed (none did). A mark
  still locked is a creation in progress, on this node or (PostgreSQL's advisory lock) another:
  never touched.

The worker runs `recover()` every two minutes and once at its start (a node restarted after a
crash heals at once); fsck --repair calls the same functions.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from ... import vcs
from ...vcs.errors import VcsError
from ...vcs.fsutil import STAGING_MARK, UNOWNED_MARK
from .. import repo_paths
from . import repo_locks
from .forks import CREATE_LOCK, fork_row_committed

log = logging.getLogger(__name__)


@dataclass
class Unowned:
    """Repositories (and staging dirs) still carrying the unowned mark, by what became of them."""

    removed: list[str] = field(default_factory=list)   # abandoned creations, now deleted
    kept: list[str] = field(default_factory=list)      # their row committed: mark dropped
    in_progress: list[str] = field(default_factory=list)  # a live creator holds them


def recover(grace: float = 0) -> dict[str, int]:
    """The worker's sweep: abandoned creations removed."""
    unowned = settle_unowned(repair=True)
    if unowned.removed or unowned.kept:
        log.warning("recovered after a crash: %d abandoned creations removed, %d marks dropped",
                    len(unowned.removed), len(unowned.kept))
    return {"removed": len(unowned.removed), "kept": len(unowned.kept), "refreshed": 0}


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
