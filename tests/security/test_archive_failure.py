"""Issue 13: a failed `git archive` must not answer 200 with a truncated file.

A real failure, not a mock: the fork's repository gets a commit whose second file is a corrupt
loose object (its header intact, so the tree measures fine; its content cut off, so git archive
dies half-way with exit 128 after it has already written the first file). Streaming straight
from git sent those first bytes with 200 and then stopped; the download is now made into a
temporary file first and answers 503 with a clear message, and leaves no file behind.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from catalog import vcs
from catalog.services import repo_paths
from catalog.vcs.archive import build_archive, stream_archive
from tests.repos.conftest import adopter, fork, published_app, source_repo  # noqa: F401  (fixtures)
from tests.vcs.gitlib import git


def _corrupt_commit(repo: Path, parent: str | None = None) -> str:
    """A commit with `a.bin` (fine, 400 KB) and `z.bin` (a loose object cut after its header)."""
    blobs = {}
    for name, size in (("a.bin", 400_000), ("z.bin", 300_000)):
        data = os.urandom(size)
        blobs[name] = git("hash-object", "-w", "--stdin", git_dir=repo, input=data).strip()
    entries = "".join(f"100644 blob {sha}\t{name}\n" for name, sha in sorted(blobs.items()))
    tree = git("mktree", git_dir=repo, input=entries.encode()).strip()
    args = ["commit-tree", tree, "-m", "berkas rusak", *(["-p", parent] if parent else [])]
    commit = git(*args, git_dir=repo).strip()
    loose = repo / "objects" / blobs["z.bin"][:2] / blobs["z.bin"][2:]
    data = loose.read_bytes()
    os.chmod(loose, 0o644)
    loose.write_bytes(data[: len(data) // 3])  # the zlib stream stops a third of the way in
    return commit


@pytest.fixture
def broken(tmp_path: Path) -> tuple[Path, str]:
    repo = tmp_path / "rusak.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(repo))
    commit = _corrupt_commit(repo)
    git("update-ref", "refs/heads/main", commit, git_dir=repo)
    return repo, commit


def test_streaming_straight_from_git_would_send_a_truncated_body(broken):
    """What the download did before: bytes go out, then git fails (too late for the status)."""
    repo, commit = broken
    body = stream_archive(repo, commit, "zip", "x")
    first = next(iter(body))
    assert first  # already sent with 200 in the old route
    with pytest.raises(vcs.GitCommandError):
        b"".join(body)


def test_build_archive_raises_and_leaves_no_file(broken, tmp_path):
    repo, commit = broken
    spool = tmp_path / "spool"
    spool.mkdir()
    with pytest.raises(vcs.GitCommandError) as caught:
        build_archive(repo, commit, "zip", "x", tmp_dir=spool)
    assert caught.value.returncode != 0
    assert list(spool.iterdir()) == []  # unlinked temporary file, closed


def test_build_archive_of_a_sound_commit_is_complete(tmp_path):
    repo = tmp_path / "baik.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(repo))
    blob = git("hash-object", "-w", "--stdin", git_dir=repo, input=b"halo\n").strip()
    tree = git("mktree", git_dir=repo, input=f"100644 blob {blob}\tREADME.md\n".encode()).strip()
    commit = git("commit-tree", tree, "-m", "awal", git_dir=repo).strip()
    built = build_archive(repo, commit, "tar.gz", "x")
    data = b"".join(built)
    assert len(data) == built.size and data[:2] == b"\x1f\x8b"
    assert built.fh.closed


def test_download_of_a_corrupt_commit_answers_503_not_a_truncated_200(client, fork):
    repo = repo_paths.absolute(fork.relpath)
    head = git("rev-parse", "refs/heads/main", git_dir=repo).strip()
    commit = _corrupt_commit(repo, head)
    git("update-ref", "refs/heads/main", commit, git_dir=repo)  # as a push would leave it
    for fmt in ("zip", "tar.gz"):
        r = client.get(f"/forks/{fork.id}/download?rev=main&format={fmt}")
        assert r.status_code == 503, (fmt, r.status_code)
        assert r.mimetype == "text/html" and "Content-Disposition" not in r.headers
        assert "Arsip tidak dapat dibuat saat ini" in r.get_data(as_text=True)
    r = client.get(f"/forks/{fork.id}/download?rev=v1.0.0&format=zip")
    assert r.status_code == 200 and int(r.headers["Content-Length"]) == len(r.data)  # sound versions still serve
