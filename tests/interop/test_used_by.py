"""Verifiable usedBy (issue 19): publiccode.yml names only organizations whose production
deployment is confirmed or observed, never an imported claim; the API shows each name's evidence."""
from __future__ import annotations

import pytest

from catalog.extensions import db
from catalog.models import App, Deployment
from catalog.publiccode import parse, validate
from catalog.services.catalog import apps
from catalog.services.deployments import lifecycle as deployments
from tests.deployment_world import scenario, scenario_app, scenario_template, source_repos, world  # noqa: F401
from tests.interop.conftest import LONG


@pytest.fixture
def app(scenario_app):
    return scenario_app


@pytest.fixture
def exportable(world):
    """Simanja with a description long enough to export, and an unverifiable imported usedBy."""
    apps.update_app("simanja", {"description": LONG}, actor=world.admin)
    row = db.session.execute(db.select(App).where(App.slug == "simanja")).scalar_one()
    row.publiccode_extras = {**(row.publiccode_extras or {}), "usedBy": ["Kota Fiktif", "Kabupaten Klaim"]}
    db.session.commit()


def _used_by(client) -> list[str] | None:
    r = client.get("/api/v1/apps/simanja/publiccode.yml")
    assert r.status_code == 200, r.get_data(as_text=True)
    doc = parse(r.get_data(as_text=True)).doc
    assert validate(doc)[0] == []
    return doc.get("usedBy")


def _beat(client, world, token_for, dep_id, org):
    token = client.post(f"/api/v1/deployments/{dep_id}/heartbeat-token",
                        headers=token_for(world.user("adopter", org))).json["token"]
    r = client.post(f"/api/v1/deployments/{dep_id}/heartbeat", json={"version": "v1.0.0"},
                    headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.json


def _simanja_of(org: str) -> Deployment:
    return db.session.execute(db.select(Deployment).where(
        Deployment.app.has(slug="simanja"), Deployment.organization.has(code=org))).scalar_one()


def test_used_by_names_confirmed_or_observed_production_only(client, world, token_for, exportable):
    # Tanjung Pinang's production deployment is confirmed; Pekanbaru's is only declared
    assert _used_by(client) == ["Kota Tanjung Pinang"]
    _beat(client, world, token_for, _simanja_of("14.71").id, "14.71")
    assert _used_by(client) == ["Kota Pekanbaru", "Kota Tanjung Pinang"]
    evidence = client.get("/api/v1/apps/simanja/used-by").json
    assert [(i["name"], i["evidence"]["confirmed"], i["evidence"]["observed"]) for i in evidence["items"]] == [
        ("Kota Pekanbaru", False, True), ("Kota Tanjung Pinang", True, False)]
    assert evidence["items"][1]["confirmation"]["role"] == "publisher"
    assert evidence["items"][0]["last_seen_at"] and evidence["items"][0]["observed_version"] == "v1.0.0"


def test_observed_pilot_and_suspended_deployments_do_not_count(client, world, token_for, exportable):
    bintan = world.deploy("21.01", "simanja", status="pilot", environment="pilot", version="v1.1.0")
    _beat(client, world, token_for, bintan.id, "21.01")
    tp = _simanja_of("21.72")
    deployments.change_status(tp.id, "suspended", actor=world.user("adopter", "21.72"))
    assert _used_by(client) is None  # no verified production user: the key is left out, not invented
    assert client.get("/api/v1/apps/simanja/used-by").json["items"] == []


def test_used_by_of_a_draft_stays_hidden(client):
    assert client.get("/api/v1/apps/tidak-ada/used-by").status_code == 404


def test_a_fork_variant_lists_the_users_of_that_fork(client, world, token_for, scenario, exportable):
    tp = _simanja_of("21.72")
    deployments.update_deployment(tp.id, {"fork_id": scenario["fork"]}, actor=world.user("adopter", "21.72"))
    assert parse(client.get(f"/api/v1/forks/{scenario['fork']}/publiccode.yml").get_data(as_text=True)).doc \
        .get("usedBy") is None  # moving to the fork made the confirmation lapse: nothing verified yet
    _beat(client, world, token_for, tp.id, "21.72")
    doc = parse(client.get(f"/api/v1/forks/{scenario['fork']}/publiccode.yml").get_data(as_text=True)).doc
    assert doc["usedBy"] == ["Kota Tanjung Pinang"] and validate(doc)[0] == []
    assert _used_by(client) == ["Kota Tanjung Pinang"]
