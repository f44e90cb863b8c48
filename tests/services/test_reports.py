"""Report figures on a fixture with known counts, and who may see which scope."""
from __future__ import annotations

import csv
import io
import time
from datetime import UTC, date, datetime, timedelta

import pytest

from catalog.extensions import db
from catalog.models import Deployment, Fork
from catalog.services.deployments import queries as deployment_queries
from catalog.services.errors import PermissionDenied, ValidationFailed
from catalog.services.oversight import evidence as report_evidence
from catalog.services.oversight import findings as report_findings
from catalog.services.oversight import reports
from catalog.services.oversight import tables as report_tables
from tests.deployment_world import scenario, scenario_app, scenario_template, source_repos, world  # noqa: F401


@pytest.fixture
def app(scenario_app):
    return scenario_app


def _by_app(scope):
    return {r.app.slug: r for r in reports.reuse_by_app(scope)}


def test_national_reuse_per_app(world, scenario):
    rows = _by_app(reports.report_scope(world.user("auditor", "kemenpanrb")))
    assert set(rows) == {"simanja", "siap", "srikandi", "simpeg"}  # SIMPEG is published but unused: listed too
    assert list(rows)[-1] == "simpeg" and sum(rows["simpeg"].by_status.values()) == rows["simpeg"].forks == 0
    simanja = rows["simanja"]
    assert (simanja.by_status["production"], simanja.confirmed, simanja.self_declared) == (2, 1, 1)
    assert (simanja.forks, simanja.organizations) == (1, 2)
    assert rows["siap"].by_status["planned"] == 1 and rows["srikandi"].by_status["retired"] == 1


def test_provincial_auditor_sees_only_kepri(world, scenario):
    scope = reports.report_scope(world.user("auditor", "21"))
    assert scope.province.code == "21"
    rows = _by_app(scope)
    assert rows["simanja"].by_status["production"] == 1 and rows["srikandi"].by_status["retired"] == 0
    codes = {u.org.code for u in reports.reuse_by_region(scope)}
    assert "21.72" in codes and "21.01" in codes and "14.71" not in codes and "63.09" not in codes


def test_province_table_lists_every_kab_kota(world, scenario):
    usage = reports.reuse_by_region(reports.report_scope(world.user("auditor", "21")))
    assert len(usage) == 8  # the province and its 7 kab/kota, users or not
    tanjung_pinang = next(u for u in usage if u.org.code == "21.72")
    assert [d.app_slug for d in tanjung_pinang.deployments] == ["siap", "simanja", "srikandi"]
    assert tanjung_pinang.forks == 1
    table = report_tables.build_table("regions", reports.report_scope(world.user("auditor", "21")))
    assert len(table.rows) == 3 + 1 + 6


def test_auditor_cannot_open_another_province(world):
    with pytest.raises(PermissionDenied):
        reports.report_scope(world.user("auditor", "21"), "14")
    assert reports.report_scope(world.user("auditor", "kemenpanrb"), "14").province.code == "14"


def test_only_auditors_and_admins_read_reports(world):
    for role, org in (("adopter", "21.72"), ("publisher", "21")):
        with pytest.raises(PermissionDenied):
            reports.report_scope(world.user(role, org))
    assert reports.report_scope(world.admin).province is None
    with pytest.raises(ValidationFailed):
        reports.report_scope(world.admin, "21.72")  # a city is not a province


def test_lagging_deployments_in_order(world, scenario):
    national = report_findings.lagging_deployments(reports.report_scope(world.admin))
    assert [(d.org_code, d.app_slug, d.lag_releases, d.lag_commits) for d in national] == [
        ("14.71", "simanja", 2, 4), ("21.72", "srikandi", 1, 2)]  # Tabalong's retired copy is not listed
    kepri = report_findings.lagging_deployments(reports.report_scope(world.user("auditor", "21")))
    assert [d.org_code for d in kepri] == ["21.72"]


def test_duplicate_candidates_share_a_category_or_a_related_one(world, scenario):
    found = report_findings.duplicate_candidates(reports.report_scope(world.admin))
    # staff apps side by side: the same category first, then SIAP's related one (time-tracking)
    assert [(c.app.slug, c.active_deployments) for c in found] == [("simanja", 2), ("simpeg", 0), ("siap", 2)]


