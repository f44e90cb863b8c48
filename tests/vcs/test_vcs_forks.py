"""Forks borrow objects through alternates: cost independent of upstream size."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from catalog.vcs import RevisionNotFound, compute_divergence, create_fork, head_info
from tests.vcs.gitlib import Builder, du, git


def test_fork_of_a_large_upstream_borrows_its_objects(large_mirror: Path, tmp_path: Path):
    """Disk and objects, not time: bench/bench_git.py times fork creation at national scale."""
    create_fork(large_mirror, tmp_path / "f" / "besar.git", default_branch="main")
    assert du(large_mirror) > 4 * 1024 * 1024 and du(tmp_path / "f" / "besar.git") < 1024 * 1024
    assert git("count-objects", "-v", git_dir=tmp_path / "f" / "besar.git").count(
        "in-pack: 0") == 1
    assert git("rev-list", "--count", "main", git_dir=tmp_path / "f" / "besar.git").strip() \
        == "10000"


def test_fork_copies_default_branch_and_tags_only(upstream: Builder, mirror: Path, fork: Path):
    refs = git("for-each-ref", "--format=%(refname) %(objecttype)", git_dir=fork).splitlines()
    assert refs == ["refs/heads/main commit", "refs/tags/v1.0 tag"]
    assert git("rev-parse", "v1.0^{commit}", git_dir=fork).strip() == \
        git("rev-parse", "v1.0^{commit}", git_dir=mirror).strip()
    info = head_info(fork)
    assert info.default_branch == "main" and info.head == head_info(mirror).head
    assert not (fork / "objects" / "info" / "commit-graph").exists()
    assert (fork / "hooks" / "pre-receive").exists()


def test_alternates_relative_so_data_dir_can_move(fork: Path, tmp_path: Path):
    alternates = (fork / "objects" / "info" / "alternates").read_text().strip()
    assert not alternates.startswith("/")
    moved = tmp_path / "pindah"
    shutil.copytree(tmp_path / "forks", moved / "forks")
    shutil.copytree(tmp_path / "mirrors", moved / "mirrors")
    shutil.rmtree(tmp_path / "forks")
    shutil.rmtree(tmp_path / "mirrors")
    new_fork = moved / "forks" / "kota-x" / "simpeg.git"
    head = head_info(new_fork).head
    assert head and compute_divergence(new_fork, fork_ref="main", upstream_commit=head).ahead == 0


def test_fork_of_missing_branch_leaves_nothing(mirror: Path, tmp_path: Path):
    with pytest.raises(RevisionNotFound):
        create_fork(mirror, tmp_path / "f" / "x.git", default_branch="tidak-ada")
    assert not (tmp_path / "f").exists() or list((tmp_path / "f").iterdir()) == []


def test_fork_refuses_existing_destination(mirror: Path, fork: Path):
    from catalog.vcs import VcsError
    with pytest.raises(VcsError):
        create_fork(mirror, fork, default_branch="main")
