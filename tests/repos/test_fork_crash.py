"""A fork creation killed half-way (a node SIGKILLed under load) needs no person: the next create
of the same name, the worker's sweep and `fsck --repair` each clear what it left, and none of
them touches a creation that is still alive (its row may be about to commit)."""
from __future__ import annotations

import threading

from catalog import vcs
from catalog.extensions import db
from catalog.jobs.queue import consumer
from catalog.models import Fork
from catalog.services import fsck, repo_paths
from catalog.services.accounts import notifications
from catalog.services.repos import recovery
from catalog.vcs.fsutil import UNOWNED_MARK
from tests.repos.gitclient import git
from tests.repos.killed import create_fork_killed_at

BEFORE_COMMIT = "catalog.services.accounts.notifications:notify_fork"  # inside the write, before its commit
AFTER_COMMIT = "catalog.vcs.fsutil:Unowned.owned"                       # the row is in, the mark not yet gone
WHILE_BUILDING = "catalog.vcs.forks:append_config"                      # git at work in the staging dir


def _dest(adopter):
    return repo_paths.absolute(repo_paths.fork_relpath(adopter.organization.slug, "simanja"))


def _rows():
    return db.session.execute(db.select(Fork)).scalars().all()


def _killed(app, tmp_path, adopter, at):
    done = create_fork_killed_at(app, tmp_path, at, user_id=adopter.id, slug="simanja")
    assert done.returncode == -9, done.stdout + done.stderr  # SIGKILLed where we said
    return done


def test_killed_before_its_row_then_the_same_create_over_http_succeeds(app, client, published_app, adopter,
                                                                       token_for, runner, tmp_path):
    _killed(app, tmp_path, adopter, BEFORE_COMMIT)
    dest = _dest(adopter)
    assert dest.is_dir() and (dest / UNOWNED_MARK).exists() and _rows() == []  # what the kill left

    found = runner.invoke(args=["catalog", "fsck", "--min-age", "0"])
    assert found.exit_code == 1 and "creation interrupted before its row" in found.output

    answer = client.post("/api/v1/apps/simanja/forks", json={}, headers=token_for(adopter))
    assert answer.status_code == 201, answer.json
    assert [f.relpath for f in _rows()] == [answer.json["clone_url"].split("/git/")[1]]
    assert not (dest / UNOWNED_MARK).exists()
    assert runner.invoke(args=["catalog", "fsck", "--min-age", "0"]).exit_code == 0


def test_killed_before_its_row_then_the_worker_sweeps_it_away_at_its_start(app, published_app, adopter, tmp_path):
    _killed(app, tmp_path, adopter, BEFORE_COMMIT)
    assert _dest(adopter).exists()
    consumer(app, 1)  # a worker starting: it queues the recovery (jobs run inline in tests)
    assert not _dest(adopter).exists() and not list(_dest(adopter).parent.iterdir())
    assert fsck.check(min_age=0).problems == []


def test_killed_while_git_builds_it_the_staging_dir_goes_whatever_its_age(app, published_app, adopter, tmp_path):
    _killed(app, tmp_path, adopter, WHILE_BUILDING)
    left = list(_dest(adopter).parent.iterdir())
    assert len(left) == 1 and left[0].name.startswith(".simanja.git.tmp-") and (left[0] / UNOWNED_MARK).exists()
    assert recovery.recover() == {"removed": 1, "kept": 0, "refreshed": 0}  # the periodic sweep's body
    assert not list(_dest(adopter).parent.iterdir())


def test_killed_after_its_row_committed_the_fork_is_kept_and_works(app, published_app, adopter, live_server,
                                                                  tmp_path, runner):
    _killed(app, tmp_path, adopter, AFTER_COMMIT)
    dest = _dest(adopter)
    [fork] = _rows()
    assert (dest / UNOWNED_MARK).exists()
    # a mark with a committed row is no problem for fsck, only a note; the repair drops it
    checked = runner.invoke(args=["catalog", "fsck", "--repair", "--min-age", "0"])
    assert checked.exit_code == 0 and "its unowned mark removed" in checked.output, checked.output
    assert not (dest / UNOWNED_MARK).exists()
    work = tmp_path / "kerja"
    git("clone", f"{live_server}/git/{fork.relpath}", str(work))  # the repository is whole
    assert (work / "README.md").exists()


def test_a_creation_in_progress_is_left_alone_until_its_row_commits(app, client, published_app, adopter,
                                                                    token_for, monkeypatch):
    """Two requests for one name, and the sweep and fsck meanwhile: the one whose row is about to
    commit keeps its repository; the other is told the name is being made."""
    inside, release = threading.Event(), threading.Event()
    real_notify = notifications.notify_fork

    def slow_notify(*args, **kwargs):
        inside.set()
        release.wait(60)
        return real_notify(*args, **kwargs)

    monkeypatch.setattr(notifications, "notify_fork", slow_notify)
    headers, answers = token_for(adopter), {}

    def create():
        with app.app_context():
            answers["first"] = app.test_client().post("/api/v1/apps/simanja/forks", json={}, headers=headers)

    first = threading.Thread(target=create)
    first.start()
    try:
        assert inside.wait(30)  # the repository is in place, its row not yet committed
        dest = _dest(adopter)
        assert (dest / UNOWNED_MARK).exists()
        assert recovery.settle_unowned(repair=True).in_progress == [f"{adopter.organization.slug}/simanja.git"]
        assert recovery.recover() == {"removed": 0, "kept": 0, "refreshed": 0}
        assert "being created right now" in " ".join(fsck.check(min_age=0).notes)
        second = app.test_client().post("/api/v1/apps/simanja/forks", json={}, headers=headers)
        assert second.status_code == 409 and "sedang dibuat" in second.json["message"]
        assert (dest / UNOWNED_MARK).exists()
    finally:
        release.set()
        first.join(60)
    assert answers["first"].status_code == 201, answers["first"].json
    assert dest.is_dir() and not (dest / UNOWNED_MARK).exists() and len(_rows()) == 1
    assert fsck.check(min_age=0).problems == []


def test_a_repository_without_the_mark_is_still_left_to_a_person(app, client, published_app, adopter, token_for):
    """No mark, no row: not a half-made fork (a restore, a hand-made copy). The create refuses as
    before and fsck --repair moves it to lost+found; nothing deletes it."""
    dest = _dest(adopter)
    vcs.create_fork(repo_paths.absolute("upstream/simanja.git"), dest, default_branch="main")
    answer = client.post("/api/v1/apps/simanja/forks", json={}, headers=token_for(adopter))
    assert answer.status_code == 409 and "hubungi admin" in answer.json["message"]
    assert recovery.recover()["removed"] == 0 and dest.exists()
