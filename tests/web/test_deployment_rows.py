"""The deployments tables (/deployments, "Aplikasi di daerah saya") read light rows of columns,
not `Deployment` records: each row must say what the record says, and the pages show it."""
from __future__ import annotations

import re
from dataclasses import fields
from datetime import timedelta

import pytest

from catalog.extensions import db
from catalog.models import Deployment, Fork
from catalog.models.types import utcnow
from catalog.services.deployments import heartbeat, queries
from catalog.services.deployments import lifecycle as deployments
from catalog.services.deployments.rows import DeploymentFacts
from catalog.services.oversight import evidence, findings, reports
from catalog.services.repos import forks
from tests.deployment_world import source_repos, world, world_app, world_template  # noqa: F401


@pytest.fixture
def app(world_app):
    return world_app


@pytest.fixture
def varied(world) -> dict:
    """Deployments of Kota Tanjung Pinang that differ in every way a row shows: from a copy and
    confirmed by the publisher, observed by its heartbeat at another version, silent for days."""
    adopter = world.user("adopter", "21.72")
    copy = forks.create_fork("simanja", actor=adopter)
    from_copy = world.deploy("21.72", "simanja", fork_id=copy.id)
    deployments.confirm_deployment(from_copy.id, actor=world.user("publisher", "21"))
    observed = world.deploy("21.72", "srikandi", version="v2.0.0", environment="staging")
    silent = world.deploy("21.72", "siap", status="pilot")
    now = utcnow()
    row = db.session.get(Deployment, observed.id)
    row.last_seen_at, row.observed_version = now - timedelta(days=1), "v9.9.9"
    row = db.session.get(Deployment, silent.id)
    row.last_seen_at = now - timedelta(days=12)
    behind = db.session.get(Fork, copy.id)
    behind.ahead, behind.behind, behind.files_changed = 2, 3, 4
    behind.releases_since_base = ["v1.2.0", "v1.3.0"]
    db.session.commit()
    return {"copy": copy.id, "copy_name": copy.name, "from_copy": from_copy.id, "observed": observed.id,
            "silent": silent.id}


def _facts(dep) -> dict:
    """What the tables, the attention list and the evidence badges read, from a row or a record."""
    now = utcnow()
    return {"id": dep.id, "status": dep.status, "environment": dep.environment, "version": dep.version,
            "lag": (dep.lag_releases, dep.lag_commits, dep.lag_latest_release, dep.lag_computed_at),
            "confirmed": (dep.confirmed, dep.confirmed_role, dep.confirmed_at, dep.confirmer_org_name),
            "status_changed_at": dep.status_changed_at, "observed": heartbeat.is_observed(dep, now),
            "flags": heartbeat.flags(dep, now), "strengths": heartbeat.strengths(dep, now)}


def test_rows_say_what_the_records_say(app, world, varied):
    records = queries.list_deployment_records(org="21.72", per_page=100)
    rows = queries.list_deployments(org="21.72", per_page=100)
    assert [r.id for r in rows.items] == [d.id for d in records.items] and len(rows.items) >= 3
    assert (rows.total, rows.page, rows.filters) == (records.total, records.page, records.filters)
    for row, record in zip(rows.items, records.items, strict=True):
        assert isinstance(row, queries.DeploymentRow)
        assert _facts(row) == _facts(record)
        assert (row.app_name, row.org_name, row.org_code, row.fork_name) == (
            record.app.name, record.organization.name, record.organization.code,
            record.fork.name if record.fork else None)
    region = {r.id: r for r in queries.organization_deployment_rows(world.user("adopter", "21.72").organization_id)}
    for record in records.items:
        assert _facts(region[record.id]) == _facts(record)
    by_id = {r.id: r for r in rows.items}
    assert by_id[varied["from_copy"]].confirmer_org_name and by_id[varied["from_copy"]].fork_name
    assert heartbeat.flags(by_id[varied["observed"]]) == ["version_mismatch"]
    assert heartbeat.flags(by_id[varied["silent"]]) == ["stale"]


