"""vcs.prune on plain bare repositories: what it deletes, what it keeps, when it does nothing."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from catalog.vcs import prune as p
from catalog.vcs.errors import VcsError
from tests.vcs.gitlib import git, init_bare


def _commit(repo: Path, text: str, parent: str | None = None) -> str:
    blob = git("hash-object", "-w", "--stdin", git_dir=repo, input=text.encode()).strip()
    tree = git("mktree", git_dir=repo, input=f"100644 blob {blob}\tf.txt\n".encode()).strip()
    return git("commit-tree", tree, "-m", text, *(["-p", parent] if parent else []), git_dir=repo).strip()


def _age(repo: Path) -> None:
    past = time.time() - 3600
    for path in (repo / "objects").rglob("*"):
        if path.is_file():
            os.utime(path, (past, past))


def _stored(repo: Path, sha: str) -> bool:
    return git("cat-file", "-t", sha, git_dir=repo, check=False).strip() != ""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    r = init_bare(tmp_path / "r.git")
    base = _commit(r, "awal")
    git("update-ref", "refs/heads/main", base, git_dir=r)
    return r


def test_first_prune_runs_then_a_fast_forward_costs_no_repack(repo):
    assert p.dropped_tips(repo) is None
    first = p.prune(repo, grace=0)
    assert first.ran and (repo / p.TIPS_FILE).exists()
    head = git("rev-parse", "main", git_dir=repo).strip()
    git("update-ref", "refs/heads/main", _commit(repo, "dua", head), git_dir=repo)
    assert p.dropped_tips(repo) == []
    assert p.prune(repo, grace=0).ran is False


def test_dropped_commit_goes_after_the_grace_and_is_pending_until_then(repo):
    p.prune(repo, grace=0)
    head = git("rev-parse", "main", git_dir=repo).strip()
    secret = _commit(repo, "rahasia", head)
    git("update-ref", "refs/heads/main", secret, git_dir=repo)
    p.prune(repo, grace=0)  # records the secret as a tip
    git("update-ref", "refs/heads/main", head, git_dir=repo)  # "force push" back
    assert p.dropped_tips(repo) == [secret]
    kept = p.prune(repo, grace=300)
    assert kept.ran and kept.remaining == (secret,) and p.is_pending(repo)
    assert _stored(repo, secret)
    _age(repo)
    done = p.prune(repo, grace=300)
    assert done.ran and done.remaining == () and not p.is_pending(repo)
    assert not _stored(repo, secret) and _stored(repo, head)


def test_pushes_after_a_drop_leave_the_waiting_tips_to_the_retry(repo):
    """A push job (retry_pending=False) after a force push does not repack again for tips that
    still wait out the grace; a new drop does, and the retry (the sweep) deletes them once aged."""
    p.prune(repo, grace=0)
    head = git("rev-parse", "main", git_dir=repo).strip()
    secret = _commit(repo, "rahasia", head)
    git("update-ref", "refs/heads/main", secret, git_dir=repo)
    p.prune(repo, grace=0)
    git("update-ref", "refs/heads/main", head, git_dir=repo)  # "force push" back
    assert p.prune(repo, grace=300, retry_pending=False).remaining == (secret,)  # kept by the grace
    after = _commit(repo, "dua", head)
    git("update-ref", "refs/heads/main", after, git_dir=repo)  # the next, ordinary push
    packs = sorted((repo / "objects" / "pack").glob("*.pack"))
    quiet = p.prune(repo, grace=300, retry_pending=False)
    assert not quiet.ran and quiet.remaining == (secret,) and p.is_pending(repo)
    assert sorted((repo / "objects" / "pack").glob("*.pack")) == packs  # no repack
    other = _commit(repo, "rahasia lain", after)
    git("update-ref", "refs/heads/main", other, git_dir=repo)
    p.prune(repo, grace=0, retry_pending=False)  # records it as a tip
    git("update-ref", "refs/heads/main", after, git_dir=repo)  # a new drop: that push job repacks
    _age(repo)
    fresh = p.prune(repo, grace=300, retry_pending=False)
    assert fresh.ran and fresh.remaining == () and not _stored(repo, other) and not _stored(repo, secret)
    assert not p.is_pending(repo) and _stored(repo, after)


def test_the_retry_deletes_a_waiting_tip_once_aged(repo):
    p.prune(repo, grace=0)
    head = git("rev-parse", "main", git_dir=repo).strip()
    secret = _commit(repo, "rahasia", head)
    git("update-ref", "refs/heads/main", secret, git_dir=repo)
    p.prune(repo, grace=0)
    git("update-ref", "refs/heads/main", head, git_dir=repo)
    p.prune(repo, grace=300, retry_pending=False)
    _age(repo)
    assert not p.prune(repo, grace=300, retry_pending=False).ran  # the push job leaves it to the retry
    assert _stored(repo, secret)
    done = p.prune(repo, grace=300)  # the sweep's retry
    assert done.ran and not _stored(repo, secret) and not p.is_pending(repo)


def test_keep_survives_and_leaves_no_ref(repo):
    p.prune(repo, grace=0)
    head = git("rev-parse", "main", git_dir=repo).strip()
    deployed, other = _commit(repo, "dipasang", head), _commit(repo, "lain", head)
    p.prune(repo, grace=0, keep=[deployed, "ab" * 20], force=True)
    assert _stored(repo, deployed) and not _stored(repo, other)
    assert git("for-each-ref", git_dir=repo).split()[-1] == "refs/heads/main"
    assert "refs/catalog-keep" in git("config", "--get-all", "transfer.hideRefs", git_dir=repo)


def test_a_second_prune_at_the_same_time_is_refused(repo):
    with p._repo_lock(repo, mirror=False), pytest.raises(VcsError):
        p.prune(repo, grace=0)


def test_a_dropped_tag_of_a_blob_does_not_break_the_check(repo):
    p.prune(repo, grace=0)
    blob = git("hash-object", "-w", "--stdin", git_dir=repo, input=b"lepas\n").strip()
    git("update-ref", "refs/tags/blob", blob, git_dir=repo)
    p.prune(repo, grace=0)
    git("update-ref", "-d", "refs/tags/blob", git_dir=repo)
    assert p.dropped_tips(repo) == [blob]
    _age(repo)
    assert p.prune(repo, grace=0).ran and not _stored(repo, blob)
