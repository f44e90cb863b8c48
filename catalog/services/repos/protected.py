"""Deployed commits that pushes must keep: each fork's protected-commit file, written from the rows.

The pre-receive hook refuses a push that would make one of these commits unreachable
(catalog/vcs/prereceive.py). The file follows the committed rows: a deployment service asks
for the rewrite with `protect_after_commit`, so a rolled-back change writes nothing, and
`flask catalog fsck --repair` rewrites a file that disagrees. Upstream mirrors take no pushes
(access.authorize), so only forks have the file.
"""
from __future__ import annotations

import logging

from ... import vcs
from ...extensions import db
from ...models import Deployment, Fork
from ...vocab.deployments import DeploymentStatus
from .. import repo_paths
from ..tx import WriteOp
from . import repo_locks

log = logging.getLogger(__name__)


def deployed_commits(fork_id: int) -> list[str]:
    """Full ids of the commits that the fork's deployments (all but retired ones) run.

    Read on a connection of its own, so that it sees what other transactions committed even
    when the caller's session still holds an older snapshot."""
    stmt = db.select(Deployment.version_commit).where(
        Deployment.fork_id == fork_id, Deployment.status != DeploymentStatus.RETIRED.value,
        Deployment.version_commit.is_not(None))
    with db.engine.connect() as conn:
        commits = {c.strip().lower() for c in conn.execute(stmt).scalars()}
    return sorted(c for c in commits if vcs.refs.is_full_sha(c))


def stored_commits(fork: Fork) -> list[str] | None:
    """What the fork's file holds now (sorted), or None when the repository is missing."""
    path = repo_paths.absolute(fork.relpath)
    if not (path / "HEAD").exists():
        return None
    return sorted(set(vcs.read_protected_commits(path)))


def write_protected(fork_id: int) -> list[str] | None:
    """Rewrite the fork's file from the committed rows; returns what it wrote (None: no repository)."""
    relpath = db.session.execute(db.select(Fork.relpath).where(Fork.id == fork_id)).scalar_one_or_none()
    path = repo_paths.absolute(relpath) if relpath else None
    if path is None or not (path / "HEAD").exists():
        log.warning("fork %s: no repository to write deployed commits into", fork_id)
        return None
    with repo_locks.held(relpath, repo_locks.PROTECTED, wait=True), vcs.hooks.protected_commits_lock(path):
        commits = deployed_commits(fork_id)  # read under the lock: the last writer read last
        vcs.write_protected_commits(path, commits)
    return commits


def protect_after_commit(op: WriteOp, *fork_ids: int | None) -> None:
    """Once `op` commits, rewrite the protected-commit file of each fork named (None: upstream)."""
    for fork_id in sorted({f for f in fork_ids if f is not None}):
        op.after_commit(write_protected, fork_id)
