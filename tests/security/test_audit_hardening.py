"""Issue 13, findings 1 and 8: the anonymous checkpoint costs bounded work, the full check still
finds tampering below the marker, the public feed hides drafts, province auditors see their own."""
from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import event, text

from catalog.extensions import db
from catalog.models import AuditEvent
from catalog.services import audit
from catalog.services.catalog import apps
from tests.factories import app_payload

N_EVENTS = 3000


def _chain(n: int) -> None:
    """n events through the service, one commit (as a busy catalog would have them)."""
    for i in range(n):
        audit.record(None, "bench.event", "bench", i, {"i": i})
    db.session.commit()


class EventReads:
    """Counts audit_event rows materialised by the ORM and statements that read audit_event."""

    def __init__(self):
        self.rows = self.statements = 0

    def __enter__(self):
        event.listen(AuditEvent, "load", self._row)
        event.listen(AuditEvent, "refresh", self._refresh)
        event.listen(db.engine, "before_cursor_execute", self._sql)
        return self

    def __exit__(self, *exc):
        event.remove(AuditEvent, "load", self._row)
        event.remove(AuditEvent, "refresh", self._refresh)
        event.remove(db.engine, "before_cursor_execute", self._sql)

    def _row(self, target, context):
        self.rows += 1

    def _refresh(self, target, context, attrs):
        self.rows += 1

    def _sql(self, conn, cursor, statement, parameters, context, executemany):
        if "audit_event" in statement.lower() and statement.lstrip().upper().startswith("SELECT"):
            self.statements += 1


def _checkpoint(client):
    db.session.expire_all()
    with EventReads() as reads:
        r = client.get("/api/v1/audit/checkpoint")
    return r, reads


def test_anonymous_checkpoint_reads_a_bounded_number_of_events(app, client):
    _chain(N_EVENTS)
    batch = app.config.get("AUDIT_VERIFY_BATCH", audit.DEFAULT_VERIFY_BATCH)
    assert batch < N_EVENTS
    seen = []
    for _ in range(N_EVENTS // batch + 2):  # catching up: never more than one batch per call
        r, reads = _checkpoint(client)
        assert r.status_code == 200, r.json
        assert reads.rows <= batch + 2 and reads.statements <= 4
        seen.append(r.json["seq"])
        if r.json["seq"] == N_EVENTS:
            break
    assert seen[-1] == N_EVENTS and seen == sorted(seen)
    for _ in range(5):  # caught up: each call reads the marker's event, whatever the chain's length
        r, reads = _checkpoint(client)
        assert r.status_code == 200 and r.json["seq"] == N_EVENTS
        assert reads.rows <= 2 and reads.statements <= 2, (reads.rows, reads.statements)
    audit.record(None, "bench.event", "bench", "late", {})
    db.session.commit()
    r, reads = _checkpoint(client)
    assert r.json["seq"] == N_EVENTS + 1 and reads.rows <= 3


def test_ui_verify_is_incremental_too(app, client, make_user, login):
    _chain(N_EVENTS)
    client.get("/api/v1/audit/checkpoint")  # first batch verified
    login(make_user("auditor", "kemenpanrb"))
    with EventReads() as reads:
        r = client.get("/reports/audit?verify=1")
    assert r.status_code == 200
    assert reads.rows <= app.config.get("AUDIT_VERIFY_BATCH", audit.DEFAULT_VERIFY_BATCH) + 50 + 2  # + the page


def _tamper(seq: int) -> None:
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("DROP TRIGGER audit_event_no_update"))
    else:
        db.session.execute(text("DROP TRIGGER audit_event_no_change ON audit_event"))
    db.session.execute(text("UPDATE audit_event SET data = :d WHERE seq = :s"), {"d": '{"i": -1}', "s": seq})
    db.session.commit()


