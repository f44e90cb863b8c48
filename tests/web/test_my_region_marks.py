""""Aplikasi di daerah saya" and the API's list of one region name the organization's own change
stamps (web/fragments.py, own_version): other regions' writes do not redraw them, the region's own
changes show on the next request."""
from __future__ import annotations

import re
from html import unescape

import pytest

from catalog.services.deployments import heartbeat, lifecycle, queries
from catalog.web import fragments
from tests.deployment_world import source_repos, world, world_app, world_template  # noqa: F401  (fixtures)


@pytest.fixture
def app(world_app):
    return world_app


@pytest.fixture
def renders(monkeypatch) -> list[int]:
    seen: list[int] = []
    real = queries.overview_of
    monkeypatch.setattr(queries, "overview_of", lambda org, *a, **k: seen.append(org.id) or real(org, *a, **k))
    return seen


def _region(client) -> str:
    html = client.get("/my/region").get_data(as_text=True)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_my_region_is_kept_across_other_regions_writes_and_redrawn_at_once_for_its_own(
        app, client, login, world, renders, monkeypatch):
    adopter = world.user("adopter", "21.72")
    dep = world.deploy("21.72", "simanja", status="pilot")
    login(adopter)
    assert "Uji coba (pilot)" in _region(client)
    other = world.deploy("14.71", "srikandi")  # other regions' writes move the catalog's data version
    lifecycle.change_status(other.id, "suspended", actor=world.user("adopter", "14.71"))
    later = fragments.monotonic() + 60 * 0.9  # past the staleness window, within the max age
    monkeypatch.setattr(fragments, "monotonic", lambda: later)
    assert "Uji coba (pilot)" in _region(client)
    assert len(renders) == 1
    lifecycle.change_status(dep.id, "production", actor=adopter)
    assert "Produksi" in _region(client) and "Uji coba (pilot)" not in _region(client)
    assert len(renders) == 2
    heartbeat.issue_token(dep.id, actor=adopter)  # a token issued: the table says it awaits the first beat
    _region(client)
    assert len(renders) == 3


def test_a_confirmation_of_the_regions_deployment_shows_at_once(app, client, login, world, renders):
    dep = world.deploy("21.72", "simanja", status="production")
    login(world.user("adopter", "21.72"))
    before = _region(client)
    lifecycle.confirm_deployment(dep.id, actor=world.user("publisher", "21"))
    after = _region(client)
    assert len(renders) == 2 and after != before


def test_the_api_list_of_one_region_is_kept_across_other_regions_writes(app, client, world, token_for, monkeypatch):
    builds: list[str] = []
    real = queries.list_deployment_records
    monkeypatch.setattr(queries, "list_deployment_records", lambda **k: builds.append(k["org"]) or real(**k))
    adopter = world.user("adopter", "21.72")
    dep = world.deploy("21.72", "simanja", status="pilot")
    headers = token_for(adopter)

    def statuses() -> list[str]:
        r = client.get("/api/v1/deployments?org=21.72", headers=headers)
        assert r.status_code == 200
        return [d["status"] for d in r.json["items"]]

    assert statuses() == ["pilot"]
    other = world.deploy("14.71", "srikandi")
    lifecycle.change_status(other.id, "suspended", actor=world.user("adopter", "14.71"))
    later = fragments.monotonic() + 60 * 0.9
    monkeypatch.setattr(fragments, "monotonic", lambda: later)
    assert statuses() == ["pilot"] and builds == ["21.72"]
    lifecycle.change_status(dep.id, "production", actor=adopter)
    assert statuses() == ["production"] and builds == ["21.72", "21.72"]
    assert client.get("/api/v1/deployments?org=99.99", headers=headers).status_code == 422  # unknown: as before
