"""Evidence strengths (issue 19) wherever deployments are counted: reports, their CSVs, the SPBE
evidence page, organization pages, the API; auditors filter by strength. Deployments become
observed through real heartbeats."""
from __future__ import annotations

from datetime import timedelta

import pytest

from catalog.extensions import db
from catalog.models import Deployment
from catalog.models.types import utcnow
from catalog.services.deployments import heartbeat
from catalog.services.oversight import reports
from tests.deployment_world import scenario, scenario_app, scenario_template, source_repos, world  # noqa: F401
from tests.web.test_reports_api import _csv, _screen


@pytest.fixture
def app(scenario_app):
    return scenario_app


@pytest.fixture
def observed(client, world, scenario, token_for):
    """Tanjung Pinang's Simanja (confirmed) and Pekanbaru's Simanja (only declared) beat once;
    Tanjung Pinang's SIAP beat 40 days ago (no longer observed)."""
    pekanbaru = db.session.execute(db.select(Deployment).join(Deployment.organization).where(
        Deployment.app.has(slug="simanja"), Deployment.organization.has(code="14.71"))).scalar_one()
    siap = db.session.execute(db.select(Deployment).where(
        Deployment.app.has(slug="siap"), Deployment.organization.has(code="21.72"))).scalar_one()
    ids = {"tp_simanja": scenario["tp_simanja"], "pekanbaru": pekanbaru.id, "tp_siap": siap.id}
    for key, org in (("tp_simanja", "21.72"), ("pekanbaru", "14.71"), ("tp_siap", "21.72")):
        headers = token_for(world.user("adopter", org))
        token = client.post(f"/api/v1/deployments/{ids[key]}/heartbeat-token", headers=headers).json["token"]
        beat = client.post(f"/api/v1/deployments/{ids[key]}/heartbeat", json={"version": "v1.2.0"},
                           headers={"Authorization": f"Bearer {token}"})
        assert beat.status_code == 200, beat.json
    row = db.session.get(Deployment, ids["tp_siap"])
    row.last_seen_at = utcnow() - timedelta(days=40)
    db.session.commit()
    return ids


def test_reuse_counts_each_strength(app, world, observed):
    scope = reports.report_scope(world.admin)
    simanja = next(r for r in reports.reuse_by_app(scope) if r.app.slug == "simanja")
    # two production deployments: one confirmed and observed, one observed only
    assert (simanja.deployments, simanja.confirmed, simanja.observed, simanja.declared_only) == (2, 1, 2, 0)
    siap = next(r for r in reports.reuse_by_app(scope) if r.app.slug == "siap")
    assert (siap.observed, siap.declared_only) == (0, 2)  # a beat 40 days ago is no longer evidence
    only_observed = reports.report_scope(world.admin, strength="observed")
    assert {r.app.slug for r in reports.reuse_by_app(only_observed)} >= {"simanja"}
    assert "siap" not in {r.app.slug for r in reports.reuse_by_app(only_observed) if r.deployments}


def test_regions_csv_states_the_strength_of_every_line_and_filters(client, world, login, observed):
    login(world.user("auditor", "21"))
    rows = _csv(client.get("/reports/tables/regions.csv").data)
    head = rows[0]
    evidence_at = head.index("Kekuatan bukti")
    by_app = {(r[0], r[1]): r[evidence_at] for r in rows[1:] if r[1]}
    assert by_app[("Kota Tanjung Pinang", "Simanja")] == "Terpantau + Dikonfirmasi"
    assert by_app[("Kota Tanjung Pinang", "SIAP")] == "Dinyatakan"
    assert by_app[("Kota Tanjung Pinang", "Srikandi")] == "Dinyatakan"
    observed_rows = _csv(client.get("/reports/tables/regions.csv?strength=observed").data)
    assert [(r[0], r[1]) for r in observed_rows[1:] if r[1]] == [("Kota Tanjung Pinang", "Simanja")]
    declared = _csv(client.get("/reports/tables/regions.csv?strength=declared").data)
    assert {r[1] for r in declared[1:] if r[1]} == {"SIAP", "Srikandi"}
    assert client.get("/reports/tables/regions.csv?strength=rumor").status_code == 422


