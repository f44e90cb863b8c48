"""Heartbeats (issue 19) through the API: the token, the beat, its limits, flags and evidence."""
from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from sqlalchemy import event

from catalog.extensions import db
from catalog.models import AuditEvent, Deployment
from catalog.models.types import utcnow
from catalog.services.deployments import heartbeat
from tests.deployment_world import source_repos, world, world_app, world_template  # noqa: F401


@pytest.fixture
def app(world_app):
    return world_app


@pytest.fixture
def adopter(world, token_for):
    return token_for(world.user("adopter", "21.72"))


@pytest.fixture
def dep(world):
    return world.deploy("21.72", "simanja", version="v1.1.0")


def _token(client, dep_id, headers) -> str:
    r = client.post(f"/api/v1/deployments/{dep_id}/heartbeat-token", headers=headers)
    assert r.status_code == 201, r.json
    return r.json["token"]


def _beat(client, dep_id, token, body=None, **kw):
    return client.post(f"/api/v1/deployments/{dep_id}/heartbeat", json=body or {"version": "v1.1.0"},
                       headers={"Authorization": f"Bearer {token}"}, **kw)


def _audit_actions(dep_id) -> list[str]:
    stmt = db.select(AuditEvent.action).where(AuditEvent.object_type == "deployment",
                                              AuditEvent.object_id == str(dep_id)).order_by(AuditEvent.seq)
    return list(db.session.execute(stmt).scalars())


def _age(dep_id, **delta):
    """Move the last beat into the past, as time passing would."""
    row = db.session.get(Deployment, dep_id)
    row.last_seen_at = utcnow() - timedelta(**delta)
    db.session.commit()


def test_token_is_shown_once_stored_hashed_and_audited(client, adopter, dep):
    token = _token(client, dep.id, adopter)
    assert token.startswith("kbh_")
    row = db.session.get(Deployment, dep.id)
    assert row.heartbeat_token_hash == heartbeat.digest(token) and token not in (row.heartbeat_token_prefix or "x" * 99)
    shown = client.get(f"/api/v1/deployments/{dep.id}", headers=adopter).json
    assert shown["heartbeat_token"]["prefix"] == token[:10] and token not in str(shown)
    assert "deployment.heartbeat_token_issue" in _audit_actions(dep.id)


def test_beat_makes_the_deployment_observed(client, adopter, dep):
    token = _token(client, dep.id, adopter)
    before = client.get(f"/api/v1/deployments/{dep.id}").json
    assert before["evidence"] == {"declared": True, "confirmed": False, "observed": False}
    r = _beat(client, dep.id, token, {"version": "v1.1.0", "url": "https://simanja.example.go.id",
                                      "info": {"opd_units": ["BKPSDM"], "active_users": 40, "database": "mysql"}})
    assert r.status_code == 200, r.json
    assert r.json["observed_version"] == "v1.1.0" and r.json["flags"] == [] and r.json["change"] == "first"
    after = client.get(f"/api/v1/deployments/{dep.id}", headers=adopter).json
    assert after["evidence"]["observed"] is True and after["last_seen_at"] and after["strengths"] == ["observed"]
    assert after["observed_info"] == {"active_users": 40, "database": "mysql", "opd_units": ["BKPSDM"]}
    assert "deployment.observed" in _audit_actions(dep.id)


