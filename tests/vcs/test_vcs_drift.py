"""Two-step divergence (counts for lists, details for the page) equals the full computation;
fork heads read from ref files equal what git resolves."""
from __future__ import annotations

from pathlib import Path

import pytest

from catalog.vcs import compute_divergence, drift_counts, drift_details, fork_commits, read_branch_head, resolve
from catalog.vcs.contributions import cherry_marks
from tests.vcs.gitlib import Builder, git


def _sync(upstream: Builder, mirror: Path) -> str:
    git("fetch", "--quiet", str(upstream.path), "+refs/heads/*:refs/heads/*", git_dir=mirror)
    return git("rev-parse", "main", git_dir=mirror).strip()


def _assert_same(fork: Path, up: str) -> None:
    head = read_branch_head(fork, "main")
    assert head == resolve(fork, "refs/heads/main")
    full = compute_divergence(fork, fork_ref="main", upstream_commit=up)
    counts = drift_counts(fork, head, up)
    details = drift_details(fork, counts)
    assert (counts.ahead, counts.behind, counts.files_changed, counts.insertions, counts.deletions) == \
        (full.ahead, full.behind, full.files_changed, full.insertions, full.deletions)
    assert (details.merge_base, details.files_differing_from_upstream) == \
        (full.merge_base, full.files_differing_from_upstream)
    assert details.own_commits == fork_commits(fork, "main", up, limit=50)
    marks = cherry_marks(fork, up, head)  # the separate command the details' marks replace
    assert details.upstreamed == {c.sha for c in details.own_commits if marks.get(c.sha)}


@pytest.mark.parametrize("shape", ["same", "ahead", "behind", "both", "unrelated"])
def test_two_steps_equal_the_full_computation(shape, upstream: Builder, mirror: Path, fork: Path):
    f = Builder(fork)
    if shape in ("ahead", "both"):
        f.commit("main", {"app.py": "print('kota x')\n", "baru.txt": "a\nb\n"}, "daerah")
    if shape in ("behind", "both"):
        upstream.commit("main", {"SECURITY.md": "lapor\n", "README.md": None}, "induk")
    if shape == "unrelated":
        orphan = f.commit("lain", {"x.txt": "x\n"}, "tanpa induk", parents=[])
        git("update-ref", "refs/heads/main", orphan, git_dir=fork)
    _assert_same(fork, _sync(upstream, mirror))


def test_criss_cross_merge_picks_the_same_merge_base(upstream: Builder, mirror: Path, fork: Path):
    base = _sync(upstream, mirror)
    f = Builder(fork)
    side = f.commit("main", {"s.txt": "s\n"}, "sisi daerah")
    up1 = upstream.commit("main", {"u.txt": "u\n"}, "sisi induk", parents=[base])
    git("fetch", "--quiet", str(upstream.path), "main:refs/induk", git_dir=fork)
    f.commit("main", {"s.txt": "s2\n"}, "gabung", parents=[side, up1])
    git("fetch", "--quiet", str(fork), f"{side}:refs/daerah", git_dir=upstream.path)
    upstream.commit("main", {"u.txt": "u2\n"}, "gabung induk", parents=[up1, side])
    up = _sync(upstream, mirror)
    assert len(git("merge-base", "--all", up, "main", git_dir=fork).split()) == 2
    _assert_same(fork, up)


def test_own_commits_whose_change_upstream_took_are_marked(upstream: Builder, mirror: Path, fork: Path):
    f = Builder(fork)
    taken = f.commit("main", {"perbaikan.py": "AMAN = True\n"}, "perbaikan keamanan")
    own = f.commit("main", {"daerah.txt": "kota x\n"}, "khusus daerah")
    upstream.commit("main", {"perbaikan.py": "AMAN = True\n"}, "perbaikan keamanan (dari kota x)")
    up = _sync(upstream, mirror)
    details = drift_details(fork, drift_counts(fork, read_branch_head(fork, "main"), up))
    assert [c.sha for c in details.own_commits] == [own, taken]
    assert details.upstreamed == {taken}
    _assert_same(fork, up)


def test_branch_head_from_loose_ref_packed_refs_or_git(fork: Path):
    packed = read_branch_head(fork, "main")  # a new fork has packed-refs only
    assert packed == resolve(fork, "refs/heads/main") and not (fork / "refs/heads/main").exists()
    loose = Builder(fork).commit("main", {"x": "x\n"}, "x")
    assert read_branch_head(fork, "main") == loose  # loose wins over packed
    assert read_branch_head(fork, "tidak-ada") is None
    (fork / "refs/heads/main").write_text("ref: refs/heads/lain\n")  # odd: left to git
    git("update-ref", "refs/heads/lain", packed, git_dir=fork)
    assert read_branch_head(fork, "main") == packed
