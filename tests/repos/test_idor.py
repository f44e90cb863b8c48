"""Ids in request bodies never reach another region's objects."""
from __future__ import annotations

from catalog.services.repos import forks


def test_deployment_cannot_point_at_another_regions_fork(published_app, make_user, client, token_for):
    owner = make_user("adopter", "21.72")
    fork = forks.create_fork("simanja", actor=owner)
    other = make_user("adopter", "21.01")
    r = client.post("/api/v1/deployments", headers=token_for(other), json={
        "org": "21.01", "app": "simanja", "fork_id": fork.id, "environment": "production", "status": "pilot",
        "version": "v1.1.0", "hosting": "pdn"})
    assert r.status_code in (403, 404, 422) and "fork_id" in r.json["fields"]
    assert client.get("/api/v1/deployments?org=21.01").json["total"] == 0


def test_fork_into_another_org_by_code_refused(published_app, make_user, client, token_for):
    r = client.post("/api/v1/apps/simanja/forks", headers=token_for(make_user("adopter", "21.01")),
                    json={"org": "21.72"})
    assert r.status_code == 403


def test_app_for_another_org_refused(client, make_user, token_for):
    from tests.factories import app_payload
    r = client.post("/api/v1/apps", headers=token_for(make_user("publisher", "21")),
                    json={**app_payload(), "org": "14"})
    assert r.status_code == 403
