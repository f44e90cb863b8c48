"""Reads from bare repositories: revisions, blobs (symlinks never followed), trees, releases."""
from __future__ import annotations

from pathlib import Path

import pytest

from catalog.vcs import RevisionNotFound, SizeLimitExceeded, head_info, list_releases, list_tree, read_blob, resolve
from tests.vcs.gitlib import Builder, git, init_bare


@pytest.fixture
def repo(tmp_path: Path) -> Builder:
    b = Builder(init_bare(tmp_path / "r.git"))
    b.commit("main", {"README.md": "# Halo\n", "docs/panduan.md": "isi\n",
                      "besar.bin": b"\0" * 5000},
             symlinks={"rahasia": "/etc/passwd", "docs/naik": "../../etc/shadow"})
    return b


def test_resolve_and_head_info(repo: Builder):
    sha = git("rev-parse", "main", git_dir=repo.path).strip()
    assert resolve(repo.path, "main") == sha
    assert resolve(repo.path, sha[:7]) == sha
    assert resolve(repo.path, "tidak-ada") is None
    assert resolve(repo.path, "--all") is None
    assert resolve(repo.path, "main:README.md") is None
    assert head_info(repo.path).default_branch == "main"


def test_empty_repo_head_info(tmp_path: Path):
    info = head_info(init_bare(tmp_path / "kosong.git"))
    assert info.head is None and info.default_branch == "main"


def test_read_blob(repo: Builder):
    assert read_blob(repo.path, "main", "README.md") == b"# Halo\n"
    assert read_blob(repo.path, "main", "/docs/panduan.md") == b"isi\n"
    assert read_blob(repo.path, "main", "tidak-ada.md") is None
    assert read_blob(repo.path, "main", "docs") is None  # a directory
    assert read_blob(repo.path, "tidak-ada", "README.md") is None
    assert read_blob(repo.path, "main", "../README.md") is None


def test_symlink_returns_link_text_never_target(repo: Builder):
    assert read_blob(repo.path, "main", "rahasia") == b"/etc/passwd"
    assert read_blob(repo.path, "main", "docs/naik") == b"../../etc/shadow"


def test_read_blob_size_cap(repo: Builder):
    with pytest.raises(SizeLimitExceeded):
        read_blob(repo.path, "main", "besar.bin", max_bytes=100)


def test_list_tree(repo: Builder):
    root = {e.name: e for e in list_tree(repo.path, "main")}
    assert root["docs"].kind == "tree" and root["rahasia"].kind == "symlink"
    assert root["README.md"].kind == "blob" and root["README.md"].size == 7
    docs = list_tree(repo.path, "main", "docs")
    assert sorted(e.path for e in docs) == ["docs/naik", "docs/panduan.md"]
    with pytest.raises(RevisionNotFound):
        list_tree(repo.path, "main", "tidak-ada")


def test_releases_newest_first_annotated_and_lightweight(repo: Builder):
    c1 = git("rev-parse", "main", git_dir=repo.path).strip()
    repo.tag("v1.0", c1, "Rilis pertama\n\nCatatan rilis.")
    c2 = repo.commit("main", {"a.txt": "a"}, "perbaikan keamanan")
    repo.tag("v1.1", c2)
    tree = git("rev-parse", "main^{tree}", git_dir=repo.path).strip()
    repo.tag("pohon", tree)  # a tag on a tree is not a release
    releases = list_releases(repo.path)
    assert [r.name for r in releases] == ["v1.1", "v1.0"]
    assert releases[0].commit == c2 and releases[0].message == "perbaikan keamanan"
    assert releases[1].commit == c1 and releases[1].message.startswith("Rilis pertama")
    assert all(r.date.tzinfo is not None for r in releases)
    assert releases[0].date > releases[1].date
