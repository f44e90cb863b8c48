"""Bring upstream into a fork without a worktree: fast-forward, or merge-tree + commit-tree."""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .env import Identity
from .errors import N_, GitCommandError, RefChanged, VcsError
from .refs import validate_branch
from .repos import is_ancestor, require_commit, resolve
from .results import SyncResult
from .runner import MiB, run_git

MERGE_MEMORY = 1024 * MiB  # merge-tree walks only subtrees that differ; this caps the rest


QUARANTINE_PREFIX = "tmp_objdir-catalog-"


@contextmanager
def quarantine(repo: Path, label: str = "") -> Iterator[tuple[Path, dict[str, str]]]:
    """A throwaway object dir layered over the repo's (like receive-pack's quarantine).

    New objects land there; `migrate` moves them in only once we decide to keep them, so an
    abandoned merge (or refresh) leaves no trace in the repository.
    """
    objects = Path(repo).resolve() / "objects"
    tmp = Path(tempfile.mkdtemp(prefix=QUARANTINE_PREFIX + label, dir=objects))
    env = {"GIT_OBJECT_DIRECTORY": str(tmp), "GIT_ALTERNATE_OBJECT_DIRECTORIES": str(objects)}
    try:
        yield tmp, env
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def migrate(tmp: Path, objects: Path) -> None:
    """Move quarantined objects into `objects`; packs before their .idx so readers never see
    an index without its pack."""
    files = sorted((p for p in tmp.rglob("*") if p.is_file()),
                   key=lambda p: (p.suffix == ".idx", str(p)))
    for src in files:
        dst = objects / src.relative_to(tmp)
        if dst.exists():
            continue
        dst.parent.mkdir(exist_ok=True)
        os.replace(src, dst)


def update_ref(repo: Path, ref: str, new: str, old: str, message: str) -> None:
    """Compare-and-swap a ref; raises RefChanged when someone pushed in between."""
    result = run_git(["update-ref", "-m", message, "--end-of-options", ref, new, old],
                     git_dir=repo, check=False)
    if result.returncode != 0:
        if resolve(repo, ref) != old:
            raise RefChanged()
        raise GitCommandError(args=("update-ref", ref), returncode=result.returncode,
                              stderr=result.stderr.decode("utf-8", "replace")[-2000:])


def _merge_message(upstream: str) -> bytes:
    return (f"Gabungkan pembaruan upstream {upstream[:12]}\n\n"
            "Disinkronkan melalui Katalog Bagi-Pakai.\n").encode()


def sync_upstream(fork: Path, *, branch: str, upstream_commit: str,
                  author: Identity, timeout: float = 120) -> SyncResult:
    """Fast-forward `branch` to upstream, or merge upstream into it; on conflict change nothing.

    Raises RevisionNotFound, RefChanged (branch moved meanwhile), VcsError (unrelated histories).
    """
    ref = f"refs/heads/{validate_branch(branch)}"
    head = require_commit(fork, ref)
    upstream = require_commit(fork, upstream_commit)
    if is_ancestor(fork, upstream, head):
        return SyncResult("up_to_date", head)
    if is_ancestor(fork, head, upstream):
        update_ref(fork, ref, upstream, head, f"katalog: fast-forward ke {upstream[:12]}")
        return SyncResult("fast_forward", upstream)
    with quarantine(fork) as (tmp, env):
        merged = run_git(["merge-tree", "--write-tree", "--name-only", "--no-messages", "-z",
                          "--end-of-options", head, upstream], git_dir=fork, env_extra=env,
                         timeout=timeout, check=False, max_memory=MERGE_MEMORY)
        fields = merged.stdout.decode("utf-8", "replace").split("\0")
        if merged.returncode == 1:
            return SyncResult("conflict", None, tuple(dict.fromkeys(p for p in fields[1:] if p)))
        if merged.returncode != 0:
            raise VcsError(N_("Riwayat fork dan upstream tidak dapat digabungkan otomatis."),
                           detail=merged.stderr.decode("utf-8", "replace")[-2000:])
        commit = run_git(["commit-tree", "-p", head, "-p", upstream, "-F", "-", fields[0]],
                         git_dir=fork, env_extra=env, identity=author, timeout=timeout,
                         input=_merge_message(upstream)).text.strip()
        migrate(tmp, Path(fork).resolve() / "objects")
    update_ref(fork, ref, commit, head, f"katalog: gabungkan upstream {upstream[:12]}")
    return SyncResult("merged", commit)
