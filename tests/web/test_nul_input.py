"""Input the database refuses (NUL bytes: PostgreSQL text cannot hold them) is a 400, never a 500."""
from __future__ import annotations


def test_nul_in_api_body_and_query(client, make_user, token_for):
    headers = token_for(make_user("adopter", "21.72"))
    r = client.post("/api/v1/deployments", headers=headers, json={"org": "21.72", "app": "a\x00b",
                                                                  "environment": "production", "status": "planned",
                                                                  "version": "v1", "hosting": "pdn"})
    assert r.status_code in (400, 404, 422) and r.json["message"]
    r = client.get("/api/v1/apps/a%00b")
    assert r.status_code in (400, 404)
    r = client.get("/apps/x%00y")
    assert r.status_code in (400, 404)
