"""Create and configure bare repositories: the settings mirrors and forks rely on."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from .refs import validate_branch
from .runner import run_git

# Forks borrow objects from the mirror through alternates: a pruning gc here would delete
# objects a fork still references, so mirrors never prune and never auto-gc.
MIRROR_CONFIG = {
    "gc.auto": "0",
    "gc.pruneExpire": "never",
    "gc.worktreePruneExpire": "never",
    "gc.reflogExpireUnreachable": "never",
    "maintenance.auto": "false",
    "fetch.writeCommitGraph": "false",
    "core.commitGraph": "true",
    "uploadpack.allowFilter": "true",
}
# A fork must not own a commit-graph: git reads the first graph it finds, so a fork graph would
# hide the mirror's (kept fresh after every fetch) and new upstream commits would go unindexed.
FORK_CONFIG = {
    "gc.writeCommitGraph": "false",
    "fetch.writeCommitGraph": "false",
    "core.commitGraph": "true",
    "receive.fsckObjects": "true",
    "receive.autogc": "false",
    "uploadpack.allowFilter": "true",
}


def init_bare(path: Path, *, default_branch: str = "main") -> None:
    """`git init --bare` without the sample hooks and other template files."""
    run_git(["init", "--quiet", "--bare", "--template=",
             f"--initial-branch={validate_branch(default_branch)}", str(Path(path).resolve())])


def set_config(path: Path, values: Mapping[str, str]) -> None:
    for key, value in values.items():
        run_git(["config", key, value], git_dir=path)


def append_config(path: Path, values: Mapping[str, str]) -> None:
    """Append our fixed `section.key` settings to a repo we just created: one file write
    instead of a git process per key (forks are made on request, so it shows)."""
    sections: dict[str, list[str]] = {}
    for key, value in values.items():
        section, name = key.split(".")
        sections.setdefault(section, []).append(f"\t{name} = {value}\n")
    text = "".join(f"[{section}]\n" + "".join(lines) for section, lines in sections.items())
    with open(Path(path) / "config", "a") as fh:
        fh.write(text)


def set_head(path: Path, branch: str) -> None:
    run_git(["symbolic-ref", "HEAD", f"refs/heads/{validate_branch(branch)}"], git_dir=path)


def write_commit_graph(path: Path, *, timeout: float = 600) -> None:
    """One non-split graph per mirror; forks read it through alternates (see FORK_CONFIG)."""
    run_git(["commit-graph", "write", "--reachable", "--no-progress"], git_dir=path,
            timeout=timeout)


def branches(path: Path) -> list[str]:
    out = run_git(["for-each-ref", "--format=%(refname:strip=2)", "refs/heads/"], git_dir=path)
    return out.text.split()
