"""Deployments through the services: versions, lifecycle, permissions, confirmation, history."""
from __future__ import annotations

import json

import pytest

from catalog.extensions import db
from catalog.models import Release
from catalog.services import audit
from catalog.services.deployments import lifecycle as deployments
from catalog.services.deployments.versions import NOT_MIRRORED
from catalog.services.errors import Conflict, PermissionDenied, ValidationFailed
from tests.deployment_world import source_repos, world, world_app, world_template  # noqa: F401  (fixtures)


@pytest.fixture
def app(world_app):
    return world_app


def test_adopter_records_deployment_from_upstream(world):
    dep = world.deploy("21.72", "simanja", version="v1.2.0", opd_units="BKPSDM\nInspektorat")
    assert dep.organization.code == "21.72" and dep.status == "production" and dep.fork_id is None
    assert len(dep.version_commit) == 40 and dep.opd_units == ["BKPSDM", "Inspektorat"]
    assert dep.go_live_on is not None  # production without a date: today
    assert [e.kind for e in deployments.history(dep).events] == ["created"]
    assert audit.list_events()[-1].action == "deployment.create" and audit.verify().ok


def test_lag_counts_newer_releases_and_commits(world):
    dep = world.deploy("21.72", "simanja", version="v1.0.0")
    assert (dep.lag_releases, dep.lag_commits, dep.lag_latest_release) == (2, 4, "v1.2.0")
    assert world.deploy("21.01", "simanja", version="v1.2.0").lag_releases == 0


def test_version_must_exist_in_upstream(world):
    with pytest.raises(ValidationFailed) as exc:
        world.deploy("21.72", "simanja", version="v9.9.9")
    assert "v9.9.9" in exc.value.fields["version"] and "v1.2.0" in exc.value.fields["version"]


def test_commit_sha_is_accepted_as_version(world):
    sha = world.deploy("21.72", "simanja", version="v1.1.0").version_commit
    dep = world.deploy("21.01", "simanja", version=sha[:10])
    assert dep.version_commit == sha and dep.lag_releases == 1


def test_without_mirror_only_recorded_release_names_pass(world):
    app = world.publish("jdih", repo_url="https://git.contoh.go.id/jdih.git")  # offline: the fetch fails
    with pytest.raises(ValidationFailed) as exc:
        world.deploy("21.72", "jdih", version="v4.0.0")
    assert exc.value.message == NOT_MIRRORED
    db.session.add(Release(app_id=app.id, name="v4.0.0", commit="a" * 40))
    db.session.commit()
    dep = world.deploy("21.72", "jdih", version="v4.0.0")
    assert dep.version_commit == "a" * 40 and dep.lag_commits is None


def test_adopter_cannot_record_for_another_region(world):
    with pytest.raises(PermissionDenied):
        deployments.create_deployment({"environment": "production", "status": "planned", "version": "v1.2.0",
                                       "hosting": "pdn"}, actor=world.user("adopter", "14.71"),
                                      app_slug="simanja", org_code="21.72")


def test_adopter_cannot_change_another_regions_deployment(world):
    dep = world.deploy("21.72", "simanja")
    with pytest.raises(PermissionDenied):
        deployments.change_status(dep.id, "suspended", actor=world.user("adopter", "14.71"))
    with pytest.raises(PermissionDenied):
        deployments.update_deployment(dep.id, {"version": "v1.0.0"}, actor=world.user("adopter", "21.01"))


def test_invalid_fields_are_all_named(world):
    with pytest.raises(ValidationFailed) as exc:
        deployments.create_deployment({"environment": "mars", "status": "live", "version": "", "hosting": "x",
                                       "url": "javascript:alert(1)", "go_live_on": "kemarin", "colour": "red"},
                                      actor=world.user("adopter", "21.72"), app_slug="tidak-ada")
    assert ({"environment", "status", "version", "hosting", "url", "go_live_on", "colour", "app"}
            <= set(exc.value.fields))


def test_lifecycle_allowed_path(world):
    dep = world.deploy("21.72", "simanja", status="planned")
    adopter = world.user("adopter", "21.72")
    for status in ("installing", "pilot", "production", "suspended", "production", "suspended", "retired"):
        dep = deployments.change_status(dep.id, status, actor=adopter, note=f"ke {status}")
        assert dep.status == status
    events = deployments.history(dep).events
    assert [(e.from_value, e.to_value) for e in events if e.kind == "status"][-1] == ("suspended", "retired")
    assert len(events) == 8


@pytest.mark.parametrize("start, path, refused", [  # every pair is checked in tests/models
    ("planned", (), "production"), ("production", (), "retired"), ("planned", ("retired",), "planned"),
])
def test_lifecycle_forbidden_moves_are_refused(world, start, path, refused):
    adopter = world.user("adopter", "21.72")
    dep = world.deploy("21.72", "simanja", status=start)
    for status in path:
        deployments.change_status(dep.id, status, actor=adopter)
    before = deployments.get_deployment(dep.id).status
    with pytest.raises(Conflict) as exc:
        deployments.change_status(dep.id, refused, actor=adopter)
    assert "tidak dapat diubah menjadi" in exc.value.message
    assert deployments.get_deployment(dep.id).status == before


