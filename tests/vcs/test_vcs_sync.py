"""Sync without a worktree: up to date, fast-forward, clean merge, conflict that writes nothing."""
from __future__ import annotations

from pathlib import Path

import pytest

from catalog.vcs import Identity, RefChanged, head_info, sync_upstream
from catalog.vcs.sync import update_ref
from tests.vcs.gitlib import Builder, git, loose_objects

AUTHOR = Identity("Admin Kota X", "admin@kotax.go.id")


def refs(repo: Path) -> str:
    return git("for-each-ref", git_dir=repo)


def upstream_commit(upstream: Builder, mirror: Path, files: dict, message: str) -> str:
    sha = upstream.commit("main", files, message)
    git("fetch", "--quiet", str(upstream.path), "+refs/heads/*:refs/heads/*", git_dir=mirror)
    return sha


def test_up_to_date(fork: Path):
    head = head_info(fork).head
    assert sync_upstream(fork, branch="main", upstream_commit=head, author=AUTHOR).outcome \
        == "up_to_date"


def test_fast_forward(upstream: Builder, mirror: Path, fork: Path):
    up = upstream_commit(upstream, mirror, {"baru.txt": "x"}, "baru")
    result = sync_upstream(fork, branch="main", upstream_commit=up, author=AUTHOR)
    assert result.outcome == "fast_forward" and result.new_head == up
    assert head_info(fork).head == up


def test_clean_merge_has_both_parents_and_both_changes(upstream: Builder, mirror: Path,
                                                       fork: Path):
    own = Builder(fork).commit("main", {"kota.txt": "kota x\n"}, "lokal")
    up = upstream_commit(upstream, mirror, {"SECURITY.md": "csirt\n"}, "keamanan")
    result = sync_upstream(fork, branch="main", upstream_commit=up, author=AUTHOR)
    assert result.outcome == "merged" and result.conflicts == ()
    parents = git("rev-list", "--parents", "-n1", "main", git_dir=fork).split()[1:]
    assert parents == [own, up]
    files = git("ls-tree", "--name-only", "main", git_dir=fork).split()
    assert "kota.txt" in files and "SECURITY.md" in files
    author = git("log", "-1", "--format=%an <%ae>", "main", git_dir=fork).strip()
    assert author == "Admin Kota X <admin@kotax.go.id>"
    git("fsck", "--connectivity-only", git_dir=fork)
    assert not list((fork / "objects").glob("tmp_objdir-*"))


def test_conflict_lists_files_and_writes_nothing(upstream: Builder, mirror: Path, fork: Path):
    Builder(fork).commit("main", {"app.py": "print('versi kota x')\n"}, "lokal")
    up = upstream_commit(upstream, mirror, {"app.py": "print('versi pusat')\n"}, "pusat")
    before_refs, before_objects = refs(fork), loose_objects(fork)
    result = sync_upstream(fork, branch="main", upstream_commit=up, author=AUTHOR)
    assert result.outcome == "conflict" and result.conflicts == ("app.py",)
    assert result.new_head is None
    assert refs(fork) == before_refs
    assert loose_objects(fork) == before_objects
    assert not list((fork / "objects").glob("tmp_objdir-*"))


def test_compare_and_swap_detects_concurrent_push(fork: Path):
    head = head_info(fork).head
    other = Builder(fork).commit("main", {"x": "x"}, "push lain")
    with pytest.raises(RefChanged):
        update_ref(fork, "refs/heads/main", head, head, "uji")
    assert head_info(fork).head == other
