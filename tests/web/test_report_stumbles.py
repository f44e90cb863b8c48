"""Reports as an inspectorate reads them (issue 15): organizations by name with their evidence
links, a fork count once per organization, unused apps listed, the months as a chart with the
figures folded behind it."""
from __future__ import annotations

import re

import pytest

from tests.deployment_world import scenario, scenario_app, scenario_template, source_repos, world  # noqa: F401
from tests.web.test_reports_api import _screen


@pytest.fixture
def app(scenario_app):
    return scenario_app


def test_per_region_table_names_organizations_and_counts_forks_once(client, world, login):
    login(world.user("auditor", "21"))
    html = client.get("/reports").get_data(as_text=True)
    regions = _screen(html)["regions"]
    head, rows = regions[0], regions[1:]
    assert "Kode" not in head
    forks_at = head.index("Salinan")
    tanjung_pinang = [r for r in rows if r[0] == "Kota Tanjung Pinang"]
    assert len(tanjung_pinang) == 3  # siap, simanja, srikandi
    assert [r[forks_at] for r in tanjung_pinang] == ["1", "", ""]  # its one fork, said once
    evidence = html.split("Cetak bukti SPBE per organisasi:", 1)[1].split("</p>", 1)[0]
    assert '<a href="/reports/evidence/21.72">Kota Tanjung Pinang</a>' in evidence
    assert not re.search(r">\s*[\d.]+\s*</a>", evidence)  # no link named by a code


def test_per_app_table_lists_apps_nobody_uses(client, world, login):
    login(world.user("auditor", "kemenpanrb"))
    apps = _screen(client.get("/reports").get_data(as_text=True))["apps"]
    simpeg = next(r for r in apps if r[0] == "SIMPEG")
    assert apps[-1] == simpeg and set(simpeg[3:]) == {"0"}  # last, every count zero


def test_months_are_a_chart_with_the_figures_behind_details(client, world, login):
    login(world.user("auditor", "21"))
    html = client.get("/reports").get_data(as_text=True)
    section = html.split('id="t-adoption"', 1)[1].split("</section>", 1)[0]
    assert section.index("<svg") < section.index("<details")
    folded = section.split("<details", 1)[1].split("</details>", 1)[0]
    assert 'data-table="adoption"' in folded and "Angka per bulan" in folded
    english = client.get("/reports", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert re.search(r"Figures per month \(\d+ months?\)", english)