def test_simpeg_and_simanja_are_candidates_across_related_categories(world, scenario):
    from catalog.models import App

    def slugs(scope):
        return [c.app.slug for c in report_findings.duplicate_candidates(scope)]
    db.session.execute(db.update(App).where(App.slug == "simpeg").values(category="hr"))
    db.session.execute(db.update(App).where(App.slug == "siap").values(category="video-conferencing"))
    db.session.commit()
    assert slugs(reports.report_scope(world.admin)) == ["simanja", "simpeg"]  # hr ~ employee-management
    assert slugs(reports.report_scope(world.user("auditor", "21"))) == ["simanja", "simpeg"]  # Kepri takes part
    db.session.execute(db.update(App).where(App.slug == "simpeg").values(category="procurement"))
    db.session.commit()
    assert slugs(reports.report_scope(world.admin)) == []  # unrelated categories: no candidates


def test_adoption_over_time_counts_go_live_months(world, scenario):
    db.session.get(Fork, scenario["fork"]).created_at = datetime(2024, 9, 15, tzinfo=UTC)
    db.session.commit()
    months = reports.adoption_over_time(reports.report_scope(world.user("auditor", "21")), today=date(2024, 12, 31))
    assert months[0].month == "2023-11" and months[-1].month == "2024-12" and len(months) == 14
    assert [m.month for m in months if m.went_live] == ["2023-11", "2024-07"]
    assert [m.month for m in months if m.forks] == ["2024-09"] and months[-1].cumulative == 2


def test_adoption_keeps_older_months_in_the_running_total(world, scenario):
    db.session.get(Fork, scenario["fork"]).created_at = datetime(2024, 9, 15, tzinfo=UTC)
    db.session.commit()
    months = reports.adoption_over_time(reports.report_scope(world.admin), today=date(2026, 12, 31))
    assert len(months) == 36 and months[0].month == "2024-01"  # 2022-03 and 2023 fall outside
    assert months[0].cumulative == 3 and months[-1].cumulative == 4


def test_fork_drift_reads_the_stored_divergence(world, scenario):
    fork = db.session.get(Fork, scenario["fork"])
    fork.ahead, fork.behind, fork.files_changed, fork.files_differing_from_upstream = 7, 2, 5, 6
    db.session.commit()
    table = report_tables.build_table("forks", reports.report_scope(world.user("auditor", "21")))
    assert table.rows[0][:9] == ("Kota Tanjung Pinang", "Simanja", "simanja", 7, 2, 5, 0, 0, 6)


def test_evidence_for_own_org_and_auditor_in_scope_only(world, scenario):
    evidence = report_evidence.org_evidence("21.72", actor=world.user("adopter", "21.72"))
    assert len(evidence.deployments) == 3 and evidence.confirmed == 1 and len(evidence.forks) == 1
    assert report_evidence.org_evidence("21.72", actor=world.user("auditor", "21")).org.code == "21.72"
    for role, org in (("auditor", "14"), ("adopter", "21.01")):
        with pytest.raises(PermissionDenied):
            report_evidence.org_evidence("21.72", actor=world.user(role, org))


def test_region_overview_flags_releases_and_stalled_pilots(world, scenario):
    adopter = world.user("adopter", "21.72")
    now = datetime.now(UTC)
    kinds = {(a.kind, a.app_name) for a in deployment_queries.region_overview(adopter, now=now).attention}
    assert kinds == {("upstream_release", "Srikandi")}
    later = deployment_queries.region_overview(adopter, now=now + timedelta(days=91)).attention
    assert ("stalled_pilot", "Srikandi") in {(a.kind, a.app_name) for a in later}


def test_report_queries_do_not_grow_with_rows(world, scenario):
    """No N+1: the dashboard's statement count stays flat when more deployments are added."""
    from sqlalchemy import event

    def count_statements() -> int:
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            db.session.expire_all()
            report_tables.dashboard(world.admin)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    before = count_statements()
    for org in ("21.02", "21.03", "21.04", "21.05"):
        world.deploy(org, "srikandi", status="planned")
    assert count_statements() <= before + 2  # a few more kinds of rows, never one per deployment
    assert db.session.execute(db.select(db.func.count()).select_from(Deployment)).scalar_one() == 10


