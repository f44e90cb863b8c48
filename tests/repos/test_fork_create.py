"""Creating a fork is one write: a failure after the repository was made leaves neither row nor
repository behind, and git's work on the repository holds up no other write."""
from __future__ import annotations

import threading

import pytest

from catalog import vcs
from catalog.extensions import db
from catalog.models import Fork
from catalog.services import repo_paths
from catalog.services.accounts import notifications
from catalog.services.repos import forks


def test_a_failed_create_removes_the_new_repository(published_app, make_user, monkeypatch):
    adopter = make_user("adopter", "21.72")

    def refuse(*_args, **_kwargs):
        raise RuntimeError("notification table unavailable")

    monkeypatch.setattr(notifications, "notify_fork", refuse)  # fails after git made the repository
    with pytest.raises(RuntimeError):
        forks.create_fork("simanja", actor=adopter)
    db.session.rollback()
    assert db.session.execute(db.select(Fork)).first() is None
    made = repo_paths.absolute(repo_paths.fork_relpath(adopter.organization.slug, "simanja"))
    assert not made.exists() and made.parent.is_dir()
    monkeypatch.undo()
    assert forks.create_fork("simanja", actor=adopter).relpath  # the name is free again


def test_other_writes_go_on_while_a_forks_repository_is_built(app, client, published_app, make_user, token_for,
                                                              monkeypatch):
    """git builds the repository outside the write transaction: on SQLite that transaction holds
    the one writer's lock, and a slow git under load made every other write wait (and answer 500
    after the busy timeout)."""
    headers = token_for(make_user("adopter", "21.72"))
    building, release = threading.Event(), threading.Event()
    real_create = vcs.create_unowned_fork

    def slow_git(*args, **kwargs):
        building.set()
        release.wait(60)
        return real_create(*args, **kwargs)

    monkeypatch.setattr(vcs, "create_unowned_fork", slow_git)
    answers = {}

    def fork_in_another_request():
        with app.app_context():
            answers["fork"] = app.test_client().post("/api/v1/apps/simanja/forks", json={}, headers=headers)

    forking = threading.Thread(target=fork_in_another_request)
    forking.start()
    try:
        assert building.wait(30)
        meanwhile = client.post("/api/v1/deployments", headers=headers, json={
            "app": "simanja", "environment": "production", "status": "production", "hosting": "pusat_data_daerah",
            "version": "v1.0.0"})
    finally:
        release.set()
        forking.join(60)
    assert meanwhile.status_code == 201, meanwhile.json  # written while git was still at work
    assert answers["fork"].status_code == 201, answers["fork"].json
    assert client.get(f"/api/v1/forks/{answers['fork'].json['id']}", headers=headers).status_code == 200
