"""Divergence in two steps: the numbers lists need (two git commands per fork), then the
details only a fork's own page needs (merge base, files differing from upstream, own commits).

`compute_divergence` in divergence.py does both at once in six commands; a refresh of every
fork after an upstream fetch only needs the first step, so the second runs later or on demand.
Both give the same numbers as `compute_divergence` + `fork_commits`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .divergence import (
    DIFF_GIT,
    DIFF_MEMORY,
    DIFF_OPTS,
    DIFF_TIMEOUT,
    EMPTY_TREE,
    count_differing_files,
    marked_log_range,
    merge_base,
    parse_shortstat,
    shortstat,
)
from .errors import GitCommandError
from .refs import is_full_sha, validate_branch
from .repos import resolve
from .results import CommitInfo
from .runner import run_git, trim

MAX_REF_FILE = 4096
MAX_PACKED_REFS = 8 * 1024 * 1024  # larger than any fork we write; git then reads it instead


@dataclass(frozen=True)
class DriftCounts:
    """What fork lists show, for one pair of heads."""

    upstream_head: str
    fork_head: str
    ahead: int
    behind: int
    files_changed: int
    insertions: int
    deletions: int


@dataclass(frozen=True)
class DriftDetails:
    """What the fork's own page adds, for the same pair of heads."""

    merge_base: str | None
    files_differing_from_upstream: int
    own_commits: list[CommitInfo]
    upstreamed: frozenset[str] = frozenset()  # own commits whose change upstream holds (same patch-id)


def read_branch_head(repo: Path, branch: str) -> str | None:
    """The sha `refs/heads/<branch>` holds, read from the ref files without starting git.

    Loose ref first, then packed-refs (git's own lookup order). Anything unusual — a symbolic
    or malformed ref, a symlink, a huge file — falls back to `git rev-parse`; None when the
    branch does not exist.
    """
    ref = f"refs/heads/{validate_branch(branch)}"
    try:
        sha = _read_loose(repo / ref)
        if sha is None:
            sha = _read_packed(repo / "packed-refs", ref)
    except (OSError, UnicodeDecodeError, ValueError):
        sha = ""
    if sha == "":  # present but not plain: let git decide
        return resolve(repo, ref)
    return sha


def _read_loose(path: Path) -> str | None:
    """None when absent, "" when present but not a plain sha."""
    if path.is_symlink():
        return ""
    if not path.is_file():
        return None
    with path.open("rb") as fh:
        text = fh.read(MAX_REF_FILE).decode("ascii").strip()
    return text if is_full_sha(text) else ""


def _read_packed(path: Path, ref: str) -> str | None:
    if not path.is_file():
        return None
    if path.is_symlink() or path.stat().st_size > MAX_PACKED_REFS:
        return ""
    wanted = " " + ref
    for line in path.read_text("utf-8").splitlines():
        if line.endswith(wanted) and not line.startswith(("#", "^")):
            sha = line[: -len(wanted)]
            return sha if is_full_sha(sha) else ""
    return None


def drift_counts(fork: Path, fork_head: str, upstream: str, *, timeout: float = DIFF_TIMEOUT,
                 max_memory: int = DIFF_MEMORY) -> DriftCounts:
    """Ahead/behind and the change size since the merge base, in two git commands: the
    three-dot diff finds the merge base itself (the first one, as `git merge-base` does).
    Raises SizeLimitExceeded or GitTimeout for trees too large to compare within the limits."""
    counts = run_git(["rev-list", "--left-right", "--count", "--end-of-options",
                      f"{upstream}...{fork_head}"], git_dir=fork).text.split()
    result = run_git(["diff", *DIFF_OPTS, "--shortstat", "--end-of-options",
                      f"{upstream}...{fork_head}"], git_dir=fork, timeout=timeout,
                     max_memory=max_memory, opts=DIFF_GIT, check=False)
    if result.returncode == 0:
        stat = parse_shortstat(result.text)
    elif b"no merge base" in result.stderr:  # unrelated histories: everything is the fork's
        stat = shortstat(fork, EMPTY_TREE, fork_head, timeout=timeout, max_memory=max_memory)
    else:
        raise GitCommandError(args=("diff", "--shortstat"), returncode=result.returncode,
                              stderr=trim(result.stderr))
    return DriftCounts(upstream, fork_head, ahead=int(counts[1]), behind=int(counts[0]),
                       files_changed=stat[0], insertions=stat[1], deletions=stat[2])


def drift_details(fork: Path, counts: DriftCounts, *, own_limit: int = 50,
                  timeout: float = DIFF_TIMEOUT, max_memory: int = DIFF_MEMORY) -> DriftDetails:
    """Merge base, files differing from the upstream tip and the fork's own commits for the
    heads in `counts`; commands whose answer follows from ahead/behind are not run."""
    upstream, head = counts.upstream_head, counts.fork_head
    base = merge_base_for(fork, counts)
    same = counts.ahead == 0 and counts.behind == 0
    differing = 0 if same else count_differing_files(fork, upstream, head, timeout=timeout,
                                                     max_memory=max_memory)
    own, upstreamed = (marked_log_range(fork, upstream, head, own_limit, timeout=timeout, max_memory=max_memory)
                       if counts.ahead else ([], frozenset()))
    return DriftDetails(base, differing, own, upstreamed)


def merge_base_for(fork: Path, counts: DriftCounts) -> str | None:
    """`git merge-base` of the two heads; no command when ahead or behind is zero."""
    if counts.ahead == 0:  # the fork head is an ancestor of upstream
        return counts.fork_head
    if counts.behind == 0:  # upstream is an ancestor of the fork head
        return counts.upstream_head
    return merge_base(fork, counts.upstream_head, counts.fork_head)
