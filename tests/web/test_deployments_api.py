"""The deployment endpoints of the contract: shapes, lifecycle errors, permissions, privacy."""
from __future__ import annotations

import pytest

from tests.deployment_world import source_repos, world, world_app, world_template  # noqa: F401


@pytest.fixture
def app(world_app):
    return world_app


def _body(**overrides):
    body = {"org": "21.72", "app": "simanja", "environment": "production", "status": "production",
            "version": "v1.2.0", "url": "https://simanja.tanjungpinangkota.go.id", "hosting": "pusat_data_daerah",
            "note": "Rahasia: server di ruang 2", "opd_units": ["BKPSDM", "Inspektorat"]}
    body.update(overrides)
    return body


@pytest.fixture
def adopter(world, token_for):
    return token_for(world.user("adopter", "21.72"))


def test_create_returns_the_deployment(client, adopter):
    r = client.post("/api/v1/deployments", json=_body(), headers=adopter)
    assert r.status_code == 201, r.json
    d = r.json
    assert (d["org"]["code"], d["app"]["slug"], d["status"], d["version"]) == (
        "21.72", "simanja", "production", "v1.2.0")
    assert d["lag"]["releases"] == 0 and d["confirmed"] is False and d["next_statuses"] == ["suspended"]
    assert d["note"] == "Rahasia: server di ruang 2" and d["events"][0]["kind"] == "created"


def test_forbidden_transition_is_409(client, adopter):
    dep_id = client.post("/api/v1/deployments", json=_body(), headers=adopter).json["id"]
    r = client.post(f"/api/v1/deployments/{dep_id}/status", json={"status": "retired"}, headers=adopter)
    assert r.status_code == 409 and r.json["error"] == "conflict" and "Ditangguhkan" in r.json["message"]
    r = client.post(f"/api/v1/deployments/{dep_id}/status", json={"status": "suspended", "note": "server rusak"},
                    headers=adopter)
    assert r.status_code == 200 and r.json["status"] == "suspended"
    assert r.json["events"][-1] == {**r.json["events"][-1], "kind": "status", "from": "production", "to": "suspended",
                                    "note": "server rusak"}


def test_missing_version_is_422_on_the_field(client, adopter):
    r = client.post("/api/v1/deployments", json=_body(version="v7"), headers=adopter)
    assert r.status_code == 422 and "v7" in r.json["fields"]["version"]


def test_other_region_gets_403(client, world, token_for):
    other = token_for(world.user("adopter", "14.71"))
    assert client.post("/api/v1/deployments", json=_body(), headers=other).status_code == 403


def test_writes_need_a_token(client):
    assert client.post("/api/v1/deployments", json=_body()).status_code == 401


def test_private_fields_only_for_those_concerned(client, adopter, world, token_for):
    dep_id = client.post("/api/v1/deployments", json=_body(), headers=adopter).json["id"]
    client.post(f"/api/v1/deployments/{dep_id}/status", json={"status": "suspended", "note": "catatan internal"},
                headers=adopter)
    for headers in ({}, token_for(world.user("adopter", "14.71"))):
        d = client.get(f"/api/v1/deployments/{dep_id}", headers=headers).json
        assert "note" not in d and "url" not in d and d["opd_units"] == ["BKPSDM", "Inspektorat"]
        assert all("note" not in e and e["actor"]["name"] is None for e in d["events"])
    for user in (world.user("publisher", "21"), world.user("auditor", "21")):
        d = client.get(f"/api/v1/deployments/{dep_id}", headers=token_for(user)).json
        assert d["url"].startswith("https://") and d["events"][-1]["note"] == "catatan internal"


def test_list_filters_by_province_and_status(client, world):
    world.deploy("21.72", "simanja")
    world.deploy("21.01", "siap", status="planned")
    world.deploy("14.71", "simanja")
    body = client.get("/api/v1/deployments?province=21").json
    assert set(body) == {"items", "total", "page", "per_page"} and body["total"] == 2
    assert {d["org"]["code"] for d in body["items"]} == {"21.72", "21.01"}
    assert client.get("/api/v1/deployments?status=planned").json["total"] == 1
    assert client.get("/api/v1/deployments?app=simanja&org=14.71").json["total"] == 1
    assert client.get("/api/v1/deployments?status=hidup").status_code == 422


def test_publisher_confirms_through_the_api(client, world, token_for):
    dep = world.deploy("21.72", "simanja")
    r = client.post(f"/api/v1/deployments/{dep.id}/confirm", headers=token_for(world.user("publisher", "21")))
    assert r.status_code == 200 and r.json["confirmation"]["role"] == "publisher"
    r = client.post(f"/api/v1/deployments/{dep.id}/confirm", headers=token_for(world.user("adopter", "21.72")))
    assert r.status_code == 403


def test_patch_changes_version(client, adopter, world):
    dep = world.deploy("21.72", "simanja")
    r = client.patch(f"/api/v1/deployments/{dep.id}", json={"version": "v1.0.0"}, headers=adopter)
    assert r.status_code == 200 and r.json["lag"]["releases"] == 2 and r.json["events"][-1]["kind"] == "version"
    r = client.patch(f"/api/v1/deployments/{dep.id}", json={"status": "retired"}, headers=adopter)
    assert r.status_code == 422 and "status" in r.json["fields"]


def test_app_counts_its_active_deployments(client, world):
    world.deploy("21.72", "simanja")
    world.deploy("21.01", "simanja", status="planned")
    assert client.get("/api/v1/apps/simanja").json["deployments_count"] == 2


def test_absurd_ids_are_404_not_500(client, adopter):
    huge = 2**120
    assert client.get(f"/api/v1/deployments/{huge}").status_code == 404
    assert client.patch(f"/api/v1/deployments/{huge}", json={"note": "x"}, headers=adopter).status_code == 404
    r = client.post("/api/v1/deployments", json=_body(fork_id=str(huge)), headers=adopter)
    assert r.status_code == 422 and "fork_id" in r.json["fields"]


def test_a_long_history_answers_with_its_latest_changes_only(client, adopter, monkeypatch):
    from catalog.services.deployments import lifecycle

    monkeypatch.setattr(lifecycle, "HISTORY_SHOWN", 3)
    dep = client.post("/api/v1/deployments", json=_body(), headers=adopter).json
    assert dep["events_complete"] is True and [e["kind"] for e in dep["events"]] == ["created"]
    for status in ("suspended", "production", "suspended"):
        r = client.post(f"/api/v1/deployments/{dep['id']}/status", json={"status": status}, headers=adopter)
    assert r.status_code == 200 and r.json["events_complete"] is False
    assert [e["to"] for e in r.json["events"]] == ["suspended", "production", "suspended"]  # oldest of the three first
    page = client.get(f"/deployments/{dep['id']}").get_data(as_text=True)
    assert "Menampilkan 3 perubahan terakhir" in page and page.count("Ditangguhkan") >= 2


def test_the_list_is_shared_only_by_callers_who_may_read_the_same_fields(client, world, token_for, adopter):
    client.post("/api/v1/deployments", json=_body(), headers=adopter)
    colleague = token_for(world.user("adopter", "21.72"))
    stranger = token_for(world.user("adopter", "63.09"))
    answers = {name: client.get("/api/v1/deployments?org=21.72", headers=h).json["items"][0]
               for name, h in (("adopter", adopter), ("colleague", colleague), ("stranger", stranger), ("visitor", {}))}
    assert answers["adopter"]["note"] == answers["colleague"]["note"] == "Rahasia: server di ruang 2"
    assert "note" not in answers["stranger"] and "url" not in answers["stranger"]
    assert "note" not in answers["visitor"]
