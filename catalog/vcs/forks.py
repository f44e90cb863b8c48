"""Forks: bare repositories that borrow every upstream object from the mirror via alternates."""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from .errors import N_, RevisionNotFound
from .fsutil import Unowned, mark_unowned, staged
from .hooks import install_hooks
from .layout import FORK_CONFIG, append_config, init_bare
from .refs import is_valid_ref_name, validate_branch
from .results import RepoInfo
from .runner import run_git


def _refs_to_copy(mirror: Path, branch: str) -> list[tuple[str, str]]:
    out = run_git(["for-each-ref", "--format=%(objectname) %(refname)",
                   f"refs/heads/{branch}", "refs/tags/"], git_dir=mirror).text
    refs = []
    for line in out.splitlines():
        sha, _, name = line.partition(" ")
        if name.startswith("refs/") and is_valid_ref_name(name):
            refs.append((sha, name))
    return refs


def _write_packed_refs(repo: Path, refs: list[tuple[str, str]]) -> None:
    """Write refs straight into packed-refs: one file, however many tags upstream has.

    No `peeled` trait is declared, so git peels annotated tags itself when needed.
    """
    lines = [f"{sha} {name}\n" for sha, name in sorted(refs, key=lambda r: r[1].encode())]
    (repo / "packed-refs").write_text("# pack-refs with: sorted \n" + "".join(lines))


def create_fork(mirror: Path, dest: Path, *, default_branch: str,
                receive_hooks: bool = True) -> RepoInfo:
    """New fork at `dest` holding only the default branch and the tags of `mirror`.

    Cost does not depend on upstream size (no object is copied): the fork's
    objects/info/alternates points at the mirror (relative, so the data dir can move), and
    divergence uses the mirror's commit-graph through it. Raises RevisionNotFound when the
    mirror lacks the branch; nothing is left behind on failure.
    """
    return _build(mirror, dest, default_branch, receive_hooks, None)


def create_unowned_fork(mirror: Path, dest: Path, *, default_branch: str) -> tuple[RepoInfo, Unowned]:
    """create_fork for a repository whose row the caller is yet to commit: it arrives carrying
    the unowned mark under this process's lock, put there before anything else in its staging
    dir, so that a kill at any moment leaves something a sweep can tell from live work. Call
    `owned()` on the hold once the row committed, `abandon()` if it will not."""
    holds: list[Unowned] = []
    try:
        info = _build(mirror, dest, default_branch, True, lambda tmp: holds.append(mark_unowned(tmp)))
    except BaseException:
        for hold in holds:
            hold.release()  # the staging dir (and the mark in it) is gone already
        raise
    holds[0].moved_to(info.path)
    return info, holds[0]


def _build(mirror: Path, dest: Path, default_branch: str, receive_hooks: bool,
           prepare: Callable[[Path], object] | None) -> RepoInfo:
    mirror = Path(mirror).resolve()
    branch = validate_branch(default_branch)
    refs = _refs_to_copy(mirror, branch)
    head = next((sha for sha, name in refs if name == f"refs/heads/{branch}"), None)
    if head is None:
        raise RevisionNotFound(N_("Cabang utama tidak ditemukan di mirror upstream."))
    dest = Path(dest).parent.resolve() / Path(dest).name
    with staged(dest) as tmp:
        if prepare is not None:
            prepare(tmp)
        init_bare(tmp, default_branch=branch)
        objects = tmp / "objects"
        # tmp and dest share a parent, so the relative path stays right after the rename.
        alternate = os.path.relpath(mirror / "objects", objects)
        (objects / "info").mkdir(exist_ok=True)
        (objects / "info" / "alternates").write_text(alternate + "\n")
        _write_packed_refs(tmp, refs)
        append_config(tmp, FORK_CONFIG)
        if receive_hooks:
            install_hooks(tmp)
    return RepoInfo(dest, head, branch)
