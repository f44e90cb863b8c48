"""Git for contributions: which fork commits upstream already holds (same patch-id), the
patch series and bundle a publisher downloads, per-commit diffs and the files forks touch.

Every command runs through run_git/GitStream with a timeout, a heap cap and bounded output:
a fork may hold anything its region pushed.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from .divergence import DIFF_GIT, DIFF_MEMORY, DIFF_OPTS, DIFF_TIMEOUT, capped_text
from .refs import is_full_sha
from .results import DiffText
from .runner import MiB, run_git

MAX_PATCH_BYTES = 16 * MiB  # a patch series or bundle larger than this is refused
MAX_COMMITS = 100


def _shas(shas: Iterable[str]) -> list[str]:
    out = [s for s in shas if is_full_sha(s)]
    if len(out) > MAX_COMMITS:
        raise ValueError("too many commits")
    return out


def cherry_marks(repo: Path, upstream: str, head: str, *, timeout: float = DIFF_TIMEOUT,
                 max_memory: int = DIFF_MEMORY) -> dict[str, bool]:
    """For each non-merge commit in `upstream..head`: True when upstream holds an equivalent
    change (`git rev-list --cherry-mark`, i.e. the same `git patch-id`)."""
    out = run_git(["rev-list", "--cherry-mark", "--right-only", "--no-merges", "--end-of-options",
                   f"{upstream}...{head}"], git_dir=repo, timeout=timeout, max_memory=max_memory,
                  opts=DIFF_GIT).text
    return {line[1:]: line[0] == "=" for line in out.split() if len(line) == 41}


def patch_ids(repo: Path, shas: Sequence[str], *, timeout: float = DIFF_TIMEOUT,
              max_memory: int = DIFF_MEMORY, max_output: int = MAX_PATCH_BYTES) -> dict[str, str]:
    """`git patch-id --stable` of each commit (merges and empty commits have none)."""
    wanted = _shas(shas)
    if not wanted:
        return {}
    limits = {"timeout": timeout, "max_memory": max_memory}
    patches = run_git(["log", "--no-walk=unsorted", "-p", "--no-merges", *DIFF_OPTS, "--format=commit %H",
                       "--end-of-options", *wanted], git_dir=repo, max_output=max_output, opts=DIFF_GIT,
                      **limits).stdout
    out = run_git(["patch-id", "--stable"], git_dir=repo, input=patches, **limits).text
    ids = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2:
            ids[parts[1]] = parts[0]
    return ids


def upstream_equivalents(repo: Path, upstream: str, head: str, fork_shas: Sequence[str], *,
                         timeout: float = DIFF_TIMEOUT, max_memory: int = DIFF_MEMORY) -> dict[str, str]:
    """fork sha -> the upstream commit with the same patch-id, for `fork_shas` that
    cherry_marks found equivalent. Upstream candidates are the marked ones of `head..upstream`."""
    if not fork_shas:
        return {}
    out = run_git(["rev-list", "--cherry-mark", "--left-only", "--no-merges", "--end-of-options",
                   f"{upstream}...{head}"], git_dir=repo, timeout=timeout, max_memory=max_memory,
                  opts=DIFF_GIT).text
    upstream_marked = [line[1:] for line in out.split() if line.startswith("=") and len(line) == 41]
    limits = {"timeout": timeout, "max_memory": max_memory}
    ours = patch_ids(repo, list(fork_shas)[:MAX_COMMITS], **limits)
    theirs = patch_ids(repo, upstream_marked[:MAX_COMMITS], **limits)
    by_id: dict[str, str] = {}
    for sha in reversed(upstream_marked):  # oldest first: the first upstream commit wins
        if sha in theirs:
            by_id.setdefault(theirs[sha], sha)
    return {sha: by_id[pid] for sha, pid in ours.items() if pid in by_id}


def first_tag_containing(repo: Path, sha: str) -> str | None:
    """The oldest tag (by creation date) whose commit contains `sha`, e.g. the release that
    brought a region's fix upstream."""
    if not is_full_sha(sha):
        return None
    out = run_git(["for-each-ref", "--contains", sha, "--sort=creatordate", "--count=1",
                   "--format=%(refname:short)", "refs/tags/"], git_dir=repo, check=False).text.strip()
    return out or None


def format_patches(repo: Path, shas: Sequence[str], *, timeout: float = DIFF_TIMEOUT,
                   max_memory: int = DIFF_MEMORY, max_output: int = MAX_PATCH_BYTES) -> bytes:
    """An mbox of `git format-patch --stdout` for the commits, oldest first (for `git am`).
    Raises SizeLimitExceeded past max_output."""
    wanted = _shas(shas)
    # One revision alone would mean "everything since it"; -1 makes it that commit.
    walk = "-1" if len(wanted) == 1 else "--no-walk"
    return run_git(["format-patch", "--stdout", "--no-signature", *DIFF_OPTS[:2], walk, "--end-of-options",
                    *wanted], git_dir=repo, timeout=timeout, max_memory=max_memory,
                   max_output=max_output, opts=DIFF_GIT).stdout


def pin(repo: Path, ref: str, sha: str) -> None:
    """Keep `sha` reachable under `ref` (refs/contributions/<id>): a later force-push to the
    fork cannot lose the offered commits, and the bundle has a ref to name."""
    run_git(["update-ref", "-m", "contribution", "--end-of-options", ref, sha], git_dir=repo)


def create_bundle(repo: Path, ref: str, exclude: str, *, timeout: float = DIFF_TIMEOUT,
                  max_memory: int = DIFF_MEMORY, max_output: int = MAX_PATCH_BYTES) -> bytes:
    """A git bundle of `ref` without what `exclude` (the upstream revision) already has."""
    return run_git(["bundle", "create", "-", ref, f"^{exclude}"], git_dir=repo, timeout=timeout,
                   max_memory=max_memory, max_output=max_output).stdout


def commit_diff(repo: Path, sha: str, *, max_bytes: int = 256 * 1024, timeout: float = DIFF_TIMEOUT,
                max_memory: int = DIFF_MEMORY) -> DiffText:
    """One commit's patch against its first parent, raw text cut at max_bytes (escape when rendering)."""
    if not is_full_sha(sha):
        return DiffText("", False)
    return capped_text(["show", "--first-parent", "--format=", "--patch", "--stat", *DIFF_OPTS, "--end-of-options",
                        sha], repo, timeout=timeout, max_memory=max_memory, max_bytes=max_bytes)


def changed_paths(repo: Path, shas: Sequence[str], *, limit: int = 2000, timeout: float = DIFF_TIMEOUT,
                  max_memory: int = DIFF_MEMORY) -> set[str]:
    """Paths the given non-merge commits change (no rename pairing), at most `limit`."""
    wanted = _shas(shas)
    if not wanted:
        return set()
    out = run_git(["log", "--no-walk=unsorted", "--no-merges", "--no-renames", "--name-only", "-z", "--format=",
                   "--end-of-options", *wanted], git_dir=repo, timeout=timeout, max_memory=max_memory,
                  max_output=4 * MiB, opts=DIFF_GIT).stdout
    paths = set()
    for raw in out.split(b"\0"):
        name = raw.strip(b"\n").decode("utf-8", "replace")
        if name:
            paths.add(name)
            if len(paths) >= limit:
                break
    return paths
