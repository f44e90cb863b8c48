"""The SPBE evidence names the audit chain's verified head (issue 15, item 10): the same event and
hash as the public checkpoint, so whoever holds the printout can later run
`flask catalog audit-verify --checkpoint`; a broken chain is said, not vouched for."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from catalog.extensions import db
from catalog.models import AuditEvent
from tests.deployment_world import scenario, scenario_app, scenario_template, source_repos, world  # noqa: F401
from tests.services.test_audit_checkpoint import _drop_guards


@pytest.fixture
def app(scenario_app):
    return scenario_app


def _seal(html: str) -> str:
    return re.search(r'id="evidence-seal">([^<]*)</dd>', html).group(1)


def test_evidence_names_the_checkpoint_on_screen_and_in_its_print_header(client, world, login):
    login(world.user("auditor", "21"))
    html = client.get("/reports/evidence/21.72").get_data(as_text=True)
    head = client.get("/api/v1/audit/checkpoint").get_json()
    assert _seal(html) == f"peristiwa #{head['seq']}, hash {head['hash']}"
    printed = html.split('class="print-head"', 1)[1].split("</header>", 1)[0]
    assert f"Checkpoint audit: peristiwa #{head['seq']}, hash {head['hash']}" in printed
    english = client.get("/reports/evidence/21.72", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"Audit checkpoint: event #{head['seq']}, hash {head['hash']}" in english


def test_a_broken_chain_is_named_instead_of_a_hash(client, world, login):
    login(world.user("auditor", "21"))
    newest = db.session.execute(db.select(db.func.max(AuditEvent.seq))).scalar_one()
    _drop_guards()
    db.session.execute(text("UPDATE audit_event SET data = :d WHERE seq = :s"), {"d": '{"diubah": true}', "s": newest})
    db.session.commit()
    response = client.get("/reports/evidence/21.72")
    assert response.status_code == 200
    seal = _seal(response.get_data(as_text=True))
    assert seal == f"Rantai audit rusak pada peristiwa {newest}; checkpoint tidak dibuat."
    assert "hash" not in seal


def test_the_csv_prints_no_seal_and_verifies_nothing(client, world, login):
    """Only the page shows the seal; the CSV neither verifies the newest events nor moves the
    stored marker (a write on every download, queued behind the day's writers on SQLite)."""
    from catalog.models import AuditVerified

    login(world.user("auditor", "21"))

    def marker() -> int:
        db.session.rollback()
        row = db.session.execute(db.select(AuditVerified)).scalars().first()
        return row.seq if row is not None else 0

    client.get("/reports/evidence/21.72")
    verified = marker()
    world.deploy("14.71", "srikandi", status="pilot")  # a newer audit event to verify
    assert client.get("/reports/evidence/21.72.csv").status_code == 200
    assert marker() == verified
    client.get("/reports/evidence/21.72")
    assert marker() > verified
