"""Upstream mirrors: fetched by the worker on publish, with releases, README and publiccode.yml."""
from __future__ import annotations

from catalog.extensions import db
from catalog.models import Mirror
from catalog.services import repo_paths
from catalog.services.repos import mirrors
from tests.factories import app_payload


def test_publish_fetches_mirror_with_releases(published_app, client):
    mirror = mirrors.get_mirror(published_app)
    assert mirror.state == "ready" and mirror.progress == 100
    assert mirror.default_branch == "main" and len(mirror.head) == 40
    assert "Simanja" in mirror.readme and "publiccodeYmlVersion" in mirror.publiccode_yml
    assert [r.name for r in mirrors.releases(published_app.id)] == ["v1.1.0", "v1.0.0"]
    body = client.get("/api/v1/apps/simanja").json
    assert body["mirror"]["state"] == "ready" and body["latest_release"]["name"] == "v1.1.0"
    assert body["mirror"]["clone_url"].endswith("/git/upstream/simanja.git")
    assert (repo_paths.absolute(mirror.relpath) / "HEAD").exists()


def test_unreachable_https_source_fails_with_reason(app, make_user):
    from catalog.services.catalog import apps
    publisher, admin = make_user("publisher", "21"), make_user("admin", "komdigi")
    apps.create_app(app_payload(repo_url="https://git.tidak-ada.go.id/x.git"), actor=publisher)
    apps.submit_app("srikandi", actor=publisher)
    app_row = apps.publish_app("srikandi", actor=admin)
    mirror = db.session.execute(db.select(Mirror).where(Mirror.app_id == app_row.id)).scalar_one()
    assert mirror.state == "failed" and "tidak dapat ditemukan" in mirror.error
    assert not repo_paths.absolute(mirror.relpath).exists()
    assert not any(repo_paths.repos_root().joinpath("upstream").glob(".*"))


def test_refresh_only_by_publisher_or_admin(published_app, client, make_user, token_for):
    r = client.post("/api/v1/apps/simanja/refresh", headers=token_for(make_user("adopter", "21.72")))
    assert r.status_code == 403
    r = client.post("/api/v1/apps/simanja/refresh", headers=token_for(make_user("publisher", "21")))
    assert r.status_code == 202 and r.json["mirror"]["state"] == "ready"
