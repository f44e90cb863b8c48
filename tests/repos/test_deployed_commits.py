"""Deployed commits survive force pushes: the deployment services keep each fork's protected
list, the real /git/ push is refused while a deployment runs the commit, accepted once it retires."""
from __future__ import annotations

from pathlib import Path

import pytest

from catalog.services import repo_paths
from catalog.services.deployments import lifecycle
from catalog.vcs import read_protected_commits, write_protected_commits
from tests.repos.gitclient import git, with_token

REFUSED = "dipakai oleh instalasi yang tercatat dan akan hilang dari riwayat"


@pytest.fixture
def repo(fork) -> Path:
    return repo_paths.absolute(fork.relpath)


def _commit(work: Path, name: str) -> str:
    (work / name).write_text(f"<?php // {name}\n")
    git("add", ".", cwd=work)
    git("commit", "-m", f"Tambah {name}", cwd=work)
    return git("rev-parse", "HEAD", cwd=work).stdout.strip()


def _record(fork, adopter, version: str, **extra):
    data = {"environment": "production", "status": "pilot", "version": version,
            "hosting": "pusat_data_daerah", "fork_id": fork.id, **extra}
    return lifecycle.create_deployment(data, actor=adopter, app_slug="simanja")


def test_force_push_dropping_a_deployed_commit_is_refused_until_retired(
        client, fork, adopter, token_for, live_server, work, repo):
    headers = token_for(adopter)
    url = with_token(f"{live_server}/git/{fork.relpath}", headers["Authorization"].split()[1])
    base = git("rev-parse", "HEAD", cwd=work).stdout.strip()
    deployed = _commit(work, "terpasang.php")
    git("push", url, "main", cwd=work)

    r = client.post("/api/v1/deployments", headers=headers, json={
        "org": "21.72", "app": "simanja", "environment": "production", "status": "pilot",
        "version": deployed[:10], "hosting": "pusat_data_daerah", "fork_id": fork.id})
    assert r.status_code == 201, r.json
    assert read_protected_commits(repo) == [deployed]  # the full id, though an abbreviation was given

    git("reset", "--hard", base, cwd=work)
    rewrite = _commit(work, "tulis-ulang.php")
    refused = git("push", "--force", url, "main", cwd=work, check=False)
    assert refused.returncode != 0
    assert f"remote: Ditolak: commit {deployed[:12]} {REFUSED}" in refused.stderr
    assert git("rev-parse", "refs/heads/main", cwd=repo).stdout.strip() == deployed

    r = client.post(f"/api/v1/deployments/{r.json['id']}/status", json={"status": "retired"}, headers=headers)
    assert r.status_code == 200 and r.json["status"] == "retired"
    assert read_protected_commits(repo) == []  # a retired deployment releases its commit

    accepted = git("push", "--force", url, "main", cwd=work, check=False)
    assert accepted.returncode == 0, accepted.stderr
    assert git("rev-parse", "refs/heads/main", cwd=repo).stdout.strip() == rewrite


def test_branch_version_protects_the_commit_it_named(fork, adopter, repo):
    head = git("rev-parse", "refs/heads/main", cwd=repo).stdout.strip()
    dep = _record(fork, adopter, "main")
    assert dep.version == "main" and read_protected_commits(repo) == [head]


def test_new_version_replaces_the_old_commit(fork, adopter, repo):
    tags = git("for-each-ref", "--format=%(objectname) %(refname:short)", "--sort=refname", "refs/tags",
               cwd=repo).stdout.split("\n")
    commits = {name: git("rev-parse", f"{name}^{{commit}}", cwd=repo).stdout.strip()
               for name in (line.split()[1] for line in tags if line)}
    dep = _record(fork, adopter, "v1.0.0")
    assert read_protected_commits(repo) == [commits["v1.0.0"]]
    lifecycle.update_deployment(dep.id, {"version": "v1.1.0"}, actor=adopter)
    assert read_protected_commits(repo) == [commits["v1.1.0"]]


def test_upstream_deployment_writes_no_fork_file(published_app, fork, adopter, repo):
    lifecycle.create_deployment({"environment": "production", "status": "pilot", "version": "v1.0.0",
                                 "hosting": "pusat_data_daerah"}, actor=adopter, app_slug="simanja")
    assert not (repo / "catalog-protected-commits").exists()


def test_rolled_back_change_leaves_the_file_untouched(fork, adopter, repo, monkeypatch):
    dep = _record(fork, adopter, "v1.0.0")
    sentinel = "ab" * 20  # what no row says: any rewrite from the rows would replace it
    write_protected_commits(repo, [sentinel])

    def broken(*args, **kwargs):
        raise RuntimeError("audit store down")
    monkeypatch.setattr(lifecycle.audit, "record", broken)
    with pytest.raises(RuntimeError):
        lifecycle.change_status(dep.id, "retired", actor=adopter)
    assert lifecycle.get_deployment(dep.id).status == "pilot"
    assert read_protected_commits(repo) == [sentinel]
