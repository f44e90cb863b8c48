"""Issue 15's page flows that its audit found checked only on the server's HTML, walked here in
Chromium on the demo's story (tests/browser/conftest.py): the deployment form's "Sumber kode"
following the chosen app (item 7, done by the page's script), the report's months drawn as a chart
with its figures behind a fold, every app and each region's copies counted once (stumble), and a
visitor going from an app's "Dipakai di mana" to the organization pages (new)."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import shot

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]



def _forks_of(server, org_code: str) -> dict[str, int]:
    """The region's copies in the demo, by the slug of the app they copy."""
    from catalog.extensions import db
    from catalog.models import App, Fork, Organization

    with server["app"].app_context():
        rows = db.session.execute(
            db.select(App.slug, Fork.id).join(Fork, Fork.app_id == App.id)
            .join(Organization, Organization.id == Fork.organization_id)
            .where(Organization.code == org_code)).all()
        db.session.remove()
    return {slug: fork_id for slug, fork_id in rows}


def _offered_sources(page) -> list[str]:
    return page.eval_on_selector_all("#f-fork_id option", "els => els.filter(e => !e.hidden && !e.disabled)"
                                     ".map(e => e.value)")


def test_record_form_offers_only_the_regions_copy_of_the_chosen_app(open_as, server):
    forks = _forks_of(server, "21.72")
    assert {"simanja", "slims"} <= forks.keys(), "the demo gives Kota Tanjung Pinang copies of Simanja and SLiMS"
    page = open_as("id", "adopsi@tanjungpinangkota.go.id")
    page.goto("/deployments#catat")
    if page.get_attribute("#catat", "open") is None:
        page.click("#catat summary")

    page.select_option("#f-app", "slims")
    assert page.input_value("#f-fork_id") == str(forks["slims"])  # the region's own copy, preselected
    assert _offered_sources(page) == ["", str(forks["slims"])]  # upstream as is, or that copy: nothing else

    page.select_option("#f-app", "srikandi")  # no copy of Srikandi in the region: only upstream
    assert page.input_value("#f-fork_id") == ""
    assert _offered_sources(page) == [""]

    page.select_option("#f-app", "simanja")
    assert page.input_value("#f-fork_id") == str(forks["simanja"])
    assert str(forks["slims"]) not in _offered_sources(page)
    shot(page, "flows-record-source", full_page=False)
    assert page.js_errors == []


@pytest.mark.parametrize("lang", ["id", "en"])
def test_report_draws_the_months_and_lists_every_app_and_each_regions_copies_once(open_as, lang):
    page = open_as(lang, "auditor@kepriprov.go.id")
    page.goto("/reports")
    chart = page.locator("figure.chart svg[role=img]")
    assert chart.is_visible()
    title = chart.locator("title#chart-title").text_content()
    assert title == {"id": "Jumlah pemakaian yang beroperasi (kumulatif) per bulan",
                     "en": "Deployments in operation (cumulative) per month"}[lang]
    figures = page.locator("details.chart-table")
    months = figures.locator("table tbody tr")
    assert months.count() >= 24 and chart.locator("rect.bar").count() == months.count()
    assert not months.first.is_visible()  # the mostly-zero months are folded away ...
    figures.locator("summary").click()
    assert months.first.is_visible()  # ... and one click shows them as text
    assert re.fullmatch(r"\d{4}-\d{2}", months.first.locator("td").first.inner_text().strip())

    unused = page.locator("table[data-table=apps] tbody tr").filter(has_text="e-BPHTB")
    assert unused.count() == 1  # an app nobody in the province uses is listed too
    counts = [c.strip() for c in unused.locator("td.num").all_inner_texts()]
    assert counts and set(counts) == {"0"}

    regions = page.locator("table[data-table=regions] tbody tr")
    copies = []
    for i in range(regions.count()):
        cells = regions.nth(i).locator("td").all_inner_texts()
        if cells[0].strip() == "Kota Tanjung Pinang":
            copies.append(cells[6].strip())
    assert len(copies) >= 2 and copies[0] == "2" and set(copies[1:]) == {""}  # counted on its first row only
    shot(page, f"flows-report-chart-{lang}", full_page=False)
    assert page.js_errors == []


@pytest.mark.parametrize("lang", ["id", "en"])
def test_visitor_goes_from_where_an_app_is_used_to_the_region_and_its_province(open_as, lang):
    page = open_as(lang)
    page.goto("/apps/simanja")
    assert page.get_attribute("html", "lang") == lang
    page.click("#h-dipakai ~ * a[href='/organizations/21.72'] >> nth=0")
    page.wait_for_url(re.compile(r"/organizations/21\.72$"))
    assert page.inner_text("h1") == "Kota Tanjung Pinang"
    uses = page.inner_text("main")
    assert "Simanja" in uses and "SLiMS" in uses
    page.click("h1 ~ p a[href='/organizations/21']")
    page.wait_for_url(re.compile(r"/organizations/21$"))
    assert page.inner_text("h1") == "Provinsi Kepulauan Riau"
    rollup = page.locator("#kabkota ~ * a[href^='/organizations/21.']")
    assert "Kota Tanjung Pinang" in rollup.all_inner_texts() and "Kabupaten Bintan" in rollup.all_inner_texts()
    assert page.get_attribute("html", "lang") == lang
    shot(page, f"flows-organization-{lang}", full_page=False)
    assert page.js_errors == []


def test_app_filter_of_a_large_catalog_suggests_names_as_the_visitor_types(page, server, monkeypatch):
    """Past MAX_APP_CHOICES apps the page sends no app names; typing asks the server for the names
    that start with the text, and the chosen name filters the list."""
    from catalog.extensions import db
    from catalog.services.deployments import queries

    monkeypatch.setattr(queries, "MAX_APP_CHOICES", 2)  # the demo has more apps with a deployment
    with server["app"].app_context():
        expected = queries.app_names_starting("sim")
        db.session.remove()
    assert "Simanja" in expected
    page.goto("/deployments")
    assert page.eval_on_selector_all("#saran-app option", "els => els.length") == 0
    page.click(".filter-box summary")
    page.locator("input[name=app]").press_sequentially("sim", delay=50)
    page.locator("#saran-app option").first.wait_for(state="attached")
    assert page.eval_on_selector_all("#saran-app option", "els => els.map(e => e.value)") == expected
    page.fill("input[name=app]", "Simanja")
    page.click(".filter-box button[type=submit]")
    page.wait_for_load_state()
    assert "app=Simanja" in page.url and page.input_value("input[name=app]") == "Simanja"
    assert "tidak ditemukan" not in page.content()
    shot(page, "flows-app-filter-suggestions", full_page=False)
    assert page.js_errors == []