def test_apps_csv_counts_observed_and_declared_only(client, world, login, observed):
    login(world.admin)
    rows = _csv(client.get("/reports/tables/apps.csv").data)
    head, simanja = rows[0], next(r for r in rows if r[0] == "Simanja")
    assert simanja[head.index("Terpantau")] == "2" and simanja[head.index("Hanya dinyatakan")] == "0"
    assert simanja[head.index("Terkonfirmasi")] == "1"


def test_evidence_page_states_every_line_and_filters(client, world, login, observed):
    login(world.user("auditor", "21"))
    html = client.get("/reports/evidence/21.72").get_data(as_text=True)
    table = _screen(html)["evidence"]
    evidence_at = table[0].index("Kekuatan bukti")
    assert sorted(r[evidence_at] for r in table[1:]) == ["Dinyatakan", "Dinyatakan", "Terpantau + Dikonfirmasi"]
    assert "1 terpantau (heartbeat dalam 30 hari), 1 dikonfirmasi, 2 hanya dinyatakan." in html
    assert _csv(client.get("/reports/evidence/21.72.csv").data) == table
    confirmed = _screen(client.get("/reports/evidence/21.72?strength=confirmed").get_data(as_text=True))
    assert [r[0] for r in confirmed["evidence"][1:]] == ["Simanja"]
    declared = _csv(client.get("/reports/evidence/21.72.csv?strength=declared").data)
    assert sorted(r[0] for r in declared[1:]) == ["SIAP", "Srikandi"]


def test_api_reports_and_lists_carry_the_evidence(client, world, token_for, observed):
    auditor = token_for(world.user("auditor", "21"))
    body = client.get("/api/v1/reports/reuse?strength=observed", headers=auditor).json
    assert body["scope"]["strength"] == "observed"
    lines = [a for region in body["regions"] for a in region["apps"]]
    assert [(a["app"], a["evidence"]) for a in lines] == [
        ("simanja", {"declared": True, "confirmed": True, "observed": True})]
    listed = client.get("/api/v1/deployments?strength=observed").json
    assert {d["id"] for d in listed["items"]} == {observed["tp_simanja"], observed["pekanbaru"]}
    assert client.get("/api/v1/deployments?strength=x").status_code == 422
    org = client.get("/api/v1/organizations/21.72").json
    simanja = next(u for u in org["uses"] if u["app"]["slug"] == "simanja")
    assert simanja["evidence"] == {"declared": True, "confirmed": True, "observed": True}
    province = client.get("/api/v1/organizations/21").json
    assert next(r for r in province["regions"] if r["code"] == "21.72")["observed"] == 1


def test_organization_page_and_list_show_strengths(client, observed):
    html = client.get("/organizations/14.71").get_data(as_text=True)
    assert 'class="evidence evidence-observed"' in html
    listed = client.get("/deployments?strength=observed").get_data(as_text=True)
    table = listed.split("</details>", 1)[1]  # past the filters, whose suggestions name every region
    assert "Pekanbaru" in table and "Bintan" not in table
    assert heartbeat.STRENGTH_FILTERS == ("observed", "confirmed", "declared")


def test_app_page_and_adoption_guide_state_each_deployments_strength(client, observed):
    """Where the app page and the guided adoption flow count deployments, each line says what backs it."""
    page = client.get("/apps/simanja").get_data(as_text=True)
    where = page.split('id="h-dipakai"', 1)[1].split("</section>", 1)[0]
    assert "<th scope=\"col\">Kekuatan bukti</th>" in where
    rows = {name: row for row in where.split("<tr>")[2:]
            for name in ("Kota Pekanbaru", "Kota Tanjung Pinang") if f">{name}</a>" in row}
    assert 'evidence-observed">Terpantau<' in rows["Kota Pekanbaru"]
    assert 'evidence-confirmed">Dikonfirmasi<' not in rows["Kota Pekanbaru"]
    assert 'evidence-observed">Terpantau<' in rows["Kota Tanjung Pinang"]
    assert 'evidence-confirmed">Dikonfirmasi<' in rows["Kota Tanjung Pinang"]
    guide = client.get("/apps/simanja/adopsi").get_data(as_text=True)
    step = guide.split('id="h-langkah-2"', 1)[1].split("</section>", 1)[0]
    assert "Kekuatan bukti" in step and step.count('evidence-observed">Terpantau<') == 2
    siap = client.get("/apps/siap").get_data(as_text=True).split('id="h-dipakai"', 1)[1]
    assert 'evidence-declared">Dinyatakan<' in siap.split("</section>", 1)[0]  # its beat is 40 days old


