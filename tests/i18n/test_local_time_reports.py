"""Report tables show their moments in the viewer's zone, named, and the CSV says the same (issue 15,
item 9)."""
from __future__ import annotations

import re

import pytest

from tests.conftest import IsolatedClient
from tests.deployment_world import scenario, scenario_app, scenario_template, source_repos, world  # noqa: F401

MOMENT = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?: [A-Z]{3,4})?")


@pytest.fixture
def app(scenario_app):
    scenario_app.test_client_class = IsolatedClient
    return scenario_app


@pytest.mark.parametrize(("org", "zone"), [("91", "WIT"), ("kemenpanrb", "WIB"), ("73", "WITA")])
def test_evidence_times_on_screen_and_in_csv_are_local(client, world, login, org, zone):
    login(world.user("admin", org))
    page = client.get("/reports/evidence/21.72").get_data(as_text=True)
    csv_text = client.get("/reports/evidence/21.72.csv").get_data(as_text=True)
    on_screen, in_csv = MOMENT.findall(page), MOMENT.findall(csv_text)
    assert in_csv and all(m.endswith(" " + zone) for m in in_csv)
    assert set(in_csv) <= set(on_screen)


def test_dashboard_times_are_local(client, world, login):
    login(world.user("auditor", "kemenpanrb"))
    page = client.get("/reports").get_data(as_text=True)
    moments = MOMENT.findall(page)
    assert moments and all(m.endswith(" WIB") for m in moments)
    assert "UTC" not in page
