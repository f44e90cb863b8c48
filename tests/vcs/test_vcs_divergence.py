"""Divergence numbers match raw git; commit lists, file changes, diffs and missed releases."""
from __future__ import annotations

from pathlib import Path

import pytest

from catalog.vcs import (
    changed_files,
    compute_divergence,
    count_commits_between,
    create_fork,
    file_diff,
    fork_commits,
    head_info,
    releases_since,
)
from tests.vcs.gitlib import Builder, git


@pytest.fixture
def diverged(upstream: Builder, mirror: Path, fork: Path):
    """Fork adds two commits (one binary, one rename); upstream then adds a release."""
    base = head_info(fork).head
    f = Builder(fork)
    f.commit("main", {"app.py": "print('halo kota x')\nx = 1\n", "logo.png": b"\x89PNG\0\1\2"},
             "sesuaikan untuk kota x")
    f.commit("main", {"lib/util.py": None, "lib/alat.py": "X = 1\n", "README.md": "# SIMPEG\n"},
             "ganti nama util")
    up = upstream.commit("main", {"SECURITY.md": "lapor ke csirt\n"}, "keamanan")
    upstream.tag("v1.1", up, "Perbaikan keamanan")
    git("fetch", "--quiet", str(upstream.path), "+refs/heads/*:refs/heads/*",
        "+refs/tags/*:refs/tags/*", git_dir=mirror)
    return base, up


def raw(fork: Path, *args: str) -> str:
    return git(*args, git_dir=fork).strip()


def test_divergence_equals_raw_git(diverged, fork: Path):
    base, up = diverged
    d = compute_divergence(fork, fork_ref="main", upstream_commit=up)
    behind, ahead = raw(fork, "rev-list", "--left-right", "--count", f"{up}...main").split()
    assert (d.ahead, d.behind) == (int(ahead), int(behind)) == (2, 1)
    assert d.merge_base == raw(fork, "merge-base", up, "main") == base
    stat = raw(fork, "diff", "--shortstat", base, "main")
    assert stat.startswith(f"{d.files_changed} files changed")
    assert f"{d.insertions} insertion" in stat and f"{d.deletions} deletion" in stat
    names = raw(fork, "diff", "--no-renames", "--name-only", up, "main").splitlines()
    assert d.files_differing_from_upstream == len(names)
    assert d.fork_head == raw(fork, "rev-parse", "main") and d.upstream_head == up


def test_divergence_of_untouched_fork_is_zero(upstream: Builder, fork: Path):
    head = head_info(fork).head
    d = compute_divergence(fork, fork_ref="main", upstream_commit=head)
    assert (d.ahead, d.behind, d.files_changed, d.files_differing_from_upstream) == (0, 0, 0, 0)


def test_divergence_on_large_history_via_mirror_commit_graph(large_mirror: Path,
                                                             tmp_path: Path):
    fork = create_fork(large_mirror, tmp_path / "besar.git", default_branch="main").path
    Builder(fork).commit("main", {"lokal.txt": "x"}, "lokal")
    old = git("rev-parse", "main~5000", git_dir=large_mirror).strip()
    d = compute_divergence(fork, fork_ref="main", upstream_commit=old)
    assert (d.ahead, d.behind) == (5001, 0)
    assert d.files_differing_from_upstream == 101  # 100 rewritten blobs + lokal.txt


def test_fork_commits(diverged, fork: Path):
    _, up = diverged
    commits = fork_commits(fork, "main", up)
    assert [c.summary for c in commits] == ["ganti nama util", "sesuaikan untuk kota x"]
    assert commits[0].author_email == "uji@contoh.go.id" and commits[0].date.tzinfo
    assert len(fork_commits(fork, "main", up, limit=1)) == 1


def test_changed_files_numstat_binary_and_rename(diverged, fork: Path):
    base, _ = diverged
    changes = {c.path: c for c in changed_files(fork, base, "main")}
    assert changes["logo.png"].binary and changes["logo.png"].status == "A"
    assert changes["app.py"].status == "M" and changes["app.py"].insertions == 2
    assert changes["lib/alat.py"].status == "R" and changes["lib/alat.py"].old_path == \
        "lib/util.py"
    assert len(changed_files(fork, base, "main", limit=1)) == 1


def test_file_diff_raw_and_truncated(diverged, fork: Path):
    base, _ = diverged
    diff = file_diff(fork, base, "main", "app.py")
    assert not diff.truncated and "+print('halo kota x')" in diff.text
    short = file_diff(fork, base, "main", "app.py", max_bytes=20)
    assert short.truncated and len(short.text) <= 20


def test_releases_since_and_commit_count(diverged, mirror: Path, fork: Path):
    base, up = diverged
    assert [r.name for r in releases_since(mirror, base)] == ["v1.1"]
    assert releases_since(mirror, up) == []
    assert count_commits_between(fork, base, "main") == 2
    assert count_commits_between(mirror, base, up) == 1
