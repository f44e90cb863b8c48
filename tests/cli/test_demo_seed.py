"""The demo tells one believable story (issue 15): real shared apps and regional ones, two years of
adoption whose dates agree (verification, fork, local commits, deployment history, audit trail),
upstream releases after the forks that make deployments lag, a copy with a real conflict, nothing
retired reporting a lag, and each role's demo account. Seeded once through the services."""
from __future__ import annotations

from pathlib import Path

import pytest

from catalog.extensions import db
from catalog.models import App, AuditEvent, Deployment, DeploymentEvent, Fork, Release
from catalog.services import repo_paths
from catalog.services.accounts import users
from catalog.services.errors import Conflict
from catalog.services.oversight import reports
from catalog.services.repos import forks
from catalog.vcs.runner import run_git
from seed.demo import DEMO_USERS, seed_apps, seed_forks, seed_users
from seed.demo_deployments import DEMO_DEPLOYMENTS, seed_demo_deployments
from seed.demo_story import LATER_RELEASES

SEED_REGIONS = {"21.72", "14.71", "13.02", "63.09"}  # and their provinces 21, 14, 13, 63


def _all(model, *where):
    return list(db.session.execute(db.select(model).where(*where)).scalars())


def _fork(org: str, slug: str) -> Fork:
    return next(f for f in _all(Fork) if f.organization.code == org and f.app.slug == slug)


def _commit_times(fork: Fork) -> list[int]:
    out = run_git(["log", "--format=%ct", f"{fork.merge_base}..{fork.default_branch}"],
                  git_dir=repo_paths.absolute(fork.relpath)).text.split()
    return sorted(int(t) for t in out)


@pytest.mark.slow  # the whole demo: 32 apps with their git repositories
def test_the_demo_tells_one_consistent_story(app, runner):
    seed_users()
    seed_apps(Path(app.config["DATA_DIR"]) / "demo-sources")
    seed_forks()
    result = seed_demo_deployments()
    assert result.skipped == [] and len(result.created) == len(DEMO_DEPLOYMENTS)

    apps = _all(App)
    states = {a.slug: a.state for a in apps}
    assert len(apps) >= 30 and list(states.values()).count("published") >= 28
    assert {"srikandi", "sp4n-lapor", "simanja", "siap", "jdih", "opensid", "slims", "sipd", "e-kinerja-bkn",
            "simpeg"} <= {s for s, st in states.items() if st == "published"}
    assert states["dakota"] == "submitted" and states["sigap-bencana"] == "returned"
    publishers = {a.publisher.code for a in apps}
    assert SEED_REGIONS | {"21", "14", "13", "63"} <= publishers
    assert users.get_by_email("pengelola@tanjungpinangkota.go.id").role == "org_admin"
    assert {role for *_, role, _pw in DEMO_USERS} == {"admin", "org_admin", "publisher", "adopter", "auditor"}

    # Two years, in order: releases before verification, forks after it, commits after the fork,
    # deployments after the fork they run, each history in time order.
    published = {a.id: a.published_at for a in apps if a.published_at}
    assert min(published.values()).year == 2024
    for fork in _all(Fork):
        assert fork.created_at > published[fork.app_id]
        times = _commit_times(fork)
        assert all(t > fork.created_at.timestamp() for t in times), fork.relpath
    deployments = _all(Deployment)
    for dep in deployments:
        assert dep.created_at > published[dep.app_id]
        if dep.fork is not None:
            assert dep.created_at > dep.fork.created_at
        events = sorted(_all(DeploymentEvent, DeploymentEvent.deployment_id == dep.id), key=lambda e: e.id)
        stamps = [e.at for e in events]
        assert stamps == sorted(stamps) and stamps[0] == dep.created_at, (dep.id, stamps)
        assert dep.status_changed_at == [e.at for e in events if e.kind in ("created", "status")][-1]
        if dep.confirmed_at:
            assert dep.confirmed_at >= dep.status_changed_at
    audit_times = [e.at for e in db.session.execute(db.select(AuditEvent).order_by(AuditEvent.seq)).scalars()]
    assert audit_times == sorted(audit_times)  # the audit trail reads as the same story
    assert (audit_times[-1] - audit_times[0]).days >= 700
    for day, slug, tag in LATER_RELEASES:
        release = db.session.execute(db.select(Release).join(App).where(App.slug == slug, Release.name == tag)
                                     ).scalar_one()
        assert release.date.date().isoformat() == day
        assert all(f.created_at < release.date for f in _all(Fork) if f.app.slug == slug)

    # The later releases show as lag; nothing retired reports one.
    by_key = {(d.organization.code, d.app.slug, d.environment): d for d in deployments}
    lagging = by_key["21.72", "simanja", "production"]
    assert (lagging.version, lagging.lag_releases, lagging.lag_latest_release) == ("v1.2.0", 1, "v1.3.0")
    assert by_key["63.09", "si-cegah-stunting", "production"].lag_releases == 1
    retired = [d for d in deployments if d.status == "retired"]
    assert len(retired) == 2 and all(not d.lag_releases and not d.lag_commits for d in retired)
    assert by_key["63.09", "slims", "production"].status == "retired"

    # Copies behind upstream: one fast-forwards, one merges cleanly, one has a real conflict.
    tp_simanja, bintan_siap, tp_slims = _fork("21.72", "simanja"), _fork("21.01", "siap"), _fork("21.72", "slims")
    assert tp_simanja.ahead == 3 and tp_simanja.behind == 2
    with pytest.raises(Conflict) as refused:
        forks.sync_fork(tp_simanja.id, actor=users.get_by_email("adopsi@tanjungpinangkota.go.id"))
    assert refused.value.extra["conflicts"] == ["README.md"]
    assert forks.sync_fork(bintan_siap.id, actor=users.get_by_email("adopsi@bintankab.go.id"))[1] == "fast_forward"
    _, outcome = forks.sync_fork(tp_slims.id, actor=users.get_by_email("adopsi@tanjungpinangkota.go.id"))
    assert outcome == "merged"

    # The province auditor sees the province's regions; the seed is idempotent; the chain verifies.
    scope = reports.report_scope(users.get_by_email("auditor@kepriprov.go.id"))
    regions = {u.org.code: {(d.app.slug, d.environment) for d in u.deployments} for u in reports.reuse_by_region(scope)}
    assert ("simanja", "staging") in regions["21.72"] and ("siap", "production") in regions["21.01"]
    assert "14.71" not in regions and "63.09" not in regions
    counts = (len(_all(App)), len(_all(Fork)), len(_all(Deployment)))
    assert seed_users() == [] and seed_forks() == [] and seed_demo_deployments().created == []
    assert (len(_all(App)), len(_all(Fork)), len(_all(Deployment))) == counts
    assert runner.invoke(args=["catalog", "audit-verify"]).exit_code == 0
