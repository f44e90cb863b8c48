"""A fork's disk quota (issue 13, "Also"): written into the fork's git config when it is made,
enforced by pre-receive on real pushes over the catalog's HTTP, repaired by fsck."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from catalog.extensions import db
from catalog.models import AuditEvent
from catalog.services import repo_paths
from catalog.services.repos import forks
from catalog.vcs import hooks
from tests.repos.gitclient import git, with_token

QUOTA = 64 * 1024


def _push_events(fork_id: int) -> list[AuditEvent]:
    db.session.rollback()  # the live server's thread committed in its own session
    return list(db.session.execute(db.select(AuditEvent).where(
        AuditEvent.action == "fork.push", AuditEvent.object_id == str(fork_id))).scalars())


def _stored_files(repo: Path) -> dict[str, int]:
    """Every file under the repository's objects dir (its own objects, quarantines) with its size."""
    return {str(p.relative_to(repo)): p.stat().st_size for p in (repo / "objects").rglob("*") if p.is_file()}


@pytest.fixture
def small_fork(app, published_app, adopter):
    app.config["FORK_QUOTA_BYTES"] = QUOTA  # before the fork is made: creation writes it
    return forks.create_fork("simanja", actor=adopter)


def test_the_quota_is_written_into_the_forks_git_config(small_fork):
    repo = repo_paths.absolute(small_fork.relpath)
    assert hooks.read_quota(repo) == QUOTA
    assert git("config", "--get", "catalog.quotaBytes", cwd=repo).stdout.strip() == str(QUOTA)


def test_push_over_the_quota_is_refused_with_the_message_and_nothing_is_stored(
        small_fork, adopter, token_for, live_server, tmp_path):
    repo = repo_paths.absolute(small_fork.relpath)
    url = with_token(f"{live_server}/git/{small_fork.relpath}", token_for(adopter)["Authorization"].split()[1])
    work = tmp_path / "kerja"
    git("clone", url, str(work))

    (work / "catatan.txt").write_text("Perubahan kecil untuk daerah.\n")  # under the quota: accepted
    git("add", ".", cwd=work)
    git("commit", "-m", "Catatan daerah", cwd=work)
    git("push", url, "main", cwd=work)
    accepted = git("rev-parse", "HEAD", cwd=work).stdout.strip()
    assert git("rev-parse", "refs/heads/main", cwd=repo).stdout.strip() == accepted
    assert len(_push_events(small_fork.id)) == 1
    before = _stored_files(repo)

    (work / "cadangan.bin").write_bytes(os.urandom(3 * QUOTA))  # incompressible: the pack stays this big
    git("add", ".", cwd=work)
    git("commit", "-m", "Cadangan basis data", cwd=work)
    blob = git("rev-parse", "HEAD:cadangan.bin", cwd=work).stdout.strip()
    refused = git("push", url, "main", cwd=work, check=False)

    assert refused.returncode != 0
    message = refused.stderr
    assert "melebihi kuota disk" in message and "batas 64,0 KiB" in message, message
    assert "push ini 19" in message or "push ini 2" in message, message  # ~192 KiB of objects arrived
    assert "Tidak ada yang disimpan" in message and "git rm --cached" in message, message
    assert git("rev-parse", "refs/heads/main", cwd=repo).stdout.strip() == accepted  # refs unchanged
    assert git("cat-file", "-e", blob, cwd=repo, check=False).returncode != 0  # the object is not stored
    assert _stored_files(repo) == before  # no pack, no loose object, no quarantine left behind
    assert not list((repo / "objects").glob("tmp_objdir-*"))
    assert len(_push_events(small_fork.id)) == 1  # a refused push records nothing


def test_a_push_bringing_no_new_object_passes_over_the_quota(small_fork, adopter, token_for, live_server,
                                                             tmp_path, app):
    """A quota lowered below what a fork already stores still lets it delete or move refs."""
    repo = repo_paths.absolute(small_fork.relpath)
    url = with_token(f"{live_server}/git/{small_fork.relpath}", token_for(adopter)["Authorization"].split()[1])
    work = tmp_path / "kerja"
    git("clone", url, str(work))
    (work / "data.bin").write_bytes(os.urandom(QUOTA // 2))
    git("add", ".", cwd=work)
    git("commit", "-m", "Data", cwd=work)
    git("push", url, "main", cwd=work)
    hooks.write_quota(repo, 1024)  # now far over it
    git("push", url, "main:refs/heads/cabang", cwd=work)  # a new branch on a stored commit
    assert git("rev-parse", "refs/heads/cabang", cwd=repo).stdout.strip() == git("rev-parse", "HEAD",
                                                                                   cwd=work).stdout.strip()
    git("push", url, ":cabang", cwd=work)


def test_fsck_reports_and_repairs_a_missing_or_changed_quota(app, small_fork, runner):
    repo = repo_paths.absolute(small_fork.relpath)
    git("config", "--unset", "catalog.quotaBytes", cwd=repo)  # a fork made before quotas existed
    report = runner.invoke(args=["catalog", "fsck"])
    assert report.exit_code == 1
    assert f"fork {small_fork.relpath}: disk quota in its git config is none, not {QUOTA} bytes" in report.output
    repaired = runner.invoke(args=["catalog", "fsck", "--repair"])
    assert f"repaired: fork {small_fork.relpath}: disk quota set to {QUOTA} bytes" in repaired.output
    assert hooks.read_quota(repo) == QUOTA

    app.config["FORK_QUOTA_BYTES"] = 5 * 1024**3  # the setting changed: existing forks follow on repair
    runner.invoke(args=["catalog", "fsck", "--repair"])
    assert git("config", "--get", "catalog.quotaBytes", cwd=repo).stdout.strip() == str(5 * 1024**3)
    again = runner.invoke(args=["catalog", "fsck"])
    assert again.exit_code == 0 and "quota" not in again.output, again.output
