"""Forks end to end with real git: create, clone and push over HTTP with a token, divergence, sync."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from catalog.services import repo_paths
from tests.repos.gitclient import GIT_ENV, git, with_token


def _commit(workdir: Path, n: int) -> None:
    for i in range(n):
        (workdir / f"daerah_{i}.php").write_text(f"<?php // integrasi SIMPEG daerah {i}\n")
        git("add", ".", cwd=workdir)
        git("commit", "-m", f"Integrasi daerah {i}", cwd=workdir)


def test_fork_shares_objects_and_records_base(fork, published_app):
    path = repo_paths.absolute(fork.relpath)
    assert fork.relpath == "kota-tanjung-pinang/simanja.git"
    assert (path / "objects" / "info" / "alternates").exists()
    assert not any((path / "objects" / "pack").glob("*.pack"))
    assert fork.default_branch == "main" and len(fork.base_commit) == 40
    assert fork.ahead == 0 and fork.behind == 0


def test_adopter_of_another_region_cannot_fork_into_ours(published_app, make_user, client, token_for):
    r = client.post("/api/v1/apps/simanja/forks", json={"org": "21.72"},
                    headers=token_for(make_user("adopter", "21.01")))
    assert r.status_code == 403
    assert not repo_paths.absolute("kota-tanjung-pinang/simanja.git").exists()


def test_fork_via_api_then_clone_push_and_divergence(published_app, adopter, client, token_for, live_server, tmp_path):
    headers = token_for(adopter)
    r = client.post("/api/v1/apps/simanja/forks", json={}, headers=headers)
    assert r.status_code == 201, r.json
    fork_id, clone = r.json["id"], r.json["clone_url"].replace("http://localhost", live_server)
    assert r.json["org"]["code"] == "21.72" and r.json["default_branch"] == "main"
    work = tmp_path / "work"
    git("clone", clone, str(work))
    _commit(work, 3)
    refused = git("push", "origin", "main", cwd=work, check=False)
    assert refused.returncode != 0  # no token
    token = headers["Authorization"].split()[1]
    git("push", with_token(clone, token), "main", cwd=work)
    body = client.get(f"/api/v1/forks/{fork_id}").json
    assert body["divergence"]["ahead"] == 3 and body["divergence"]["behind"] == 0
    assert body["divergence"]["files_changed"] == 3
    left_right = git("rev-list", "--left-right", "--count", f"{body['divergence']['upstream_head']}...HEAD", cwd=work)
    assert left_right.stdout.split() == ["0", "3"]


def test_push_with_other_region_token_refused(fork, make_user, token_for, live_server, tmp_path):
    other = token_for(make_user("adopter", "21.01"))["Authorization"].split()[1]
    clone = f"{live_server}/git/{fork.relpath}"
    work = tmp_path / "w"
    git("clone", clone, str(work))
    _commit(work, 1)
    result = git("push", with_token(clone, other), "main", cwd=work, check=False)
    assert result.returncode != 0 and "403" in result.stderr


def test_upstream_mirror_is_read_only(published_app, adopter, token_for, live_server, tmp_path):
    token = token_for(adopter)["Authorization"].split()[1]
    clone = f"{live_server}/git/upstream/simanja.git"
    work = tmp_path / "w"
    git("clone", clone, str(work))
    _commit(work, 1)
    assert git("push", with_token(clone, token), "main", cwd=work, check=False).returncode != 0


def test_unknown_repository_404(live_server, tmp_path):
    result = git("clone", f"{live_server}/git/kota-x/none.git", str(tmp_path / "n"), check=False)
    assert result.returncode != 0 and "404" in result.stderr


@pytest.mark.parametrize("language, refusal", [
    ("", "Ditolak: cabang utama 'main' tidak boleh dihapus."),
    ("en", "Refused: the default branch 'main' must not be deleted."),
])
def test_push_refusal_speaks_the_pushers_language(fork, adopter, token_for, live_server, tmp_path,
                                                   language, refusal):
    """git sends Accept-Language from the user's own locale; our hook answers in it."""
    token = token_for(adopter)["Authorization"].split()[1]
    clone = with_token(f"{live_server}/git/{fork.relpath}", token)
    git("init", "--quiet", "--bare", str(tmp_path / "local.git"))
    env = {**GIT_ENV, "LANGUAGE": language, "LC_ALL": "C.UTF-8" if language else "C"}
    result = subprocess.run(["git", "push", clone, ":main"], cwd=tmp_path / "local.git", env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and refusal in result.stderr, result.stderr
