"""The SPBE evidence printed on A4 (issue 15, item 10), in Debian's Chromium through Playwright.

An auditor opens a kota's evidence; the page links its print stylesheet, and the server serves
the A4 rules. Printed to PDF (Page.printToPDF, which honours the stylesheet's @page size), every
page is A4 portrait; the first carries the print header (organization, date, the catalog's
address) and no navigation, and each page its number. In print layout the tables fit the width
of an A4 page between its margins.
"""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.browser.conftest import login

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

A4_POINTS = (595.3, 841.9)  # 210 x 297 mm
# the stylesheet's page area, 210 mm less 2 x 14 mm of margin, in CSS pixels (96 per inch)
A4_CONTENT_PX = round((210 - 2 * 14) / 25.4 * 96)
ORG = "Kota Tanjung Pinang"


@pytest.fixture
def evidence(page):
    login(page, "auditor@kepriprov.go.id")
    page.goto("/reports/evidence/21.72")
    assert ORG in page.inner_text("main")
    return page


def test_the_evidence_page_serves_its_a4_print_rules(evidence):
    link = evidence.locator('link[rel=stylesheet][media=print]')
    assert link.count() == 1
    response = evidence.request.get(link.get_attribute("href"))
    assert response.ok and response.headers["content-type"].startswith("text/css")
    css = response.text()
    assert "@page" in css and "size: A4 portrait" in css
    assert "thead { display: table-header-group; }" in css  # header rows repeat on each page
    assert evidence.locator(".print-head").is_hidden()  # on screen, the print header stays hidden


def test_in_print_layout_the_tables_fit_a4_and_navigation_is_gone(evidence):
    evidence.set_viewport_size({"width": A4_CONTENT_PX, "height": 1000})
    evidence.emulate_media(media="print")
    assert evidence.locator("header.top").is_hidden() and evidence.locator("footer.foot").is_hidden()
    assert evidence.locator(".print-head").is_visible()
    widths = evidence.eval_on_selector_all(".evidence table", "ts => ts.map(t => t.getBoundingClientRect().width)")
    assert widths and max(widths) <= A4_CONTENT_PX + 1, widths


def test_printing_to_pdf_gives_a4_pages_with_the_organization(evidence):
    pdf = PdfReader(io.BytesIO(evidence.pdf(prefer_css_page_size=True, print_background=True)))
    sizes = {(round(float(p.mediabox.width), 1), round(float(p.mediabox.height), 1)) for p in pdf.pages}
    assert all(abs(w - A4_POINTS[0]) < 1 and abs(h - A4_POINTS[1]) < 1 for w, h in sizes), sizes
    first = pdf.pages[0].extract_text()
    assert ORG in first and "21.72" in first
    assert "127.0.0.1" in first  # the catalog's address, in the print header
    assert "Langsung ke isi" not in first and "Keluar" not in first  # no navigation
    assert f"1 / {len(pdf.pages)}" in first  # the page number, from the @page margin box