def test_edit_below_the_marker_is_found_by_the_full_check(app, client, runner):
    _chain(40)
    assert client.get("/api/v1/audit/checkpoint").json["seq"] == 40  # marker at the head
    _tamper(7)
    # The bounded check does not walk below the marker: that is the full check's job.
    assert client.get("/api/v1/audit/checkpoint").status_code == 200
    result = runner.invoke(args=["catalog", "audit-verify"])
    assert result.exit_code == 1 and "event 7" in result.output
    # The full check moved the marker back: requests no longer vouch for the chain.
    r = client.get("/api/v1/audit/checkpoint")
    assert r.status_code == 409
    assert audit.verified_marker()[0] == 6


def test_full_check_still_walks_from_the_start(app, client, runner):
    _chain(30)
    client.get("/api/v1/audit/checkpoint")
    db.session.expire_all()
    with EventReads() as reads:
        result = runner.invoke(args=["catalog", "audit-verify"])
    assert result.exit_code == 0 and "30 events" in result.output and reads.rows >= 30


def test_two_verifiers_racing_leave_a_consistent_marker(app):
    _chain(20)
    first = audit.verify_incremental()
    second = audit.verify_incremental()  # both start from the same marker
    assert audit.advance_marker(first) is True
    assert audit.advance_marker(second) is False  # compare-and-set: the loser changes nothing
    db.session.commit()
    seq, digest = audit.verified_marker()
    assert (seq, digest) == (20, db.session.get(AuditEvent, 20).hash)


def test_public_feed_hides_drafts(app, client, make_user, token_for):
    publisher = make_user("publisher", "21")
    apps.create_app(app_payload(name="Sistem Rahasia Belum Terbit", slug="rahasia-draf"), actor=publisher)
    body = client.get("/api/v1/audit/events").get_data(as_text=True)
    assert "Rahasia" not in body and "rahasia-draf" not in body
    items = client.get("/api/v1/audit/events").json["items"]
    draft = [e for e in items if e["action"] == "app.create"][-1]
    assert draft["redacted"] is True and draft["data"] == {} and draft["hash"]
    admin = token_for(make_user("admin", "komdigi"))
    assert "Sistem Rahasia Belum Terbit" in client.get("/api/v1/audit/events?limit=1000", headers=admin).get_data(
        as_text=True)
    province_auditor = token_for(make_user("auditor", "14"))
    assert "Rahasia" not in client.get("/api/v1/audit/events?limit=1000", headers=province_auditor).get_data(
        as_text=True)


def test_private_digests_are_keyed(app):
    url = "https://simanja.internal.pemkot.go.id/admin"
    with app.test_request_context():
        event_ = audit.record(None, "deployment.create", "deployment", 1, {"url_sha256": hashlib.sha256(
            url.encode()).hexdigest()})
        first = audit.private_digest(url)
        app.config["SECRET_KEY"] = "another-secret"
        second = audit.private_digest(url)
    assert "url_sha256" not in event_.data and hashlib.sha256(url.encode()).hexdigest() not in event_.data
    assert f'"url_hmac":"{first}"' in event_.data
    assert first != second and len(first) == 64
    db.session.rollback()


def test_province_auditor_sees_only_their_province(app, client, make_user, login):
    apps.create_app(app_payload(name="Aplikasi Kepri", slug="aplikasi-kepri"), actor=make_user("publisher", "21"))
    apps.create_app(app_payload(name="Aplikasi Riau", slug="aplikasi-riau"), actor=make_user("publisher", "14"))
    login(make_user("auditor", "14"))
    page = client.get("/reports/audit").get_data(as_text=True)
    assert "aplikasi-riau" in page and "aplikasi-kepri" not in page
    client.post("/logout")
    login(make_user("auditor", "kemenpanrb"))
    page = client.get("/reports/audit").get_data(as_text=True)
    assert "aplikasi-riau" in page and "aplikasi-kepri" in page


@pytest.mark.parametrize("path", ["/reports/audit", "/reports/audit/checkpoint.json"])
def test_audit_pages_stay_closed_to_others(client, make_user, login, path):
    login(make_user("publisher", "21"))
    assert client.get(path).status_code == 403
