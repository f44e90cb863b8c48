"""The write-operation helper: one commit on success; on failure a rollback, the undo steps
newest first, and the error itself; an inner block joins the outer one."""
from __future__ import annotations

import pytest

from catalog.extensions import db
from catalog.models import LoginThrottle
from catalog.models.types import utcnow
from catalog.services.tx import write


def _stored(key: str) -> bool:
    db.session.rollback()  # a fresh snapshot: only what was committed
    return db.session.get(LoginThrottle, key) is not None


def _row(key: str) -> LoginThrottle:
    return LoginThrottle(key=key, window_start=utcnow(), failures=1)


def test_the_block_commits_once_at_its_end(app):
    with write():
        db.session.add(_row("a"))
    assert _stored("a")


def test_a_failure_rolls_back_runs_the_undo_steps_and_raises(app):
    done = []
    with pytest.raises(KeyError, match="late"):
        with write() as op:
            db.session.add(_row("b"))
            op.on_rollback(done.append, "first")
            op.on_rollback(done.append, "second")
            raise KeyError("late")
    assert done == ["second", "first"]
    assert not _stored("b")


def test_a_failing_commit_runs_the_undo_steps(app):
    with write():
        db.session.add(_row("c"))
    done = []
    with pytest.raises(Exception, match="(?i)unique|constraint"):
        with write() as op:
            op.on_rollback(done.append, "removed")
            db.session.add(_row("c"))  # the same key again: refused at the commit's flush
    assert done == ["removed"]


def test_a_broken_undo_step_does_not_hide_the_error(app):
    def broken():
        raise OSError("disk gone")

    done = []
    with pytest.raises(LookupError):
        with write() as op:
            op.on_rollback(done.append, "ran anyway")
            op.on_rollback(broken)
            raise LookupError
    assert done == ["ran anyway"]


def test_an_inner_block_joins_the_outer_one(app):
    done = []
    with pytest.raises(RuntimeError):
        with write() as outer:
            with write() as inner:
                db.session.add(_row("d"))
                inner.on_rollback(done.append, "inner")
            assert inner is outer
            raise RuntimeError("after the inner block")
    assert done == ["inner"] and not _stored("d")
    with write():
        with write():
            db.session.add(_row("e"))
    assert _stored("e")