def test_a_move_made_elsewhere_after_the_checks_is_seen_inside_the_write(world, monkeypatch):
    """The row is loaded and checked before the write lock, then read again under it: a move
    committed in between (another tab, another worker) decides, not the row as first read."""
    adopter = world.user("adopter", "21.72")
    dep = world.deploy("21.72", "simanja", status="production")
    db.session.commit()
    loaded = deployments.get_changeable

    def loaded_then_moved_elsewhere(*args, **kwargs):
        row = loaded(*args, **kwargs)
        with db.engine.connect() as other:  # a second connection: another request's transaction
            other.execute(db.text("UPDATE deployment SET status = 'retired' WHERE id = :id"), {"id": dep.id})
            other.commit()
        return row

    monkeypatch.setattr(deployments, "get_changeable", loaded_then_moved_elsewhere)
    with pytest.raises(Conflict) as exc:
        deployments.change_status(dep.id, "suspended", actor=adopter)  # allowed from production only
    assert "tidak dapat diubah menjadi" in exc.value.message
    db.session.rollback()
    assert deployments.get_deployment(dep.id).status == "retired"
    assert [e.kind for e in deployments.history(dep).events] == ["created"]


def test_through_the_api_a_move_made_elsewhere_after_the_checks_is_refused(world, client, token_for, monkeypatch):
    """The same through POST /api/v1/deployments/<id>/status: 409, and the row as the other
    writer left it."""
    adopter = world.user("adopter", "21.72")
    headers = token_for(adopter)
    dep = world.deploy("21.72", "simanja", status="production")
    db.session.commit()
    loaded = deployments.get_changeable

    def loaded_then_moved_elsewhere(*args, **kwargs):
        row = loaded(*args, **kwargs)
        with db.engine.connect() as other:
            other.execute(db.text("UPDATE deployment SET status = 'retired' WHERE id = :id"), {"id": dep.id})
            other.commit()
        return row

    monkeypatch.setattr(deployments, "get_changeable", loaded_then_moved_elsewhere)
    answer = client.post(f"/api/v1/deployments/{dep.id}/status", json={"status": "suspended"}, headers=headers)
    assert answer.status_code == 409 and "tidak dapat diubah menjadi" in answer.get_data(as_text=True)
    monkeypatch.undo()
    assert client.get(f"/api/v1/deployments/{dep.id}", headers=headers).json["status"] == "retired"


def test_unknown_status_is_invalid(world):
    dep = world.deploy("21.72", "simanja")
    with pytest.raises(ValidationFailed):
        deployments.change_status(dep.id, "jalan", actor=world.user("adopter", "21.72"))


def test_second_active_deployment_in_same_environment_conflicts(world):
    world.deploy("21.72", "simanja")
    with pytest.raises(Conflict):
        world.deploy("21.72", "simanja", status="planned")
    assert world.deploy("21.72", "simanja", environment="staging").environment == "staging"


def test_publisher_confirms_and_a_version_change_lapses_it(world):
    dep = world.deploy("21.72", "simanja", version="v1.1.0")
    dep = deployments.confirm_deployment(dep.id, actor=world.user("publisher", "21"))
    assert dep.confirmed and dep.confirmed_role == "publisher"
    dep = deployments.update_deployment(dep.id, {"version": "v1.2.0"}, actor=world.user("adopter", "21.72"))
    assert not dep.confirmed and dep.lag_releases == 0
    kinds = [e.kind for e in deployments.history(dep).events]
    assert kinds == ["created", "confirmed", "version", "confirmation_lapsed"]


def test_provincial_auditor_confirms_in_scope_only(world):
    dep = world.deploy("21.72", "simanja")
    with pytest.raises(PermissionDenied):
        deployments.confirm_deployment(dep.id, actor=world.user("auditor", "14"))
    assert deployments.confirm_deployment(dep.id, actor=world.user("auditor", "21")).confirmed_role == "auditor"


def test_deploying_organization_cannot_confirm_itself(world):
    dep = world.deploy("21.72", "siap")
    for actor in (world.user("publisher", "21.72"), world.user("adopter", "21.72")):
        with pytest.raises(PermissionDenied):
            deployments.confirm_deployment(dep.id, actor=actor)


def test_detail_changes_become_events_and_private_text_stays_out_of_audit(world):
    dep = world.deploy("21.72", "simanja", note="Server di ruang Diskominfo lantai 2")
    dep = deployments.update_deployment(dep.id, {"hosting": "pdn", "note": "Pindah ke PDN",
                                                 "url": "https://simanja.tanjungpinangkota.go.id"},
                                        actor=world.user("adopter", "21.72"))
    changed = {e.field: (e.from_value, e.to_value) for e in deployments.history(dep).events if e.kind == "changed"}
    assert changed["hosting"] == ("pusat_data_daerah", "pdn") and changed["note"] == ("", "")
    trail = json.dumps([json.loads(e.data) for e in audit.list_events()])
    assert "lantai 2" not in trail and "Pindah ke PDN" not in trail and "tanjungpinangkota" not in trail
    assert json.loads(audit.list_events()[-1].data)["fields"] == ["hosting", "note", "url"]


def test_refresh_lag_after_upstream_release(world, tmp_path):
    from catalog.services.repos import mirrors
    from tests.deployment_world import build_source
    from tests.vcs.gitlib import Builder

    source = build_source(tmp_path / "jdih.git", "jdih", ["v1.0.0"])
    app = world.publish("jdih", repo=source)
    dep = world.deploy("21.72", "jdih", version="v1.0.0")
    assert (dep.lag_releases, dep.lag_commits) == (0, 0)
    upstream = Builder(source)
    upstream.clock = 2_000_000_000  # after the demo history
    upstream.commit("main", {"src/baru.php": "<?php\n"}, "fitur baru")
    upstream.tag("v1.1.0", upstream.commit("main", {"CHANGELOG.md": "v1.1.0\n"}, "rilis v1.1.0"))
    mirrors.run_fetch(app.id)
    assert deployments.refresh_app_lag(app.id) == 1
    dep = deployments.get_deployment(dep.id)
    assert (dep.lag_releases, dep.lag_commits, dep.lag_latest_release) == (1, 2, "v1.1.0")
