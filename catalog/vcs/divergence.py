"""How far a fork drifted from upstream: counts, changed files, diffs and missed releases."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from .env import GitOptions
from .errors import N_, RevisionNotFound
from .refs import validate_tree_path
from .repos import list_releases, object_info, require_commit
from .results import CommitInfo, DiffText, Divergence, FileChange, Release
from .runner import MiB, run_git
from .stream import GitStream

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
DIFF_OPTS = ("--no-ext-diff", "--no-textconv", "--no-color")
# git builds the whole list of changed paths in memory before printing any: a tree that
# expands to millions of paths ("git bomb") is stopped by this heap cap or the timeout.
DIFF_TIMEOUT = 60
DIFF_MEMORY = 512 * MiB
# Blobs over this size count as binary (sizes only, never loaded), so that two versions of a
# legitimately huge file never reach the heap cap above.
DIFF_GIT = GitOptions(config=("core.bigFileThreshold=64m",))
_KIND_BY_MODE = {"120000": "symlink", "160000": "submodule"}
_STAT_RE = re.compile(r"(\d+) (file|insertion|deletion)")


def merge_base(repo: Path, a: str, b: str) -> str | None:
    """Best common ancestor of two commits, None for unrelated histories."""
    result = run_git(["merge-base", "--end-of-options", a, b], git_dir=repo, check=False)
    if result.returncode != 0:
        return None
    return result.text.strip() or None


def shortstat(repo: Path, base: str, head: str, *, timeout: float = DIFF_TIMEOUT,
              max_memory: int = DIFF_MEMORY) -> tuple[int, int, int]:
    """(files, insertions, deletions) as `git diff --shortstat` reports them."""
    out = run_git(["diff", *DIFF_OPTS, "--shortstat", "--end-of-options", base, head],
                  git_dir=repo, timeout=timeout, max_memory=max_memory, opts=DIFF_GIT).text
    return parse_shortstat(out)


def parse_shortstat(text: str) -> tuple[int, int, int]:
    """(files, insertions, deletions) from `--shortstat` output (absent parts are 0)."""
    found = {kind: int(n) for n, kind in _STAT_RE.findall(text)}
    return found.get("file", 0), found.get("insertion", 0), found.get("deletion", 0)


def count_differing_files(repo: Path, a: str, b: str, *, timeout: float = DIFF_TIMEOUT,
                          max_memory: int = DIFF_MEMORY) -> int:
    """Paths whose content differs between two commits; no rename pairing (cheap, tree-only)."""
    out = run_git(["diff-tree", "-r", "--no-renames", "--name-only", "-z", "--end-of-options",
                   a, b], git_dir=repo, timeout=timeout, max_memory=max_memory, opts=DIFF_GIT).stdout
    return out.count(b"\0")


def count_commits_between(repo: Path, a: str, b: str) -> int:
    """Commits reachable from b but not from a (`rev-list --count a..b`)."""
    a_sha, b_sha = require_commit(repo, a), require_commit(repo, b)
    return int(run_git(["rev-list", "--count", "--end-of-options", f"{a_sha}..{b_sha}"],
                       git_dir=repo).text.strip())


def compute_divergence(fork: Path, *, fork_ref: str, upstream_commit: str,
                       timeout: float = DIFF_TIMEOUT, max_memory: int = DIFF_MEMORY) -> Divergence:
    """Ahead/behind, change size since the merge base, and files differing from upstream.

    Needs the mirror's commit-graph (through alternates) to stay in milliseconds.
    Raises RevisionNotFound; SizeLimitExceeded or GitTimeout when the trees are too large to
    compare within `max_memory` and `timeout` (each git command).
    """
    fork_head = require_commit(fork, fork_ref)
    upstream = require_commit(fork, upstream_commit)
    counts = run_git(["rev-list", "--left-right", "--count", "--end-of-options",
                      f"{upstream}...{fork_head}"], git_dir=fork).text.split()
    base = merge_base(fork, upstream, fork_head)
    limits = {"timeout": timeout, "max_memory": max_memory}
    files, insertions, deletions = shortstat(fork, base or EMPTY_TREE, fork_head, **limits)
    return Divergence(
        ahead=int(counts[1]), behind=int(counts[0]), merge_base=base,
        files_changed=files, insertions=insertions, deletions=deletions,
        files_differing_from_upstream=count_differing_files(fork, upstream, fork_head, **limits),
        upstream_head=upstream, fork_head=fork_head)


def fork_commits(fork: Path, fork_ref: str, upstream_commit: str,
                 limit: int = 100) -> list[CommitInfo]:
    """The fork's own commits (not in upstream), newest first."""
    head = require_commit(fork, fork_ref)
    upstream = require_commit(fork, upstream_commit)
    return log_range(fork, upstream, head, limit)


_LOG = ("log", "--no-mailmap", "--no-decorate", "--no-show-signature", "-z")
_COMMIT_FORMAT = "%H%x1f%an%x1f%ae%x1f%aI%x1f%s"


def _commit(fields: list[str]) -> CommitInfo:
    sha, name, email, date, summary = fields
    return CommitInfo(sha, name, email, datetime.fromisoformat(date), summary)


def log_range(fork: Path, upstream: str, head: str, limit: int = 100) -> list[CommitInfo]:
    """Commits in `upstream..head` (both full shas), newest first, at most `limit`."""
    out = run_git([*_LOG, f"--max-count={int(limit)}", f"--format={_COMMIT_FORMAT}",
                   "--end-of-options", f"{upstream}..{head}"], git_dir=fork).stdout
    return [_commit(record.decode("utf-8", "replace").split("\x1f", 4)) for record in out.split(b"\0") if record]