def test_dashboard_shows_the_head_of_each_table_and_counts_the_rest(world, scenario, monkeypatch):
    """The screen has SCREEN_ROWS rows of a table and its full row count; the CSV has every row."""
    full = {key: report_tables.build_table(key, reports.report_scope(world.admin)) for key in report_tables.TABLES}
    monkeypatch.setattr(report_tables, "SCREEN_ROWS", 2)
    board = report_tables.dashboard(world.admin)
    for key, table in board.tables.items():
        assert table.total == len(full[key].rows), key
        if key != "adoption":  # months: never more than 36, always whole
            assert table.rows == full[key].rows[:2], key
        assert table.complete == (len(full[key].rows) <= len(table.rows)), key
    assert not board.tables["regions"].complete and not board.tables["apps"].complete
    _scope, csv_table = report_tables.table_for(world.admin, "regions")
    assert csv_table.rows == full["regions"].rows and csv_table.complete


def test_dashboard_figures_are_kept_for_the_configured_age(app, world, scenario):
    """With REPORT_MAX_AGE the dashboard is computed once per scope and says as of when;
    without it, every change shows at once."""
    before = report_tables.dashboard(world.admin)
    app.config["REPORT_MAX_AGE"] = 60
    kept = report_tables.dashboard(world.admin)
    world.deploy("21.05", "srikandi", status="planned")
    assert report_tables.dashboard(world.admin).tables == kept.tables
    assert report_tables.dashboard(world.admin).computed_at == kept.computed_at >= before.computed_at
    province = report_tables.dashboard(world.user("auditor", "21"))  # another scope: its own figures
    assert province.computed_at > kept.computed_at
    app.config["REPORT_MAX_AGE"] = 0
    assert report_tables.dashboard(world.admin).tables != kept.tables


def test_past_their_age_the_kept_figures_are_served_while_they_are_recomputed(app, world, scenario):
    """An auditor never waits for the national aggregates once they were computed: past
    REPORT_MAX_AGE the kept tables answer at once and a background thread recomputes them."""
    app.config["REPORT_MAX_AGE"] = 0.2
    kept = report_tables.dashboard(world.admin)
    world.deploy("21.05", "srikandi", status="planned")
    time.sleep(0.3)
    stale = report_tables.dashboard(world.admin)  # past its age: served as it was, recomputing meanwhile
    assert stale.computed_at == kept.computed_at and stale.tables == kept.tables
    deadline = time.monotonic() + 10
    while (fresh := report_tables.dashboard(world.admin)).computed_at == kept.computed_at:
        assert time.monotonic() < deadline, "the kept tables were never recomputed"
        time.sleep(0.02)
    assert fresh.tables != kept.tables
    assert fresh.tables == report_tables.dashboard(world.admin).tables  # kept again


def test_whole_tables_for_csv_are_kept_for_the_configured_age(app, world, scenario):
    app.config["REPORT_MAX_AGE"] = 60
    _scope, kept = report_tables.table_for(world.admin, "apps")
    world.deploy("21.05", "srikandi", status="planned")
    assert report_tables.table_for(world.admin, "apps")[1] is kept
    assert report_tables.table_for(world.user("auditor", "21"), "apps")[1] is not kept  # its own scope
    app.config["REPORT_MAX_AGE"] = 0
    assert report_tables.table_for(world.admin, "apps")[1].rows != kept.rows


def test_csv_cells_never_start_a_formula():
    from catalog.services.oversight.csv_export import to_csv

    text = to_csv(["Aplikasi", "Jumlah"], [("=HYPERLINK(\"http://x\")", -3), ("@SUM(A1)", 0), (None, date(2024, 7, 1))])
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [["Aplikasi", "Jumlah"], ["'=HYPERLINK(\"http://x\")", "-3"], ["'@SUM(A1)", "0"], ["", "2024-07-01"]]
