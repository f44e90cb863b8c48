"""The demo tells one believable story (issue 15): real shared apps and regional ones, two years of
adoption whose dates agree (verification, fork, local commits, deployment history, audit trail),
upstream releases after the forks that make deployments lag, a copy with a real conflict, nothing
retired reporting a lag, and each role's demo account.

Checked on the demo as `make run` seeds it (`catalog seed --demo` through the services): a copy of
the run's seeded template on SQLite (tests/demo_template.py), the test database seeded by the same
command on PostgreSQL; the copy is this test's own, so syncing its forks changes nothing else."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func

from catalog.extensions import db
from catalog.models import App, AuditEvent, Deployment, DeploymentEvent, Fork, Release
from catalog.models.types import UTCDateTime
from catalog.services import repo_paths
from catalog.services.accounts import users
from catalog.services.errors import Conflict
from catalog.services.oversight import reports
from catalog.services.repos import forks
from catalog.vcs.runner import run_git
from seed.demo import DEMO_FORKS, DEMO_USERS, seed_apps, seed_forks, seed_users
from seed.demo_apps import DEMO_APPS
from seed.demo_deployments import DEMO_DEPLOYMENTS, seed_demo_deployments
from seed.demo_story import LATER_RELEASES

SEED_REGIONS = {"21.72", "14.71", "13.02", "63.09"}  # and their provinces 21, 14, 13, 63
# Moments that belong to the running install, not to the story: index nodes, claims, slots,
# throttles, the audit chain's last check, pruning, and expiry dates that lie in the future.
OUTSIDE_THE_STORY = {"index_node", "periodic_claim", "git_client_slot", "login_throttle", "audit_verified",
                     "index_change_pruned"}


def _all(model, *where):
    return list(db.session.execute(db.select(model).where(*where)).scalars())


def _fork(org: str, slug: str) -> Fork:
    return next(f for f in _all(Fork) if f.organization.code == org and f.app.slug == slug)


def _commit_times(fork: Fork) -> list[int]:
    out = run_git(["log", "--format=%ct", f"{fork.merge_base}..{fork.default_branch}"],
                  git_dir=repo_paths.absolute(fork.relpath)).text.split()
    return sorted(int(t) for t in out)


def _commit_time(git_dir: Path, commit: str) -> int:
    return int(run_git(["log", "-1", "--format=%ct", commit], git_dir=git_dir).text.strip())


def _latest_stored_moments() -> dict[str, datetime]:
    """The latest value of every date-time column of the story's tables ("table.column")."""
    latest = {}
    for table in db.metadata.sorted_tables:
        if table.name in OUTSIDE_THE_STORY:
            continue
        for column in table.columns:
            if isinstance(column.type, UTCDateTime) and not column.name.endswith("expires_at"):
                value = db.session.execute(db.select(func.max(column))).scalar()
                if value is not None:
                    latest[f"{table.name}.{column.name}"] = value
    return latest


def _check_cast_and_catalog(apps: list[App]) -> None:
    states = {a.slug: a.state for a in apps}
    assert len(apps) == len(DEMO_APPS) >= 30 and list(states.values()).count("published") >= 28
    assert {"srikandi", "sp4n-lapor", "simanja", "siap", "jdih", "opensid", "slims", "sipd", "e-kinerja-bkn",
            "simpeg"} <= {s for s, st in states.items() if st == "published"}
    assert states["dakota"] == "submitted" and states["sigap-bencana"] == "returned"
    publishers = {a.publisher.code for a in apps}
    assert SEED_REGIONS | {"21", "14", "13", "63"} <= publishers
    assert users.get_by_email("pengelola@tanjungpinangkota.go.id").role == "org_admin"
    assert {role for *_, role, _pw in DEMO_USERS} == {"admin", "org_admin", "publisher", "adopter", "auditor"}
    assert all(users.get_by_email(email) is not None for email, *_ in DEMO_USERS)
    # every fork and deployment of the story was made: none skipped
    assert len(_all(Fork)) == len(DEMO_FORKS) and len(_all(Deployment)) == len(DEMO_DEPLOYMENTS)


