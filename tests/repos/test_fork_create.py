"""Creating a fork is one write: a failure after the repository was made leaves neither row nor
repository behind."""
from __future__ import annotations

import pytest

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
