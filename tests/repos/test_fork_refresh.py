"""Batch divergence refresh with real git: same numbers as the full computation, unchanged forks
skipped, a broken fork recorded without stopping the batch, details computed for the page."""
from __future__ import annotations

import shutil

import pytest

from catalog import vcs
from catalog.extensions import db
from catalog.models import Fork, Mirror
from catalog.services import repo_paths
from catalog.services.repos import forks, mirrors
from catalog.services.repos import refresh as fork_refresh
from catalog.vcs.errors import SizeLimitExceeded
from tests.vcs.gitlib import Builder, git


@pytest.fixture
def admin(make_user):
    return make_user("admin", "komdigi")


def _path(fork: Fork):
    return repo_paths.absolute(fork.relpath)


def _full(fork: Fork) -> dict:
    """What the old refresh_divergence stored, computed from scratch with the same helpers."""
    mirror = db.session.execute(db.select(Mirror).where(Mirror.app_id == fork.app_id)).scalar_one()
    path = _path(fork)
    div = vcs.compute_divergence(path, fork_ref=fork.default_branch, upstream_commit=mirror.head)
    own = vcs.fork_commits(path, fork.default_branch, mirror.head, limit=fork_refresh.MAX_OWN_COMMITS)
    since = vcs.releases_since(repo_paths.absolute(mirror.relpath), div.merge_base) if div.merge_base else []
    return {"ahead": div.ahead, "behind": div.behind, "merge_base": div.merge_base,
            "files_changed": div.files_changed, "insertions": div.insertions, "deletions": div.deletions,
            "files_differing_from_upstream": div.files_differing_from_upstream,
            "upstream_head": div.upstream_head, "fork_head": div.fork_head,
            "own_commits": [fork_refresh.commit_json(c) for c in own],
            "releases_since_base": [fork_refresh.release_json(r) for r in since]}


def _stored(fork_id: int) -> dict:
    db.session.expire_all()
    fork = forks.get_fork(fork_id)
    return {key: getattr(fork, key) for key in ("ahead", "behind", "merge_base", "files_changed", "insertions",
                                                 "deletions", "files_differing_from_upstream", "upstream_head",
                                                 "fork_head", "own_commits", "releases_since_base")}


@pytest.fixture
def world(published_app, adopter, source_repo):
    """Five forks of Simanja that drifted in different ways, upstream moved on since."""
    made = {name: forks.create_fork("simanja", actor=adopter, name=name)
            for name in ("tetap", "maju", "sinkron", "asing", "silang")}
    upstream = Builder(source_repo)
    upstream.clock += 10_000_000

    maju = Builder(_path(made["maju"]))
    maju.commit("main", {"daerah.php": "<?php // SIMPEG daerah\n"}, "integrasi SIMPEG")
    maju.commit("main", {"README.md": "Versi daerah\n", "lama.txt": None}, "ubah README")

    base = git("rev-parse", "main", git_dir=source_repo).strip()
    new_upstream = upstream.commit("main", {"fitur.php": "<?php // fitur baru\n"}, "fitur induk")
    upstream.tag("v1.2.0", new_upstream, "Rilis 1.2.0")

    sinkron = Builder(_path(made["sinkron"]))
    own = sinkron.commit("main", {"lokal.php": "<?php // lokal\n"}, "ubahan lokal")
    git("fetch", "--quiet", str(source_repo), "main:refs/upstream", git_dir=_path(made["sinkron"]))
    sinkron.commit("main", {}, "gabung induk", parents=[own, new_upstream])  # a merge of upstream

    orphan = Builder(_path(made["asing"])).commit("lain", {"lain.txt": "sejarah lain\n"}, "tanpa induk", parents=[])
    git("update-ref", "refs/heads/main", orphan, git_dir=_path(made["asing"]))  # unrelated history

    # criss-cross: two merge bases between the fork and upstream
    silang = Builder(_path(made["silang"]))
    git("fetch", "--quiet", str(source_repo), "main:refs/upstream", git_dir=_path(made["silang"]))
    side = silang.commit("main", {"s.txt": "s\n"}, "sisi daerah", parents=[base])
    up2 = upstream.commit("main", {"u.txt": "u\n"}, "sisi induk")
    git("fetch", "--quiet", str(source_repo), "main:refs/upstream", git_dir=_path(made["silang"]))
    silang.commit("main", {"s.txt": "s2\n"}, "gabung silang", parents=[side, up2])
    git("fetch", "--quiet", str(_path(made["silang"])), f"{side}:refs/daerah", git_dir=source_repo)
    upstream.commit("main", {"u.txt": "u2\n"}, "gabung silang induk", parents=[up2, side])
    for name in ("silang", "sinkron"):
        git("update-ref", "-d", "refs/upstream", git_dir=_path(made[name]))
    git("update-ref", "-d", "refs/daerah", git_dir=source_repo)
    upstream.commit("main", {"akhir.txt": "akhir\n"}, "induk lanjut")
    return made


