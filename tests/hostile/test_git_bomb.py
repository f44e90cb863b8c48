"""Git bombs: a few hundred bytes of objects whose trees expand to 10**10 paths. Mirroring works
(git only stores the ~12 objects); everything that would walk every path — downloads, diffs,
divergence, listings — is stopped by an entry/byte cap, a heap cap or the clock, and says so."""
from __future__ import annotations

import time

import pytest

from catalog import vcs
from catalog.extensions import db
from catalog.services import repo_paths
from catalog.services.repos import forks
from catalog.vcs.runner import MiB
from tests.hostile.trees import base_files, bomb_tree, commit, new_repo, tag, tree
from tests.vcs.gitlib import git

# System-level attack reproductions (real git processes and servers): `make test` runs them, the edit loop does not.
pytestmark = pytest.mark.slow

DIFF_TIMEOUT = 20  # the test's cap per diff command: every bounded call below ends before it


@pytest.fixture
def bounded(app):
    """Small caps so that each refusal comes in seconds (production defaults are larger)."""
    app.config.update(GIT_DIFF_TIMEOUT=DIFF_TIMEOUT, GIT_DIFF_MAX_MEMORY=64 * MiB)
    return app


def _bomb_commit(repo, parents=(), message="bom"):
    entries = {**base_files(repo), "bom": ("040000", bomb_tree(repo))}
    return commit(repo, tree(repo, entries), message, list(parents))


def test_bomb_in_upstream_mirrors_and_every_page_stays_bounded(bounded, publish, fork_of, client, tmp_path):
    upstream = new_repo(tmp_path / "sumber" / "bom.git")
    head = _bomb_commit(upstream)
    tag(upstream, "v1.0.0", head)
    row, mirror = publish(upstream, slug="bom")
    assert mirror.state == "ready", mirror.error  # 10**10 paths, a few KB on disk
    assert mirror.size_bytes < 1024 * 1024
    assert client.get("/apps/bom").status_code == 200
    assert client.get("/api/v1/apps/bom").status_code == 200

    for query in ("rev=v1.0.0&format=zip", "rev=HEAD&format=tar.gz"):
        started = time.monotonic()
        r = client.get(f"/apps/bom/download?{query}")
        assert r.status_code == 409, r.status_code
        assert "git clone" in r.get_data(as_text=True)  # a clear refusal, not a broken zip
        assert time.monotonic() - started < DIFF_TIMEOUT

    fork = fork_of("bom")
    assert client.get(f"/forks/{fork.id}").status_code == 200
    assert forks.fork_changes(fork).changes == []
    r = client.get(f"/forks/{fork.id}/diff", query_string={"path": "bom"})
    assert r.status_code == 404  # a folder: its diff would walk 10**10 paths
    assert client.get(f"/forks/{fork.id}/download?format=zip").status_code == 409
    entries = vcs.list_tree(repo_paths.absolute(mirror.relpath), "HEAD", "bom/d1/d2", limit=5)
    assert [e.name for e in entries] == ["d0", "d1", "d2", "d3", "d4"]


@pytest.mark.slow  # every walk runs into its limit: ~12 s
def test_bomb_pushed_to_a_fork_is_refused_by_every_walk(bounded, published_app, people, fork_of, client):
    fork = fork_of("simanja")
    path = repo_paths.absolute(fork.relpath)
    old_head = git("rev-parse", "main", git_dir=path).strip()
    bomb = _bomb_commit(path, [old_head], "tambah bom")  # as a push would leave it (objects + ref)
    started = time.monotonic()
    forks.record_push(fork.relpath, people["adopter"].id)  # the post-receive path: refresh divergence
    assert time.monotonic() - started < 3 * DIFF_TIMEOUT
    db.session.rollback()
    fork = forks.get_fork(fork.id)
    assert fork.divergence_error  # "too large to process", stored for the page
    assert fork.fork_head == old_head  # the stored numbers stay those of the last good computation

    page = client.get(f"/forks/{fork.id}")
    assert page.status_code == 200 and fork.divergence_error in page.get_data(as_text=True)
    with pytest.raises(vcs.SizeLimitExceeded):
        vcs.changed_files(path, old_head, bomb, timeout=DIFF_TIMEOUT, max_memory=64 * MiB)
    with pytest.raises((vcs.SizeLimitExceeded, vcs.GitTimeout)):
        vcs.compute_divergence(path, fork_ref="main", upstream_commit=old_head, timeout=DIFF_TIMEOUT,
                               max_memory=64 * MiB)
    with pytest.raises(vcs.RevisionNotFound):
        vcs.file_diff(path, old_head, bomb, "bom/d0")
    one = vcs.file_diff(path, old_head, bomb, "bom/" + "/".join(["d3"] * 10) + "/f")
    assert "+bom" in one.text  # one file deep inside is fine
    r = client.get(f"/forks/{fork.id}/download?format=zip")
    assert r.status_code == 409