def marked_log_range(fork: Path, upstream: str, head: str, limit: int = 100, *, timeout: float = DIFF_TIMEOUT,
                     max_memory: int = DIFF_MEMORY) -> tuple[list[CommitInfo], frozenset[str]]:
    """`log_range`, and which of those commits upstream holds an equivalent change of (the same
    `git patch-id`, as `contributions.cherry_marks` finds), in one git command instead of two.
    Merge commits get no patch-id, so they are never equivalent."""
    out = run_git([*_LOG, "--cherry-mark", "--right-only", f"--max-count={int(limit)}",
                   f"--format=%m%x1f{_COMMIT_FORMAT}", "--end-of-options", f"{upstream}...{head}"],
                  git_dir=fork, timeout=timeout, max_memory=max_memory, opts=DIFF_GIT).stdout
    commits, equivalent = [], set()
    for record in out.split(b"\0"):
        if record:
            mark, *fields = record.decode("utf-8", "replace").split("\x1f", 5)
            commits.append(_commit(fields))
            if mark == "=":
                equivalent.add(commits[-1].sha)
    return commits, frozenset(equivalent)


def _kind(meta: str) -> str:
    """file, symlink or submodule from a raw line's modes (the old mode for a deletion)."""
    fields = meta.lstrip(":").split()
    mode = fields[1] if len(fields) > 1 and fields[1] != "000000" else fields[0]
    return _KIND_BY_MODE.get(mode, "file")


def _parse_raw_numstat(out: bytes) -> list[FileChange]:
    tokens = [t.decode("utf-8", "replace") for t in out.split(b"\0")]
    raw, i = [], 0
    while i < len(tokens) and tokens[i].startswith(":"):
        status = tokens[i].split()[-1]
        if status[0] in "RC":
            raw.append((status[0], tokens[i + 2], tokens[i + 1], _kind(tokens[i])))
            i += 3
        else:
            raw.append((status[0], tokens[i + 1], None, _kind(tokens[i])))
            i += 2
    changes = []
    for status, path, old, kind in raw:
        if i >= len(tokens) or not tokens[i]:
            break
        ins, dels, rest = tokens[i].split("\t", 2)
        i += 1 if rest else 3
        binary = ins == "-"
        changes.append(FileChange(path, status, None if binary else int(ins),
                                  None if binary else int(dels), old, kind))
    return changes


def changed_files(repo: Path, base: str, head: str, limit: int = 1000, *,
                  timeout: float = DIFF_TIMEOUT, max_memory: int = DIFF_MEMORY,
                  max_output: int = 64 * MiB) -> list[FileChange]:
    """Files changed from base to head with line counts (None for binary), renames detected.
    Symlinks and submodules are entries like any other (their link text or commit id is the
    content; nothing is followed or fetched). Raises SizeLimitExceeded, GitTimeout."""
    base_sha, head_sha = require_commit(repo, base), require_commit(repo, head)
    out = run_git(["diff", *DIFF_OPTS, "-z", "--raw", "--numstat", "-M",
                   "--end-of-options", base_sha, head_sha], git_dir=repo, timeout=timeout,
                  max_memory=max_memory, max_output=max_output, opts=DIFF_GIT).stdout
    return _parse_raw_numstat(out)[:limit]


def _require_file(repo: Path, base: str, head: str, path: str) -> None:
    """A per-file diff is for one path that is not a folder on either side (a folder would
    diff everything beneath it: unbounded for a git bomb)."""
    for sha in (base, head):
        info = object_info(repo, f"{sha}:{path}")
        if info is not None and info[1] == "tree":
            raise RevisionNotFound(N_("Jalur ini adalah folder; pilih satu berkas."))


def file_diff(repo: Path, base: str, head: str, path: str,
              max_bytes: int = 512 * 1024, *, timeout: float = DIFF_TIMEOUT,
              max_memory: int = DIFF_MEMORY) -> DiffText:
    """Unified diff of one file (not a folder), raw text (escape when rendering), cut at
    max_bytes. Raises RevisionNotFound, SizeLimitExceeded, GitTimeout."""
    base_sha, head_sha = require_commit(repo, base), require_commit(repo, head)
    clean = validate_tree_path(path)
    if not clean:
        raise RevisionNotFound(N_("Jalur ini adalah folder; pilih satu berkas."))
    _require_file(repo, base_sha, head_sha, clean)
    return capped_text(["diff", *DIFF_OPTS, "--end-of-options", base_sha, head_sha, "--", clean], repo,
                       timeout=timeout, max_memory=max_memory, max_bytes=max_bytes)


def capped_text(args: list[str], repo: Path, *, timeout: float, max_memory: int, max_bytes: int) -> DiffText:
    """A diff-like git output read up to `max_bytes` (git is stopped there, not read to the end)."""
    buf = bytearray()
    truncated = False
    with GitStream(args, git_dir=repo, timeout=timeout, max_memory=max_memory, opts=DIFF_GIT) as stream:
        while chunk := stream.read():
            buf += chunk
            if len(buf) > max_bytes:
                truncated = True
                break
        if not truncated:
            stream.finish()
    return DiffText(bytes(buf[:max_bytes]).decode("utf-8", "replace"), truncated)


def releases_since(mirror: Path, base_commit: str) -> list[Release]:
    """Upstream releases whose commit is not contained in `base_commit`, newest first
    (list_releases checks that it names a commit)."""
    return list_releases(mirror, not_in=base_commit)
