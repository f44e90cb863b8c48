"""The audit chain: appended in the same transaction, and tampering is named."""
from __future__ import annotations

from sqlalchemy import text

from catalog.extensions import db
from catalog.services import audit
from catalog.services.catalog import apps
from tests.factories import app_payload


def _events(make_user, n_apps=3):
    publisher = make_user("publisher", "21")
    for i in range(n_apps):
        apps.create_app(app_payload(name=f"Aplikasi {i}"), actor=publisher)
    return [(e.seq, e.hash) for e in audit.list_events()]


def _drop_guards():
    """Simulate someone with database access who removes the triggers first."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("DROP TRIGGER audit_event_no_update"))
        db.session.execute(text("DROP TRIGGER audit_event_no_delete"))
    else:
        db.session.execute(text("DROP TRIGGER audit_event_no_change ON audit_event"))


def test_chain_intact(make_user):
    events = _events(make_user)
    report = audit.verify()
    assert report.ok and report.checked == len(events) and report.head_hash == events[-1][1]


def test_edit_is_named(make_user):
    events = _events(make_user)
    _drop_guards()
    db.session.execute(text("UPDATE audit_event SET data = :d WHERE seq = :s"), {"d": '{"x": 1}', "s": events[2][0]})
    db.session.commit()
    report = audit.verify()
    assert not report.ok and report.first_bad_seq == events[2][0]


def test_delete_in_the_middle_is_named(make_user):
    events = _events(make_user)
    _drop_guards()
    db.session.execute(text("DELETE FROM audit_event WHERE seq = :s"), {"s": events[1][0]})
    db.session.commit()
    report = audit.verify()
    assert not report.ok and report.first_bad_seq == events[1][0]


def test_truncated_tail_is_named(make_user):
    events = _events(make_user)
    _drop_guards()
    db.session.execute(text("DELETE FROM audit_event WHERE seq >= :s"), {"s": events[-2][0]})
    db.session.commit()
    report = audit.verify()
    assert not report.ok and report.first_bad_seq == events[-2][0]


def test_update_refused_by_database(make_user):
    _events(make_user, 1)
    try:
        db.session.execute(text("UPDATE audit_event SET action = 'x'"))
        db.session.commit()
        raised = False
    except Exception as exc:
        raised = "append-only" in str(exc)
        db.session.rollback()
    assert raised


def test_cli_exit_codes(make_user, runner):
    events = _events(make_user)
    assert runner.invoke(args=["catalog", "audit-verify"]).exit_code == 0
    _drop_guards()
    db.session.execute(text("UPDATE audit_event SET actor = 'user:999' WHERE seq = :s"), {"s": events[0][0]})
    db.session.commit()
    result = runner.invoke(args=["catalog", "audit-verify"])
    assert result.exit_code == 1 and f"event {events[0][0]}" in result.output
