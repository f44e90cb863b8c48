"""Mirrors: atomic clone, fetch with prune that keeps objects, size/time caps, bundles."""
from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from catalog.vcs import (
    GitTimeout,
    InvalidBundle,
    SizeLimitExceeded,
    check_remote_url,
    create_mirror,
    fetch_mirror,
    head_info,
    import_bundle,
    list_releases,
)
from tests.vcs.gitlib import Builder, git


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir()) if parent.exists() else []


def test_mirror_from_local_path(upstream: Builder, mirror: Path):
    info = head_info(mirror)
    assert info.default_branch == "main"
    assert info.head == git("rev-parse", "main", git_dir=upstream.path).strip()
    refs = git("for-each-ref", "--format=%(refname)", git_dir=mirror).split()
    assert refs == ["refs/heads/fitur", "refs/heads/main", "refs/tags/v1.0"]
    assert (mirror / "objects" / "info" / "commit-graph").exists()
    assert git("config", "gc.pruneExpire", git_dir=mirror).strip() == "never"
    assert git("config", "gc.auto", git_dir=mirror).strip() == "0"
    assert "remote.origin" not in git("config", "--list", git_dir=mirror)
    assert leftovers(mirror.parent) == ["simpeg.git"]


def test_progress_reported_in_rising_percentages(upstream: Builder, tmp_path: Path):
    seen: list[tuple[int, str]] = []
    remote = check_remote_url(str(upstream.path), allow_local=True)
    create_mirror(tmp_path / "m.git", remote, progress=lambda p, label: seen.append((p, label)))
    percents = [p for p, _ in seen]
    assert percents == sorted(percents) and percents[-1] == 100
    assert any(label == "Menerima objek" for _, label in seen)


def test_fetch_prunes_refs_but_keeps_objects(upstream: Builder, mirror: Path):
    old_fitur = git("rev-parse", "fitur", git_dir=upstream.path).strip()
    new = upstream.commit("main", {"baru.txt": "baru\n"}, "baru")
    upstream.tag("v2.0", new)
    git("update-ref", "-d", "refs/heads/fitur", git_dir=upstream.path)
    git("update-ref", "-d", "refs/tags/v1.0", git_dir=upstream.path)
    remote = check_remote_url(str(upstream.path), allow_local=True)
    info = fetch_mirror(mirror, remote, timeout=60)
    assert info.head == new
    refs = git("for-each-ref", "--format=%(refname)", git_dir=mirror).split()
    assert refs == ["refs/heads/main", "refs/tags/v2.0"]
    # a fork may still borrow the pruned branch's commit
    assert git("cat-file", "-t", old_fitur, git_dir=mirror).strip() == "commit"


def test_fetch_follows_upstream_default_branch(upstream: Builder, mirror: Path):
    git("symbolic-ref", "HEAD", "refs/heads/fitur", git_dir=upstream.path)
    info = fetch_mirror(mirror, check_remote_url(str(upstream.path), allow_local=True))
    assert info.default_branch == "fitur"


def test_size_cap_leaves_nothing_behind(upstream: Builder, tmp_path: Path):
    remote = check_remote_url(str(upstream.path), allow_local=True)
    with pytest.raises(SizeLimitExceeded):
        create_mirror(tmp_path / "m" / "a.git", remote, max_bytes=1_000)
    assert leftovers(tmp_path / "m") == []


@pytest.fixture
def stalled_server():
    """Accepts TCP connections on 127.0.0.1 and never answers: a transfer that hangs."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    conns: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                conns.append(srv.accept()[0])
            except OSError:
                continue
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield srv.getsockname()[1]
    stop.set()
    thread.join()
    for c in conns:
        c.close()
    srv.close()


def test_stalled_transfer_times_out_and_leaves_nothing(stalled_server: int, tmp_path: Path):
    remote = check_remote_url(f"http://127.0.0.1:{stalled_server}/simpeg.git",
                              allow_local=True)
    with pytest.raises(GitTimeout) as err:
        create_mirror(tmp_path / "m" / "a.git", remote, timeout=1.5)
    assert "batas waktu" in err.value.message
    assert leftovers(tmp_path / "m") == []


def test_bundle_import(upstream: Builder, tmp_path: Path):
    bundle = tmp_path / "simpeg.bundle"
    git("bundle", "create", str(bundle), "--all", git_dir=upstream.path)
    info = import_bundle(tmp_path / "m" / "simpeg.git", bundle)
    assert info.default_branch == "main"
    assert info.head == git("rev-parse", "main", git_dir=upstream.path).strip()
    assert [r.name for r in list_releases(info.path)] == ["v1.0"]
    assert leftovers(tmp_path / "m") == ["simpeg.git"]


def test_invalid_or_incomplete_bundle_refused(upstream: Builder, tmp_path: Path):
    bad = tmp_path / "rusak.bundle"
    bad.write_bytes(b"bukan bundle\n")
    with pytest.raises(InvalidBundle):
        import_bundle(tmp_path / "m" / "a.git", bad)
    thin = tmp_path / "tipis.bundle"
    git("bundle", "create", str(thin), "main~1..main", git_dir=upstream.path)
    with pytest.raises(InvalidBundle):
        import_bundle(tmp_path / "m" / "b.git", thin)
    assert leftovers(tmp_path / "m") == []