def test_english_pages_read_confirmations_and_strengths_in_english_the_csv_stays_as_it_was(
        client, world, login, observed):
    login(world.user("auditor", "21"))
    english = {"Accept-Language": "en"}
    regions = _screen(client.get("/reports", headers=english).get_data(as_text=True))["regions"]
    head, rows = regions[0], regions[1:]
    simanja = next(r for r in rows if r[:2] == ["Kota Tanjung Pinang", "Simanja"])
    assert simanja[head.index("Evidence strength")] == "Observed + Confirmed"
    assert simanja[head.index("Confirmation")].startswith("Confirmed by the publisher (Provinsi Kepulauan Riau) 20")
    evidence = _screen(client.get("/reports/evidence/21.72", headers=english).get_data(as_text=True))["evidence"]
    assert any(r[evidence[0].index("Evidence strength")] == "Observed + Confirmed" for r in evidence[1:])
    assert not any("Dikonfirmasi" in cell or "Terpantau" in cell for r in evidence[1:] for cell in r)
    sources = {r[evidence[0].index("Source code")] for r in evidence[1:]}
    assert "upstream" in sources and all(s == "upstream" or s.startswith("copy ") for s in sources), sources
    # the CSV's cells are the catalog's own text, whatever the reader's language
    csv_rows = _csv(client.get("/reports/tables/regions.csv", headers=english).data)
    cells = {c for r in csv_rows[1:] for c in r}
    assert "Terpantau + Dikonfirmasi" in cells
    assert any(c.startswith("Dikonfirmasi penerbit (Provinsi Kepulauan Riau) 20") for c in cells)
    evidence_csv = _csv(client.get("/reports/evidence/21.72.csv", headers=english).data)
    assert "induk" in {r[2] for r in evidence_csv[1:]}


def test_a_kept_evidence_csv_is_built_once_and_follows_the_organizations_rows(client, world, login, observed,
                                                                            token_for, monkeypatch):
    """Downloaded again, the evidence CSV comes from the kept table; a heartbeat of one of the
    organization's deployments (a change its evidence marks see) shows at the next download."""
    from catalog.services.oversight import tables

    built = []
    build = tables.evidence_table
    monkeypatch.setattr(tables, "evidence_table", lambda evidence: built.append(1) or build(evidence))
    siap = db.session.execute(db.select(Deployment.id).where(
        Deployment.app.has(slug="siap"), Deployment.organization.has(code="21.72"))).scalar_one()
    login(world.user("auditor", "21"))
    first = _csv(client.get("/reports/evidence/21.72.csv").data)
    assert _csv(client.get("/reports/evidence/21.72.csv").data) == first and len(built) == 1
    evidence_at = first[0].index("Kekuatan bukti")
    assert next(r for r in first if r[0] == "SIAP")[evidence_at] == "Dinyatakan"

    headers = token_for(world.user("adopter", "21.72"))
    token = client.post(f"/api/v1/deployments/{siap}/heartbeat-token", headers=headers).json["token"]
    beat = client.post(f"/api/v1/deployments/{siap}/heartbeat", json={"version": "v2.3.0"},
                       headers={"Authorization": f"Bearer {token}"})
    assert beat.status_code == 200, beat.json
    after = _csv(client.get("/reports/evidence/21.72.csv").data)
    assert next(r for r in after if r[0] == "SIAP")[evidence_at] == "Terpantau" and len(built) == 2
    assert client.get("/reports/evidence/14.71.csv").status_code == 403  # another province: still refused
