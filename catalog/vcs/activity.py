"""Recent activity of a repository for the vitality index: commit times and authors, bounded.

Every command walks only what its window needs (`--since`) and stops at a count (`--max-count`),
with a wall-clock limit, so a repository with millions of commits costs no more than the cap.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .repos import resolve
from .runner import MiB, run_git

ACTIVITY_TIMEOUT = 30  # seconds per git command
MAX_COMMITS = 20_000   # commits read per window; the result says when it was reached
MAX_OUTPUT = 8 * MiB


@dataclass(frozen=True)
class CommitStamp:
    """When a commit was made (committer time, UTC) and by whom (author e-mail, lowercased)."""

    at: datetime
    author: str


@dataclass(frozen=True)
class Activity:
    """Commits since a moment, newest first; `capped` when MAX_COMMITS stopped the walk."""

    commits: tuple[CommitStamp, ...]
    capped: bool


def _stamps(repo: Path, revs: list[str], since: datetime, limit: int) -> Activity:
    out = run_git(["log", "--no-mailmap", "--no-decorate", "--no-show-signature", "-z",
                   f"--since={int(since.timestamp())}", f"--max-count={int(limit)}",
                   "--format=%ct%x1f%ae", "--end-of-options", *revs],
                  git_dir=repo, timeout=ACTIVITY_TIMEOUT, max_output=MAX_OUTPUT).stdout
    stamps = []
    for record in out.split(b"\0"):
        record = record.strip()
        if not record:
            continue
        when, _sep, email = record.decode("utf-8", "replace").partition("\x1f")
        stamps.append(CommitStamp(datetime.fromtimestamp(int(when), UTC), email.strip().lower()))
    return Activity(tuple(stamps), capped=len(stamps) >= limit)


def recent_commits(repo: Path, since: datetime, *, rev: str = "HEAD",
                   limit: int = MAX_COMMITS) -> Activity:
    """Commits on `rev` (the default branch) committed at or after `since`; empty for an empty
    repository."""
    head = resolve(repo, rev)
    if head is None:
        return Activity((), capped=False)
    return _stamps(repo, [head], since, limit)


def own_recent_commits(fork: Path, fork_ref: str, upstream: str, since: datetime, *,
                       limit: int = 1000) -> Activity:
    """A fork's commits that upstream does not have (`upstream..fork_ref`) since `since`.
    Empty when the fork's branch or the upstream commit cannot be found in the fork."""
    head, base = resolve(fork, fork_ref), resolve(fork, upstream)
    if head is None or base is None:
        return Activity((), capped=False)
    return _stamps(fork, [f"{base}..{head}"], since, limit)


def first_commit_time(repo: Path, *, rev: str = "HEAD") -> datetime | None:
    """When the oldest root commit of `rev` was made (the project's age), None if empty.

    Walks the whole history once, under the time limit (the commit-graph keeps it fast)."""
    head = resolve(repo, rev)
    if head is None:
        return None
    out = run_git(["log", "--max-parents=0", "--format=%ct", "--end-of-options", head],
                  git_dir=repo, timeout=ACTIVITY_TIMEOUT, max_output=MiB).text.split()
    return datetime.fromtimestamp(min(int(t) for t in out), UTC) if out else None
