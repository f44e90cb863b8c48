"""Upstreams hosted in the catalog: the bare repository the app's publishers push to, and the
one-click merge of an accepted contribution (merge-tree, no worktree; conflicts change nothing).

Pushes are checked by the same pre-receive hook as forks (default branch and tags kept); git
itself refuses history rewrites and deletions here (receive.denyNonFastForwards, denyDeletes),
because a hosted upstream is what every fork and deployment compares against.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .env import GitOptions, Identity
from .errors import N_, RefChanged, VcsError
from .hooks import install_hooks
from .refs import is_full_sha, validate_branch
from .repos import head_info, is_ancestor, require_commit
from .results import RepoInfo
from .runner import run_git
from .sync import MERGE_MEMORY, update_ref

FILE_OK = GitOptions(allow_file=True)
INCOMING = "refs/catalog-incoming/contribution"


@dataclass(frozen=True)
class MergeOutcome:
    """`merged` or `fast_forward` with the new head, or `conflict` with the conflicting paths."""

    outcome: str
    head: str | None
    conflicts: tuple[str, ...] = ()


def ensure_hosted_repo(path: Path, *, default_branch: str = "main") -> RepoInfo:
    """Create the bare repository (empty until the first push) or keep the existing one, with
    the hooks and the no-rewrite settings; returns its HEAD."""
    if not (path / "HEAD").exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        run_git(["init", "--bare", "--quiet", f"--initial-branch={validate_branch(default_branch)}", str(path)])
    for key in ("receive.denyNonFastForwards", "receive.denyDeletes"):
        run_git(["config", key, "true"], git_dir=path)
    install_hooks(path)
    return head_info(path)


def merge_contribution(upstream: Path, fork: Path, *, branch: str, tip_ref: str, expected_head: str,
                       author: Identity, message: str, timeout: float = 120) -> MergeOutcome:
    """Bring the fork's `tip_ref` into `branch` of the hosted upstream: fast-forward when
    possible, else a merge commit built by `git merge-tree --write-tree`. On conflict nothing
    moves. Raises RefChanged (someone pushed meanwhile), VcsError."""
    ref = f"refs/heads/{validate_branch(branch)}"
    head = require_commit(upstream, ref)
    if head != expected_head:
        raise RefChanged()
    incoming = f"{INCOMING}-{tip_ref.rsplit('/', 1)[-1]}"
    run_git(["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", str(fork), f"+{tip_ref}:{incoming}"],
            git_dir=upstream, opts=FILE_OK, timeout=timeout)
    try:
        tip = require_commit(upstream, incoming)
        if is_ancestor(upstream, tip, head):
            return MergeOutcome("up_to_date", head)
        if is_ancestor(upstream, head, tip):
            update_ref(upstream, ref, tip, head, "katalog: fast-forward usulan perubahan")
            return MergeOutcome("fast_forward", tip)
        merged = run_git(["merge-tree", "--write-tree", "--name-only", "--no-messages", "-z",
                          "--end-of-options", head, tip], git_dir=upstream, timeout=timeout, check=False,
                         max_memory=MERGE_MEMORY)
        fields = merged.stdout.decode("utf-8", "replace").split("\0")
        if merged.returncode == 1:
            return MergeOutcome("conflict", None, tuple(dict.fromkeys(p for p in fields[1:] if p)))
        if merged.returncode != 0 or not is_full_sha(fields[0]):
            raise VcsError(N_("Usulan dan induk tidak dapat digabungkan otomatis."),
                           detail=merged.stderr.decode("utf-8", "replace")[-2000:])
        commit = run_git(["commit-tree", "-p", head, "-p", tip, "-F", "-", fields[0]], git_dir=upstream,
                         identity=author, timeout=timeout, input=message.encode()).text.strip()
        update_ref(upstream, ref, commit, head, "katalog: gabungkan usulan perubahan")
        return MergeOutcome("merged", commit)
    finally:
        run_git(["update-ref", "-d", incoming], git_dir=upstream, check=False)
