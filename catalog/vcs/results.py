"""Frozen dataclasses the git layer returns; nothing from GitPython or subprocess leaks out."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class RepoInfo:
    """A bare repository on disk, its HEAD commit and default branch (None when empty)."""

    path: Path
    head: str | None
    default_branch: str | None


@dataclass(frozen=True)
class Release:
    """A tag (annotated or lightweight) pointing at a commit."""

    name: str
    commit: str
    date: datetime
    message: str


@dataclass(frozen=True)
class TreeEntry:
    """One entry of a directory listing; kind is blob, tree, symlink or submodule."""

    name: str
    path: str
    kind: Literal["blob", "tree", "symlink", "submodule"]
    mode: str
    oid: str
    size: int | None


@dataclass(frozen=True)
class Divergence:
    """How far a fork drifted from an upstream commit."""

    ahead: int
    behind: int
    merge_base: str | None
    files_changed: int
    insertions: int
    deletions: int
    files_differing_from_upstream: int
    upstream_head: str
    fork_head: str


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    author_name: str
    author_email: str
    date: datetime
    summary: str


@dataclass(frozen=True)
class FileChange:
    """One changed path; insertions/deletions are None for binary files. `kind` is file,
    symlink (the content is the link text) or submodule (the content is a commit id)."""

    path: str
    status: str
    insertions: int | None
    deletions: int | None
    old_path: str | None = None
    kind: Literal["file", "symlink", "submodule"] = "file"

    @property
    def binary(self) -> bool:
        return self.insertions is None


@dataclass(frozen=True)
class DiffText:
    """Raw unified diff text (escape it when rendering); truncated when over the cap."""

    text: str
    truncated: bool


@dataclass(frozen=True)
class SyncResult:
    outcome: Literal["up_to_date", "fast_forward", "merged", "conflict"]
    new_head: str | None
    conflicts: tuple[str, ...] = ()