def _fetch_upstream(admin) -> None:
    mirrors.request_refresh("simanja", actor=admin)  # jobs run inline: fetch, batch, details


def test_batch_refresh_equals_the_full_computation(world, admin):
    _fetch_upstream(admin)
    for fork in world.values():
        db.session.expire_all()
        expected = _full(forks.get_fork(fork.id))
        assert _stored(fork.id) == expected, fork.name
    stored = {name: _stored(f.id) for name, f in world.items()}
    assert stored["maju"]["ahead"] == 2 and stored["maju"]["own_commits"][0]["summary"] == "ubah README"
    assert stored["asing"]["merge_base"] is None and stored["asing"]["files_changed"] == 1
    assert "v1.2.0" in [r["name"] for r in stored["tetap"]["releases_since_base"]]
    silang = _path(world["silang"])
    bases = git("merge-base", "--all", stored["silang"]["upstream_head"], stored["silang"]["fork_head"],
                git_dir=silang).split()
    assert len(bases) == 2  # the case where a three-dot diff picks one merge base itself


def test_counts_now_details_later_and_the_page_is_never_stale(world, admin, client):
    db.session.expire_all()
    ids = [f.id for f in world.values()]
    result = fork_refresh.refresh_batch(ids, force=True, details="skip")
    assert sorted(result.refreshed) == sorted(ids) and not result.failed
    maju = forks.get_fork(world["maju"].id)
    expected = _full(maju)
    for key in ("ahead", "behind", "files_changed", "insertions", "deletions", "fork_head", "upstream_head"):
        assert getattr(maju, key) == expected[key]
    assert maju.own_commits == []  # the details pass has not run yet ...
    details = fork_refresh.fork_details(maju)  # ... but the fork's own page computes them
    assert details.merge_base == expected["merge_base"]
    assert details.own_commits == expected["own_commits"]
    assert details.files_differing_from_upstream == expected["files_differing_from_upstream"]
    assert details.releases_since_base == expected["releases_since_base"]
    body = client.get(f"/api/v1/forks/{maju.id}").json["divergence"]
    assert body["merge_base"] == expected["merge_base"]
    assert body["files_differing_from_upstream"] == expected["files_differing_from_upstream"]
    html = client.get(f"/forks/{maju.id}").get_data(as_text=True)
    assert "integrasi SIMPEG" in html and "daerah.php" in html

    assert fork_refresh.refresh_details(ids) == len(ids)  # the second pass stores them
    for fork in world.values():
        assert _stored(fork.id) == _full(forks.get_fork(fork.id)), fork.name


def test_stored_details_spare_the_page_its_git_commands(world, monkeypatch):
    ids = [f.id for f in world.values()]
    fork_refresh.refresh_batch(ids, force=True, details="skip")
    db.session.expire_all()
    assert forks.get_fork(world["maju"].id).details_pending
    fork_refresh.refresh_details(ids)
    db.session.expire_all()
    maju = forks.get_fork(world["maju"].id)
    assert not maju.details_pending

    def no_git(*args, **kwargs):
        raise AssertionError("stored details are current: no git needed")
    monkeypatch.setattr(fork_refresh.vcs, "drift_details", no_git)
    monkeypatch.setattr(fork_refresh.vcs, "merge_base_for", no_git)
    details = fork_refresh.fork_details(maju)
    assert details.merge_base == maju.merge_base and details.own_commits == maju.own_commits
    assert fork_refresh.current_merge_base(maju) == maju.merge_base


