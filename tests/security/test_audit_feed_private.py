"""Issue 13, finding 8: a deployment's URL and notes cannot be guessed back from the public audit feed."""
from __future__ import annotations

import hashlib

import pytest

from catalog.services import audit
from tests.deployment_world import source_repos, world, world_app, world_template  # noqa: F401  (fixtures)

URL = "https://simanja.internal.tanjungpinang.go.id/masuk"
NOTE = "Server di ruang 3, sandi di lemari"


@pytest.fixture
def app(world_app):
    return world_app


def test_feed_shows_no_unsalted_digest_of_url_or_note(app, client, world):
    world.deploy("21.72", "simanja", url=URL, note=NOTE)
    body = client.get("/api/v1/audit/events?limit=1000").get_data(as_text=True)
    for secret in (URL, NOTE):
        assert secret not in body
        assert hashlib.sha256(secret.encode()).hexdigest() not in body
    created = [e for e in client.get("/api/v1/audit/events?limit=1000").json["items"]
               if e["action"] == "deployment.create"][-1]
    assert "url_sha256" not in created["data"] and "note_sha256" not in created["data"]
    with app.app_context():
        assert created["data"]["url_hmac"] == audit.private_digest(URL)
        app.config["SECRET_KEY"] = "a-different-server"
        assert audit.private_digest(URL) != created["data"]["url_hmac"]  # keyed: depends on the secret


def test_chain_with_keyed_digests_still_verifies(app, client, world, runner):
    world.deploy("21.72", "simanja", url=URL, note=NOTE)
    assert runner.invoke(args=["catalog", "audit-verify"]).exit_code == 0
    assert client.get("/api/v1/audit/checkpoint").status_code == 200
