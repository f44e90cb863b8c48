"""The demo deployments: seeded through the services, visible in the right auditor's scope."""
from __future__ import annotations

from pathlib import Path

import pytest

from catalog.services.accounts import users
from catalog.services.oversight import reports
from seed.demo import seed_apps, seed_forks, seed_users
from seed.demo_deployments import DEMO_DEPLOYMENTS, seed_demo_deployments


@pytest.mark.slow  # the demo apps with their git repositories (~2.5 s)
def test_demo_deployments_seed_once_and_respect_scope(app, runner):
    seed_users()
    seed_apps(Path(app.config["DATA_DIR"]) / "demo-sources")
    seed_forks()
    result = seed_demo_deployments()
    assert result.skipped == [] and len(result.created) == len(DEMO_DEPLOYMENTS) + 1  # + one from a fork
    assert seed_demo_deployments().created == []  # idempotent
    scope = reports.report_scope(users.get_by_email("auditor@kepriprov.go.id"))
    regions = {u.org.code: {(d.app.slug, d.environment): d for d in u.deployments}
               for u in reports.reuse_by_region(scope)}
    assert set(regions["21.72"]) == {("simanja", "production"), ("simanja", "staging"), ("siap", "production"),
                                     ("srikandi", "pilot")}
    assert set(regions["21.01"]) == {("siap", "production")}
    assert regions["21.72"]["simanja", "staging"].fork is not None
    simanja = regions["21.72"]["simanja", "production"]
    assert (simanja.version, simanja.hosting, simanja.opd_units) == (
        "v1.2.0", "pusat_data_daerah", ["BKPSDM", "Inspektorat"])
    assert simanja.confirmed_role == "publisher" and regions["21.72"]["srikandi", "pilot"].status == "pilot"
    assert "14.71" not in regions and "63.09" not in regions
    assert runner.invoke(args=["catalog", "audit-verify"]).exit_code == 0
