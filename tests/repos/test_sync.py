"""Upstream moves on: the fork sees how far behind it is, then syncs (fast-forward, merge, conflict)."""
from __future__ import annotations

import subprocess

from catalog.services import repo_paths
from catalog.services.repos import forks, mirrors
from seed.demo_repos import add_commits


def _raw_counts(fork) -> list[str]:
    path = repo_paths.absolute(fork.relpath)
    out = subprocess.run(["git", "--git-dir", str(path), "rev-list", "--left-right", "--count",
                          f"{fork.upstream_head}...{fork.default_branch}"], capture_output=True, text=True, check=True)
    return out.stdout.split()


def _upstream_moves(source_repo, changes):
    add_commits(source_repo, "main", changes, author="Tim Kepri")
    mirrors.run_fetch(mirrors.get_mirror_by_slug("simanja").app_id)


def test_behind_after_upstream_release_then_fast_forward(published_app, source_repo, adopter, client, token_for):
    fork = forks.create_fork("simanja", actor=adopter)
    _upstream_moves(source_repo, [("src/baru.php", "<?php // fitur baru\n", "Fitur baru"),
                                  ("CHANGELOG.md", "v1.3.0\n", "Catatan rilis")])
    fork = forks.get_fork(fork.id)
    assert (fork.ahead, fork.behind) == (0, 2)
    assert _raw_counts(fork) == ["2", "0"]
    r = client.post(f"/api/v1/forks/{fork.id}/sync", headers=token_for(adopter))
    assert r.status_code == 200 and r.json["outcome"] == "fast_forward"
    assert r.json["divergence"]["behind"] == 0


def test_merge_when_both_sides_changed(published_app, source_repo, adopter, client, token_for):
    fork = forks.create_fork("simanja", actor=adopter)
    add_commits(repo_paths.absolute(fork.relpath), "main", [("src/daerah.php", "<?php // daerah\n", "Ubahan daerah")],
                author="Staf TI")
    _upstream_moves(source_repo, [("src/baru.php", "<?php // fitur baru\n", "Fitur baru")])
    fork = forks.refresh_divergence(fork.id)
    assert (fork.ahead, fork.behind) == (1, 1) and _raw_counts(fork) == ["1", "1"]
    r = client.post(f"/api/v1/forks/{fork.id}/sync", headers=token_for(adopter))
    assert r.status_code == 200 and r.json["outcome"] == "merged"
    assert r.json["divergence"]["behind"] == 0 and r.json["divergence"]["ahead"] == 2  # own commit + merge


def test_conflict_lists_files_and_writes_nothing(published_app, source_repo, adopter, client, token_for):
    fork = forks.create_fork("simanja", actor=adopter)
    path = repo_paths.absolute(fork.relpath)
    add_commits(path, "main", [("README.md", "# Versi daerah\n", "README daerah")], author="Staf TI")
    _upstream_moves(source_repo, [("README.md", "# Versi induk baru\n", "README induk")])
    head_before = subprocess.run(["git", "--git-dir", str(path), "rev-parse", "main"],
                                 capture_output=True, text=True).stdout
    r = client.post(f"/api/v1/forks/{fork.id}/sync", headers=token_for(adopter))
    assert r.status_code == 409 and r.json["conflicts"] == ["README.md"]
    head_after = subprocess.run(["git", "--git-dir", str(path), "rev-parse", "main"],
                                capture_output=True, text=True).stdout
    assert head_before == head_after


def test_sync_by_other_region_forbidden(published_app, adopter, client, make_user, token_for):
    fork = forks.create_fork("simanja", actor=adopter)
    r = client.post(f"/api/v1/forks/{fork.id}/sync", headers=token_for(make_user("adopter", "21.01")))
    assert r.status_code == 403