def _check_dates_agree(apps: list[App], deployments: list[Deployment]) -> None:
    """Two years, in order: releases before verification, forks after it, commits after the fork,
    deployments after the fork and the release they run, each history in time order."""
    published = {a.id: a.published_at for a in apps if a.published_at}
    assert min(published.values()).year == 2024
    slugs = {a.id: a.slug for a in apps}
    later = {(slug, tag) for _day, slug, tag in LATER_RELEASES}
    for release in _all(Release):
        if release.app_id in published and (slugs[release.app_id], release.name) not in later:
            assert release.date < published[release.app_id], (slugs[release.app_id], release.name)
    for fork in _all(Fork):
        assert fork.created_at > published[fork.app_id]
        times = _commit_times(fork)
        assert all(t > fork.created_at.timestamp() for t in times), fork.relpath
    for dep in deployments:
        assert dep.created_at > published[dep.app_id]
        if dep.fork is not None:  # a region's own commit: made before it was recorded as running
            assert dep.created_at > dep.fork.created_at
            ran = _commit_time(repo_paths.absolute(dep.fork.relpath), dep.version_commit or dep.version)
            assert ran < dep.created_at.timestamp(), (dep.id, dep.version)
        else:  # an upstream release: out before it was installed, and before it went live
            release = next(r for r in _all(Release, Release.app_id == dep.app_id) if r.name == dep.version)
            assert release.date < dep.created_at, (dep.id, dep.version)
            if dep.go_live_on:
                assert release.date.date() <= dep.go_live_on, (dep.id, dep.version, dep.go_live_on)
        events = sorted(_all(DeploymentEvent, DeploymentEvent.deployment_id == dep.id), key=lambda e: e.id)
        stamps = [e.at for e in events]
        assert stamps == sorted(stamps) and stamps[0] == dep.created_at, (dep.id, stamps)
        assert dep.status_changed_at == [e.at for e in events if e.kind in ("created", "status")][-1]
        if dep.confirmed_at:
            assert dep.confirmed_at >= dep.status_changed_at
    audit_times = [e.at for e in db.session.execute(db.select(AuditEvent).order_by(AuditEvent.seq)).scalars()]
    assert audit_times == sorted(audit_times)  # the audit trail reads as the same story
    assert (audit_times[-1] - audit_times[0]).days >= 700
    # Nothing stored carries the day the seed ran: every moment lies within the story, whose last
    # step is audited (an entry submitted in the same minute it was written once kept the seed's
    # own clock as its "diajukan" date in the review queue).
    after_the_story = {name: at for name, at in _latest_stored_moments().items() if at > audit_times[-1]}
    assert after_the_story == {}
    for day, slug, tag in LATER_RELEASES:
        release = db.session.execute(db.select(Release).join(App).where(App.slug == slug, Release.name == tag)
                                     ).scalar_one()
        assert release.date.date().isoformat() == day
        assert all(f.created_at < release.date for f in _all(Fork) if f.app.slug == slug)


def _check_lag(deployments: list[Deployment]) -> None:
    """The later releases show as lag; nothing retired reports one."""
    by_key = {(d.organization.code, d.app.slug, d.environment): d for d in deployments}
    lagging = by_key["21.72", "simanja", "production"]
    assert (lagging.version, lagging.lag_releases, lagging.lag_latest_release) == ("v1.2.0", 1, "v1.3.0")
    assert by_key["63.09", "si-cegah-stunting", "production"].lag_releases == 1
    retired = [d for d in deployments if d.status == "retired"]
    assert len(retired) == 2 and all(not d.lag_releases and not d.lag_commits for d in retired)
    assert by_key["63.09", "slims", "production"].status == "retired"


def _check_copies_behind_upstream() -> None:
    """One fast-forwards, one merges cleanly, one has a real conflict (and nothing is written)."""
    tp_simanja, bintan_siap, tp_slims = _fork("21.72", "simanja"), _fork("21.01", "siap"), _fork("21.72", "slims")
    assert tp_simanja.ahead == 3 and tp_simanja.behind == 2
    head = tp_simanja.fork_head
    with pytest.raises(Conflict) as refused:
        forks.sync_fork(tp_simanja.id, actor=users.get_by_email("adopsi@tanjungpinangkota.go.id"))
    assert refused.value.extra["conflicts"] == ["README.md"]
    assert run_git(["rev-parse", tp_simanja.default_branch],
                   git_dir=repo_paths.absolute(tp_simanja.relpath)).text.strip() == head
    assert forks.sync_fork(bintan_siap.id, actor=users.get_by_email("adopsi@bintankab.go.id"))[1] == "fast_forward"
    _, outcome = forks.sync_fork(tp_slims.id, actor=users.get_by_email("adopsi@tanjungpinangkota.go.id"))
    assert outcome == "merged"


@pytest.mark.slow  # the run's seeded demo (seeded once, tests/demo_template.py), copied
def test_the_demo_tells_one_consistent_story(demo_app):
    apps, deployments = _all(App), _all(Deployment)
    _check_cast_and_catalog(apps)
    _check_dates_agree(apps, deployments)
    _check_lag(deployments)

    # The province auditor sees the province's regions only.
    scope = reports.report_scope(users.get_by_email("auditor@kepriprov.go.id"))
    regions = {u.org.code: {(d.app_slug, d.environment) for d in u.deployments} for u in reports.reuse_by_region(scope)}
    assert ("simanja", "staging") in regions["21.72"] and ("siap", "production") in regions["21.01"]
    assert "14.71" not in regions and "63.09" not in regions

    # Seeding again adds nothing, through each part of the story (the last weeks' releases too).
    counts = (len(_all(App)), len(_all(Fork)), len(_all(Deployment)), len(_all(Release)))
    assert seed_users() == [] and seed_apps(Path(demo_app.config["DATA_DIR"]) / "demo-sources") == []
    assert seed_forks() == [] and seed_demo_deployments().created == []
    assert (len(_all(App)), len(_all(Fork)), len(_all(Deployment)), len(_all(Release))) == counts

    _check_copies_behind_upstream()
    assert demo_app.test_cli_runner().invoke(args=["catalog", "audit-verify"]).exit_code == 0
