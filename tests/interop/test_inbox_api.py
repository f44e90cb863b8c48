"""Notifications and harvested proposals through the JSON API: same services, same rules as the pages."""
from __future__ import annotations

import pytest

from catalog.extensions import db
from catalog.models import Proposal
from catalog.services.catalog import apps
from catalog.services.repos import forks, mirrors
from tests.interop.conftest import commit_file, publiccode_text

UPSTREAM_URL = "https://git.example.go.id/simanja.git"
NEW_DOCS = "https://simanja.kepriprov.example/panduan"


@pytest.fixture
def publisher(make_user):
    return make_user("publisher", "21")


@pytest.fixture
def proposal(published_app, source_repo, publisher) -> Proposal:
    commit_file(source_repo, "publiccode.yml", publiccode_text(repo_url=UPSTREAM_URL, documentation_url=NEW_DOCS))
    mirrors.request_refresh("simanja", actor=publisher)  # the fetch runs inline in tests
    return db.session.execute(db.select(Proposal)).scalar_one()


def test_notifications_list_and_mark_read(published_app, publisher, adopter, client, token_for):
    forks.create_fork("simanja", actor=adopter)
    forks.create_fork("simanja", actor=adopter, name="simanja-uji")
    auth = token_for(publisher)
    body = client.get("/api/v1/notifications", headers=auth).get_json()
    assert body["total"] == 2 and body["unread"] == 2 and body["page"] == 1
    first = body["items"][0]
    assert first["kind"] == "app_forked" and first["read_at"] is None and first["link"].startswith("/forks/")
    r = client.post(f"/api/v1/notifications/{first['id']}/read", headers=auth)
    assert r.status_code == 200 and r.get_json()["read_at"]
    unread = client.get("/api/v1/notifications?unread=1", headers=auth).get_json()
    assert unread["total"] == 1 and unread["unread"] == 1 and unread["items"][0]["id"] != first["id"]
    assert client.post("/api/v1/notifications/read", headers=auth).get_json() == {"marked": 1}
    assert client.get("/api/v1/notifications?unread=1", headers=auth).get_json()["total"] == 0


def test_notifications_are_private(published_app, publisher, adopter, client, token_for):
    forks.create_fork("simanja", actor=adopter)
    mine = client.get("/api/v1/notifications", headers=token_for(publisher)).get_json()["items"][0]
    other = token_for(adopter)
    assert client.get("/api/v1/notifications").status_code == 401
    assert client.post(f"/api/v1/notifications/{mine['id']}/read", headers=other).status_code == 404
    marked = client.post("/api/v1/notifications/read", headers=other, json={"ids": [mine["id"]]}).get_json()
    assert marked == {"marked": 0}
    assert client.get("/api/v1/notifications", headers=token_for(publisher)).get_json()["unread"] == 1
    r = client.post("/api/v1/notifications/read", headers=other, json={"ids": ["x"]})
    assert r.status_code == 422 and "ids" in r.get_json()["fields"]


def test_publisher_reviews_and_accepts_a_proposal(proposal, publisher, client, token_for):
    auth = token_for(publisher)
    listed = client.get("/api/v1/apps/simanja/proposals", headers=auth).get_json()
    assert listed["total"] == 1 and listed["items"][0]["status"] == "pending"
    fields = {c["field"] for c in listed["items"][0]["changes"]}
    assert "documentation_url" in fields
    r = client.post(f"/api/v1/proposals/{proposal.id}/accept", headers=auth, json={"fields": ["documentation_url"]})
    assert r.status_code == 200 and r.get_json()["status"] == "accepted"
    db.session.expire_all()
    assert apps.get_published("simanja").documentation_url == NEW_DOCS
    again = client.post(f"/api/v1/proposals/{proposal.id}/reject", headers=auth)
    assert again.status_code == 409 and again.get_json()["error"]


def test_reject_keeps_the_entry_and_bad_bodies_are_refused(proposal, publisher, client, token_for):
    auth = token_for(publisher)
    r = client.post(f"/api/v1/proposals/{proposal.id}/accept", headers=auth, json={"fields": "documentation_url"})
    assert r.status_code == 422 and "fields" in r.get_json()["fields"]
    r = client.post(f"/api/v1/proposals/{proposal.id}/accept", headers=auth, json={"fields": []})
    assert r.status_code == 422
    r = client.post(f"/api/v1/proposals/{proposal.id}/reject", headers=auth, json={"note": "Belum sesuai"})
    assert r.status_code == 200 and r.get_json()["decision_note"] == "Belum sesuai"
    db.session.expire_all()
    assert apps.get_published("simanja").documentation_url != NEW_DOCS


def test_proposals_are_only_for_the_apps_publisher(proposal, make_user, client, token_for):
    elsewhere = token_for(make_user("publisher", "32"))
    assert client.get("/api/v1/apps/simanja/proposals", headers=elsewhere).status_code == 403
    assert client.get(f"/api/v1/proposals/{proposal.id}", headers=elsewhere).status_code == 404
    assert client.post(f"/api/v1/proposals/{proposal.id}/accept", headers=elsewhere).status_code == 404
    assert client.get(f"/api/v1/proposals/{proposal.id}").status_code == 401
    admin_auth = token_for(make_user("admin", "komdigi"))
    assert client.get("/api/v1/proposals/99999999999", headers=admin_auth).status_code == 404
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).status == "pending"