def test_every_report_view_of_a_deployment_says_what_the_record_says(app, world, varied):
    """The evidence lines, the per-region report and the lagging report read the same shared
    columns (`DeploymentFacts`) through their own statements: each must match the record."""
    for dep_id in (varied["from_copy"], varied["observed"]):
        row = db.session.get(Deployment, dep_id)
        row.lag_releases, row.lag_commits, row.lag_latest_release = 2, 5, "v9.0.0"
    db.session.commit()
    shared = [f.name for f in fields(DeploymentFacts)]

    def facts(dep) -> dict:  # a row, or a record (which names its app through the relation)
        named = {"app_name": dep.app.name} if isinstance(dep, Deployment) else {}
        return {**{n: getattr(dep, n) for n in shared if n not in named}, **named, "confirmed": dep.confirmed}

    records = {d.id: d for d in queries.list_deployment_records(org="21.72", per_page=100).items}
    lines = evidence.org_evidence("21.72", actor=world.user("admin", "21")).deployments
    usage = next(u for u in reports.reuse_by_region(reports.Scope(None)) if u.org.code == "21.72")
    lagging = [r for r in findings.lagging_deployments(reports.Scope(None)) if r.org_code == "21.72"]
    assert {d.id for d in lines} == {d.id for d in usage.deployments} == set(records) and len(lagging) == 2
    for line in lines:
        assert facts(line) == facts(records[line.id]) and line.fork_name == (
            records[line.id].fork.name if records[line.id].fork else None)
    for dep in usage.deployments:
        assert facts(dep) == facts(records[dep.id]) and dep.app_slug == records[dep.id].app.slug
    for lag in lagging:
        record = next(d for d in records.values() if d.app.slug == lag.app_slug and d.lag_releases)
        assert facts(lag) == facts(record) and (lag.lag_releases, lag.lag_latest_release) == (2, "v9.0.0")
    assert any(line.confirmed for line in lines)


def _row_of(page: str, deployment_id: int) -> str:
    match = re.search(rf'<tr>\s*<td><a href="/deployments/{deployment_id}">.*?</tr>', page, re.S)
    assert match, page[-3000:]
    return re.sub(r"\s+", " ", match.group(0))


def test_both_tables_show_the_copy_the_confirmer_and_the_evidence(client, world, login, varied):
    publisher_org = world.user("publisher", "21").organization.name
    login(world.user("adopter", "21.72"))
    for path in ("/deployments", "/my/region"):
        page = client.get(path).get_data(as_text=True)
        confirmed = _row_of(page, varied["from_copy"])
        assert '<a href="/organizations/21.72">Kota Tanjung Pinang</a>' in confirmed, path
        assert f"({publisher_org})" in confirmed and "Dikonfirmasi penerbit" in confirmed, path
        assert f'(salinan {varied["copy_name"]})' in confirmed, path
        observed = _row_of(page, varied["observed"])
        assert "evidence-observed" in observed and "flag-version_mismatch" in observed, path
        assert "flag-stale" in _row_of(page, varied["silent"]), path
    guide = _row_of(client.get("/apps/simanja/adopsi").get_data(as_text=True), varied["from_copy"])
    assert "Kota Tanjung Pinang</a>" in guide and f"({publisher_org})" in guide and "<code>v1.2.0</code>" in guide
    region = client.get("/my/region").get_data(as_text=True)
    assert "tidak terpantau: server tidak mengirim heartbeat selama 12 hari." in region
    assert "server melaporkan versi v9.9.9, yang tercatat v2.0.0." in region


def test_my_region_lists_the_copies_and_asks_to_merge_upstream(client, world, login, varied):
    login(world.user("adopter", "21.72"))
    page = client.get("/my/region").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Salinan Simanja : tertinggal 3 commit dari induk, 2 rilis belum digabung." in text
    row = re.search(rf'<tr><td>Simanja</td><td><a href="/forks/{varied["copy"]}">(.*?)</tr>', page, re.S)
    assert row and re.sub(r"\s+", "", row.group(1)) == varied["copy_name"] + "</a></td><td>2</td><td>3</td><td>4</td>"
    overview = queries.overview_of(world.user("adopter", "21.72").organization)
    assert [(f.id, f.app_name, f.behind, f.releases_since_base) for f in overview.forks] == [
        (varied["copy"], "Simanja", 3, ["v1.2.0", "v1.3.0"])]