def test_token_beats_only_its_own_deployment_and_nothing_else(client, adopter, world, dep):
    other = world.deploy("21.72", "siap")
    token = _token(client, dep.id, adopter)
    assert _beat(client, other.id, token).status_code == 401
    # not a personal access token either: no API read or write with it
    assert client.get("/api/v1/notifications", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.post("/api/v1/deployments", json={}, headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert _beat(client, dep.id, "kbh_" + "x" * 40).status_code == 401
    assert client.post(f"/api/v1/deployments/{dep.id}/heartbeat", json={"version": "v1"}).status_code == 401


def test_rotate_and_revoke(client, adopter, dep):
    first = _token(client, dep.id, adopter)
    second = _token(client, dep.id, adopter)
    assert _beat(client, dep.id, first).status_code == 401
    assert _beat(client, dep.id, second).status_code == 200
    assert client.delete(f"/api/v1/deployments/{dep.id}/heartbeat-token", headers=adopter).status_code == 204
    _age(dep.id, minutes=5)
    assert _beat(client, dep.id, second).status_code == 401
    actions = _audit_actions(dep.id)
    assert actions[-1] == "deployment.heartbeat_token_revoke"
    assert actions.index("deployment.heartbeat_token_issue") < actions.index("deployment.heartbeat_token_rotate") \
        < actions.index("deployment.observed")


def test_only_the_deploying_adopter_manages_the_token(client, world, token_for, dep):
    for role, org in (("adopter", "14.71"), ("publisher", "21"), ("auditor", "21")):
        r = client.post(f"/api/v1/deployments/{dep.id}/heartbeat-token", headers=token_for(world.user(role, org)))
        assert r.status_code == 403, (role, org)
    assert client.post(f"/api/v1/deployments/{dep.id}/heartbeat-token").status_code == 401


def test_rate_limit_is_per_token_with_retry_after(client, adopter, dep):
    token = _token(client, dep.id, adopter)
    assert _beat(client, dep.id, token).status_code == 200
    r = _beat(client, dep.id, token)
    assert r.status_code == 429 and r.json["error"] == "too_many_requests"
    assert 1 <= int(r.headers["Retry-After"]) <= 61
    _age(dep.id, seconds=61)
    assert _beat(client, dep.id, token).status_code == 200


def test_body_limits_and_bad_bodies_are_json_errors(client, adopter, dep):
    token = _token(client, dep.id, adopter)
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    url = f"/api/v1/deployments/{dep.id}/heartbeat"
    big = client.post(url, data='{"version": "v1", "pad": "' + "x" * 5000 + '"}', headers=auth)
    assert big.status_code == 413 and big.json["error"] == "too_large"
    for data in ("not json", "[1, 2]", "", '{"version": ""}', '{"version": "v1", "url": "ftp://x"}',
                 '{"version": "v1", "info": {"active_users": -1}}', '{"version": "v1", "info": {"secret": 1}}',
                 '{"version": "v1\\u0000"}', '\xff\xfe'):
        r = client.post(url, data=data, headers=auth)
        assert r.status_code == 422 and r.json["error"] == "invalid", (data, r.status_code)
    assert db.session.get(Deployment, dep.id).last_seen_at is None  # nothing half-written


def test_version_mismatch_flag_and_one_click_update(client, adopter, dep):
    token = _token(client, dep.id, adopter)
    r = _beat(client, dep.id, token, {"version": "v1.2.0"})
    assert r.json["flags"] == ["version_mismatch"]
    shown = client.get(f"/api/v1/deployments/{dep.id}").json
    assert shown["flags"] == ["version_mismatch"] and shown["observed_version"] == "v1.2.0"
    # the job (inline in tests) measured the reported version's lag: v1.2.0 is the latest release
    assert shown["observed_lag"]["releases"] == 0 and shown["lag"]["releases"] == 1
    r = client.post(f"/api/v1/deployments/{dep.id}/adopt-observed-version", headers=adopter)
    assert r.status_code == 200, r.json
    assert r.json["version"] == "v1.2.0" and r.json["flags"] == [] and r.json["lag"]["releases"] == 0
    assert _audit_actions(dep.id)[-1] == "deployment.update"
    again = client.post(f"/api/v1/deployments/{dep.id}/adopt-observed-version", headers=adopter)
    assert again.status_code == 409


def test_stale_flag_after_configured_days(app, client, adopter, dep):
    token = _token(client, dep.id, adopter)
    _beat(client, dep.id, token)
    _age(dep.id, days=8)
    shown = client.get(f"/api/v1/deployments/{dep.id}").json
    assert shown["flags"] == ["stale"] and shown["evidence"]["observed"] is True
    app.config["HEARTBEAT_STALE_DAYS"] = 10
    assert client.get(f"/api/v1/deployments/{dep.id}").json["flags"] == []
    app.config["HEARTBEAT_STALE_DAYS"] = 7
    _age(dep.id, days=31)
    assert client.get(f"/api/v1/deployments/{dep.id}").json["evidence"]["observed"] is False
    r = _beat(client, dep.id, token)
    assert r.json["change"] == "back"
    assert client.get(f"/api/v1/deployments/{dep.id}").json["flags"] == []


def test_routine_beats_are_not_audited_but_summarized_daily(client, adopter, dep):
    token = _token(client, dep.id, adopter)
    _beat(client, dep.id, token)
    seq = db.session.execute(db.select(db.func.max(AuditEvent.seq))).scalar()
    for _ in range(3):
        _age(dep.id, minutes=2)
        assert _beat(client, dep.id, token).json["change"] is None
    assert db.session.execute(db.select(db.func.max(AuditEvent.seq))).scalar() == seq
    assert heartbeat.summarize_day() == 1
    summary = db.session.execute(db.select(AuditEvent).where(
        AuditEvent.action == "deployment.heartbeat_summary")).scalar_one()
    assert summary.object_id == str(dep.id) and '"beats":4' in summary.data
    assert heartbeat.summarize_day() == 0  # counted once


def test_daily_job_records_who_went_quiet_and_a_day_marker(client, adopter, dep):
    token = _token(client, dep.id, adopter)
    _beat(client, dep.id, token)
    heartbeat.summarize_day()
    _age(dep.id, days=7, hours=12)
    seq = db.session.execute(db.select(db.func.max(AuditEvent.seq))).scalar()
    assert heartbeat.summarize_day() == 0
    new = list(db.session.execute(db.select(AuditEvent.action, AuditEvent.object_id)
                                  .where(AuditEvent.seq > seq).order_by(AuditEvent.seq)).all())
    assert new == [("deployment.unobserved", str(dep.id)), ("deployment.heartbeat_day", "all")]
    assert client.get(f"/api/v1/deployments/{dep.id}").json["flags"] == ["stale"]


def test_one_byte_over_the_limit_and_wrong_scheme_never_500(app, client, adopter, dep):
    token = _token(client, dep.id, adopter)
    url = f"/api/v1/deployments/{dep.id}/heartbeat"
    body = '{"version": "v1.1.0", "url": "https://a.example/' + "x" * 4096 + '"}'
    body = body[:app.config["HEARTBEAT_MAX_BYTES"] - 2] + '"}'
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    assert client.post(url, data=body, headers=headers).status_code == 422  # at the limit: judged (URL too long)
    r = client.post(url, data=body + " ", headers=headers)
    assert r.status_code == 413 and r.is_json
    assert client.post(url, json={"version": "v1"}, headers={"Authorization": f"Basic {token}"}).status_code == 401
    assert client.post(f"/api/v1/deployments/{2**40}/heartbeat", json={"version": "v1"},
                       headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_routine_beat_is_one_read_and_one_update(client, adopter, dep, live_server):
    """Counted on a real server: the lookup by token hash and the conditional update, nothing else
    (no audit event, no session, no personal-access-token check); a refused beat is the read alone."""
    token = _token(client, dep.id, adopter)
    assert _beat(client, dep.id, token).status_code == 200  # the first observation is audited
    _age(dep.id, minutes=2)
    web, headers = requests.Session(), {"Authorization": f"Bearer {token}"}
    url = f"{live_server}/api/v1/deployments/{dep.id}/heartbeat"
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            statements.append(statement.split()[0])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert web.post(url, json={"version": "v1.1.0"}, headers=headers).json()["change"] is None
        assert statements == ["SELECT", "UPDATE"]
        statements.clear()
        assert web.post(url, json={"version": "v1.1.0"}, headers=headers).status_code == 429
        assert statements == ["SELECT"]
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_the_daily_summary_is_scheduled_once_a_day(app):
    from datetime import datetime

    from catalog.jobs.queue import queue

    def due(hour: int, minute: int) -> list[str]:
        return [t.name for t in queue(app).read_periodic(datetime(2026, 12, 7, hour, minute))]

    assert "deployment.heartbeat_summary" in due(0, 10)
    assert not any("deployment.heartbeat_summary" in due(h, m) for h in range(24) for m in (0, 9, 11, 30)
                   if (h, m) != (0, 10))


def test_reported_address_and_facts_show_to_those_who_see_the_deployments_details(client, adopter, world, dep,
                                                                                   login):
    token = _token(client, dep.id, adopter)
    assert _beat(client, dep.id, token, {"version": "v1.1.0", "url": "https://simanja.tanjungpinangkota.go.id",
                                         "info": {"opd_units": ["BKPSDM", "Inspektorat"], "active_users": 0,
                                                  "database": "mariadb"}}).status_code == 200
    public = client.get(f"/deployments/{dep.id}").get_data(as_text=True)
    assert "simanja.tanjungpinangkota.go.id" not in public and "mariadb" not in public
    login(world.user("publisher", "21"))  # the app's publisher sees the URL and note, so these too
    page = client.get(f"/deployments/{dep.id}").get_data(as_text=True)
    assert ('<dt>Alamat yang dilaporkan</dt><dd class="break"><code>https://simanja.tanjungpinangkota.go.id</code>'
            in page)
    assert "<dt>OPD pengguna (dilaporkan)</dt><dd>BKPSDM, Inspektorat</dd>" in page
    assert "<dt>Pengguna aktif (dilaporkan)</dt><dd>0</dd>" in page and "<dd>mariadb</dd>" in page
    client.post("/language", data={"lang": "en"})
    assert "<dt>Active users (reported)</dt>" in client.get(f"/deployments/{dep.id}").get_data(as_text=True)


def test_the_snippets_own_answers_for_the_declared_version_raise_no_mismatch(client, adopter, dep):
    """Declared v1.1.0: a VERSION file's "1.1.0" and git describe's abbreviated id of the same
    commit name it; a later commit past the tag or another release do not."""
    token = _token(client, dep.id, adopter)
    commit = db.session.get(Deployment, dep.id).version_commit
    assert commit and len(commit) >= 7
    answers = [("1.1.0", []), (commit[:7], []), (f"v1.0.0-4-g{commit[:9]}", []),
               ("v1.1.0-1-g0123abc", ["version_mismatch"]), ("v1.2.0", ["version_mismatch"])]
    for reported, flags in answers:
        r = _beat(client, dep.id, token, {"version": reported})
        assert r.status_code == 200 and r.json["flags"] == flags, (reported, r.json)
        shown = client.get(f"/api/v1/deployments/{dep.id}").json
        assert shown["flags"] == flags and shown["observed_version"] == reported
        _age(dep.id, seconds=61)
    r = client.post(f"/api/v1/deployments/{dep.id}/adopt-observed-version", headers=adopter)
    assert r.status_code == 200 and r.json["version"] == "v1.2.0"
    assert _beat(client, dep.id, token, {"version": "1.2.0"}).json["flags"] == []
    assert client.post(f"/api/v1/deployments/{dep.id}/adopt-observed-version", headers=adopter).status_code == 409