def test_unchanged_forks_are_skipped(world, admin):
    _fetch_upstream(admin)
    db.session.expire_all()
    before = {f.id: forks.get_fork(f.id).computed_at for f in world.values()}
    again = fork_refresh.refresh_forks_of_app(world["maju"].app_id)
    assert again.refreshed == [] and again.skipped == len(world) and not again.failed
    db.session.expire_all()
    assert {f.id: forks.get_fork(f.id).computed_at for f in world.values()} == before

    Builder(_path(world["tetap"])).commit("main", {"baru.txt": "baru\n"}, "push baru")
    one = fork_refresh.refresh_forks_of_app(world["maju"].app_id)
    assert one.refreshed == [world["tetap"].id] and one.skipped == len(world) - 1
    assert _stored(world["tetap"].id) == _full(forks.get_fork(world["tetap"].id))


def test_a_broken_fork_does_not_stop_the_batch(world, admin):
    shutil.rmtree(_path(world["sinkron"]) / "objects")  # every object gone: git cannot read it
    (_path(world["asing"]) / "refs" / "heads" / "main").write_text("bukan sha\n")
    (_path(world["asing"]) / "packed-refs").unlink(missing_ok=True)
    _fetch_upstream(admin)
    db.session.expire_all()
    for name in ("sinkron", "asing"):
        broken = forks.get_fork(world[name].id)
        assert broken.divergence_error, name  # recorded for the page
        assert broken.computed_at is not None
    for name in ("tetap", "maju", "silang"):
        assert _stored(world[name].id) == _full(forks.get_fork(world[name].id)), name
        assert forks.get_fork(world[name].id).divergence_error == ""
    result = fork_refresh.refresh_forks_of_app(world["maju"].app_id)
    assert set(result.failed) == {world["sinkron"].id, world["asing"].id}  # retried, not skipped
    assert result.skipped == 3


def test_a_push_refreshes_only_that_fork(world, admin, adopter):
    _fetch_upstream(admin)
    maju = world["maju"]
    Builder(_path(maju)).commit("main", {"lagi.php": "<?php\n"}, "lagi")
    forks.record_push(maju.relpath, adopter.id)  # the post-receive path: counts, then details
    assert _stored(maju.id) == _full(forks.get_fork(maju.id))
    assert _stored(maju.id)["ahead"] == 3


def test_the_page_says_so_when_changed_files_cannot_be_listed(world, admin, client, monkeypatch):
    _fetch_upstream(admin)

    def too_big(*args, **kwargs):
        raise SizeLimitExceeded()
    monkeypatch.setattr(forks.vcs, "changed_files", too_big)
    html = client.get(f"/forks/{world['maju'].id}").get_data(as_text=True)
    assert "tidak dapat ditampilkan" in html
    assert "Tidak ada berkas yang diubah." not in html


def test_a_fork_created_now_needs_no_refresh(published_app, adopter):
    fork = forks.create_fork("simanja", actor=adopter)
    result = fork_refresh.refresh_batch([fork.id])
    assert result.skipped == 1 and result.refreshed == []
    assert forks.get_fork(fork.id).merge_base == fork.fork_head


def test_changed_files_between_two_commits_are_listed_once(world, admin, client, monkeypatch):
    """They never change for the same pair of commit ids, so a second view runs no git for them."""
    _fetch_upstream(admin)
    calls = []
    real = forks.vcs.changed_files
    monkeypatch.setattr(forks.vcs, "changed_files", lambda *a, **k: calls.append(a) or real(*a, **k))
    first = client.get(f"/forks/{world['maju'].id}").get_data(as_text=True)
    second = client.get(f"/forks/{world['maju'].id}").get_data(as_text=True)
    assert len(calls) == 1 and first.count("<li") == second.count("<li")
