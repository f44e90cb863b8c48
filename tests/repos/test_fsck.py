"""fsck: rows, repositories and the search index agree; --repair fixes what a crash leaves."""
from __future__ import annotations

import os
import shutil
import time

from catalog.services import fsck, repo_paths
from catalog.services.catalog import indexing
from catalog.services.repos import mirrors


def test_clean_state_has_no_problems(published_app):
    report = fsck.check()
    assert report.problems == [] and report.ok


def test_orphan_repository_moved_to_lost_and_found(published_app, app):
    orphan = repo_paths.repos_root() / "kota-batam" / "hantu.git"
    orphan.mkdir(parents=True)
    (orphan / "HEAD").write_text("ref: refs/heads/main\n")
    report = fsck.check()
    assert any("kota-batam/hantu.git" in p for p in report.problems)
    fsck.check(repair=True)
    assert not orphan.exists()
    assert any((repo_paths.repos_root().parent / "lost+found").iterdir())
    assert fsck.check().problems == []


def test_stale_temp_dir_removed(published_app):
    tmp = repo_paths.repos_root() / "upstream" / ".simanja.git.tmp-abc123"
    tmp.mkdir(parents=True)
    old = time.time() - 2 * fsck.STALE_SECONDS
    os.utime(tmp, (old, old))
    assert any(".tmp-" in p for p in fsck.check().problems)
    fsck.check(repair=True)
    assert not tmp.exists()


def test_stale_index_rebuilt(published_app):
    indexing.backend().remove([published_app.id])
    assert any("search index" in p for p in fsck.check().problems)
    fsck.check(repair=True)
    assert published_app.id in indexing.backend().all_ids()


def test_missing_mirror_fetched_again(published_app):
    mirror = mirrors.get_mirror(published_app)
    shutil.rmtree(repo_paths.absolute(mirror.relpath))
    assert any("mirror upstream/simanja.git" in p for p in fsck.check().problems)
    fsck.check(repair=True)  # jobs run inline in tests
    assert mirrors.get_mirror_by_slug("simanja").state == "ready"
    assert fsck.check().problems == []


def test_cli_exit_code(published_app, runner):
    assert runner.invoke(args=["catalog", "fsck"]).exit_code == 0
    (repo_paths.repos_root() / "kota-batam" / "x.git").mkdir(parents=True)
    result = runner.invoke(args=["catalog", "fsck"])
    assert result.exit_code == 1 and "kota-batam/x.git" in result.output


def test_divergence_behind_the_fork_head_is_recomputed(published_app, make_user):
    from catalog.services.repos import forks
    from seed.demo_repos import add_commits

    fork = forks.create_fork("simanja", actor=make_user("adopter", "21.72"))
    add_commits(repo_paths.absolute(fork.relpath), "main", [("x.php", "<?php\n", "Ubahan")], author="Staf")
    assert any("older head" in p for p in fsck.check().problems)
    fsck.check(repair=True)
    assert forks.get_fork(fork.id).ahead == 1 and fsck.check().problems == []


def test_fetch_left_running_by_a_killed_worker_is_requeued(published_app):
    from catalog.extensions import db

    mirror = mirrors.get_mirror(published_app)
    mirror.state = "fetching"
    db.session.commit()
    assert fsck.check().problems == []  # young: may still be running
    assert any("never finished" in p for p in fsck.check(min_age=0).problems)
    fsck.check(repair=True, min_age=0)
    assert mirrors.get_mirror_by_slug("simanja").state == "ready"


def test_protected_commits_that_disagree_with_deployments_are_rewritten(published_app, make_user, runner):
    from catalog.services.deployments import lifecycle
    from catalog.services.repos import forks
    from catalog.vcs import read_protected_commits, resolve, write_protected_commits

    adopter = make_user("adopter", "21.72")
    fork = forks.create_fork("simanja", actor=adopter)
    path = repo_paths.absolute(fork.relpath)
    lifecycle.create_deployment({"environment": "production", "status": "pilot", "version": "v1.1.0",
                                 "hosting": "pusat_data_daerah", "fork_id": fork.id},
                                actor=adopter, app_slug="simanja")
    deployed = resolve(path, "v1.1.0")
    assert runner.invoke(args=["catalog", "fsck"]).exit_code == 0
    write_protected_commits(path, [])  # e.g. restored from an older backup
    result = runner.invoke(args=["catalog", "fsck"])
    assert result.exit_code == 1
    assert (f"problem: fork {fork.relpath}: protected commits disagree with its deployments "
            "(1 unprotected, 0 no longer deployed)") in result.output
    repaired = runner.invoke(args=["catalog", "fsck", "--repair"])
    assert f"repaired: fork {fork.relpath}: protected commits rewritten" in repaired.output
    assert read_protected_commits(path) == [deployed]
    assert fsck.check().problems == []