def test_archive_stream_is_capped_even_past_the_measure(tmp_path):
    """The byte cap on the stream itself: git is killed and iteration ends with an error."""
    repo = new_repo(tmp_path / "besar.git")
    head = commit(repo, tree(repo, base_files(repo)), "awal")
    chunks = vcs.stream_archive(repo, head, "zip", "x")
    chunks.max_bytes = 10  # as if git wrote more than the measured tree accounts for
    with pytest.raises(vcs.SizeLimitExceeded):
        b"".join(chunks)
    assert chunks.stream.proc.poll() is not None  # git is gone


def test_measure_stops_early_on_a_bomb(tmp_path):
    repo = new_repo(tmp_path / "bom.git")
    head = _bomb_commit(repo)
    started = time.monotonic()
    with pytest.raises(vcs.SizeLimitExceeded):
        vcs.archive.measure_tree(repo, head, max_entries=10_000)
    assert time.monotonic() - started < DIFF_TIMEOUT


def test_directory_listing_stops_at_its_limit(tmp_path):
    """One directory with 200,000 entries: list_tree reads only what it returns."""
    repo = new_repo(tmp_path / "lebar.git")
    from tests.hostile.trees import blob, mktree
    sha = blob(repo, "x\n")
    wide = mktree(repo, [("100644", sha, f"f{i:06d}") for i in range(200_000)])
    head = commit(repo, tree(repo, {**base_files(repo), "lebar": ("040000", wide)}), "lebar")
    entries = vcs.list_tree(repo, head, "lebar", limit=100)
    assert len(entries) == 100 and entries[0].name == "f000000"


def test_upstream_bomb_on_refresh_is_diffed_outside_the_write_lock(bounded, publish, fork_of, people, app,
                                                                   monkeypatch, tmp_path):
    """After a fetch the worker diffs upstream against each fork for notifications; with a bomb that
    runs until the diff limits. It must not hold SQLite's one write lock meanwhile (web writes
    would fail with "database is locked" after the 15 s busy timeout)."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri.startswith("sqlite:///"):
        pytest.skip("the single write lock is SQLite's")
    import sqlite3

    from catalog.services.repos import mirrors
    upstream = new_repo(tmp_path / "sumber" / "tumbuh.git")
    head = commit(upstream, tree(upstream, base_files(upstream)), "awal")
    publish(upstream, slug="tumbuh")
    fork = fork_of("tumbuh")
    path = repo_paths.absolute(fork.relpath)
    commit(path, tree(path, {**base_files(path), "README.md": ("100644", _blob(path, "# daerah\n"))}), "daerah",
           [head])
    forks.record_push(fork.relpath, people["adopter"].id)
    _bomb_commit(upstream, [head], "induk menambah bom")

    real, lock_free = vcs.changed_files, []

    def spy(*args, **kwargs):
        other = sqlite3.connect(uri.removeprefix("sqlite:///"), timeout=0.5)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.rollback()
            lock_free.append(True)
        except sqlite3.OperationalError:
            lock_free.append(False)
        finally:
            other.close()
        return real(*args, **kwargs)

    monkeypatch.setattr(vcs, "changed_files", spy)
    started = time.monotonic()
    mirrors.request_refresh("tumbuh", actor=people["admin"])
    db.session.rollback()
    assert mirrors.get_mirror_by_slug("tumbuh").state == "ready"  # the bomb itself is a few objects
    assert lock_free and all(lock_free), lock_free
    assert time.monotonic() - started < 4 * DIFF_TIMEOUT


def _blob(repo, text):
    from tests.hostile.trees import blob
    return blob(repo, text)
