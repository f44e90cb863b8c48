"""Harvesting: an upstream publiccode.yml edit becomes a proposal; nothing changes until accepted."""
from __future__ import annotations

from datetime import date

import pytest

from catalog.extensions import db
from catalog.models import AuditEvent, Notification, Proposal
from catalog.services.catalog import apps
from catalog.services.interop import harvest
from catalog.services.repos import mirrors
from tests.interop.conftest import LONG, commit_file, publiccode_text

UPSTREAM_URL = "https://git.example.go.id/simanja.git"  # what the demo repository's own file says
NEW_DOCS = "https://simanja.kepriprov.example/panduan"


@pytest.fixture
def publisher(make_user):
    return make_user("publisher", "21")


def _push_file(source_repo, publisher, text: str) -> None:
    commit_file(source_repo, "publiccode.yml", text, "Perbarui publiccode.yml")
    mirrors.request_refresh("simanja", actor=publisher)  # the fetch runs inline in tests


def _proposals() -> list[Proposal]:
    return list(db.session.execute(db.select(Proposal).order_by(Proposal.id)).scalars())


def test_first_fetch_and_unchanged_file_propose_nothing(published_app, publisher):
    assert mirrors.get_mirror(published_app).publiccode_yml.startswith("publiccodeYmlVersion")
    mirrors.request_refresh("simanja", actor=publisher)
    assert _proposals() == []


def test_changed_file_becomes_a_proposal_and_the_entry_stays(published_app, source_repo, publisher):
    before = apps.app_fields(published_app)
    _push_file(source_repo, publisher, publiccode_text(repo_url=UPSTREAM_URL, documentation_url=NEW_DOCS))
    [proposal] = _proposals()
    changed = {c["field"]: c for c in proposal.changes}
    assert changed["description"]["proposed"] == LONG
    assert changed["description"]["current"] == before["description"]
    assert changed["documentation_url"] == {"field": "documentation_url", "current": "", "proposed": NEW_DOCS}
    assert "license" not in changed  # upstream now says what the entry already says
    assert "repo_url" not in changed and "name" not in changed  # upstream did not change those keys
    assert changed["extras.localisation"]["proposed"] == {"localisationReady": False, "availableLanguages": ["id"]}
    assert proposal.errors == [] and proposal.status == "pending"
    db.session.expire_all()
    assert apps.app_fields(apps.get_published("simanja")) == before  # nothing applied silently
    note = db.session.execute(db.select(Notification).where(Notification.kind == "harvest_proposal",
                                                            Notification.user_id == publisher.id)).scalar_one()
    assert note.link == "/apps/simanja/proposals"


def test_publisher_compares_and_accepts_chosen_changes(published_app, source_repo, publisher, login, client):
    _push_file(source_repo, publisher, publiccode_text(repo_url=UPSTREAM_URL, documentation_url=NEW_DOCS))
    [proposal] = _proposals()
    login(publisher)
    assert "Usulan dari publiccode.yml (1)" in client.get("/apps/simanja").get_data(as_text=True)
    page = client.get("/apps/simanja/proposals").get_data(as_text=True)
    assert "Sekarang di katalog" in page and "Usulan dari repositori" in page and NEW_DOCS in page
    r = client.post(f"/proposals/{proposal.id}/accept", data={"fields": ["documentation_url", "extras.localisation"]})
    assert r.status_code == 302
    db.session.expire_all()
    app = apps.get_published("simanja")
    assert app.documentation_url == NEW_DOCS and app.description != LONG
    assert app.publiccode_extras["localisation"] == {"localisationReady": False, "availableLanguages": ["id"]}
    assert db.session.get(Proposal, proposal.id).status == "accepted"
    actions = [e.action for e in db.session.execute(db.select(AuditEvent).order_by(AuditEvent.seq)).scalars()]
    assert actions[-2:] == ["app.update", "harvest.accept"]
    r = client.post(f"/proposals/{proposal.id}/accept", data={"fields": ["description"]})
    assert r.status_code == 409  # decided already


def test_accepting_an_invalid_value_reports_it_on_the_field(published_app, source_repo, publisher, login, client):
    _push_file(source_repo, publisher, publiccode_text(repo_url=UPSTREAM_URL,
                                                       maintenance_type="contract", contractor_name="PT Data",
                                                       maintenance_contacts=[], contract_end=date(2027, 1, 1)))
    [proposal] = _proposals()
    fields = {c["field"] for c in proposal.changes}
    assert {"maintenance_type", "contractor_name", "contract_end"} <= fields
    login(publisher)
    r = client.post(f"/proposals/{proposal.id}/accept", data={"fields": ["maintenance_type"]})
    assert r.status_code == 422  # a contract needs its contractor: same validation as the form
    assert "Isi nama penyedia" in r.get_data(as_text=True)
    assert db.session.get(Proposal, proposal.id).status == "pending"


def test_reject_keeps_the_entry(published_app, source_repo, publisher, login, client):
    _push_file(source_repo, publisher, publiccode_text(repo_url=UPSTREAM_URL))
    [proposal] = _proposals()
    login(publisher)
    r = client.post(f"/proposals/{proposal.id}/reject", data={"note": "Deskripsi kami lebih tepat."})
    assert r.status_code == 302
    row = db.session.get(Proposal, proposal.id)
    assert row.status == "rejected" and row.decision_note == "Deskripsi kami lebih tepat."
    assert apps.get_published("simanja").description != LONG


def test_invalid_upstream_file_lists_its_errors(published_app, source_repo, publisher):
    text = publiccode_text(repo_url=UPSTREAM_URL).replace("developmentStatus: stable", "developmentStatus: kuno")
    _push_file(source_repo, publisher, text)
    [proposal] = _proposals()
    assert proposal.errors == [{"path": "developmentStatus", "message": proposal.errors[0]["message"]}]
    assert "development_status" not in {c["field"] for c in proposal.changes}


def test_newer_file_supersedes_a_pending_proposal(published_app, source_repo, publisher):
    _push_file(source_repo, publisher, publiccode_text(repo_url=UPSTREAM_URL))
    _push_file(source_repo, publisher, publiccode_text(repo_url=UPSTREAM_URL, documentation_url=NEW_DOCS))
    assert [p.status for p in _proposals()] == ["superseded", "pending"]
    assert harvest.pending_count(published_app.id) == 1


def test_only_the_apps_publishers_see_proposals(published_app, source_repo, publisher, make_user, login, client):
    _push_file(source_repo, publisher, publiccode_text(repo_url=UPSTREAM_URL))
    [proposal] = _proposals()
    login(make_user("publisher", "14"))
    assert client.get("/apps/simanja/proposals").status_code == 403
    assert client.post(f"/proposals/{proposal.id}/accept", data={"fields": ["description"]}).status_code == 404
    assert db.session.get(Proposal, proposal.id).status == "pending"
