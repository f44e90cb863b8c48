"""The SPBE evidence printed on A4 (issue 15, item 10), in Debian's Chromium through Playwright.

An auditor opens a kota's evidence; the page links its print stylesheet, and the server serves
the A4 rules. Printed to PDF (Page.printToPDF, which honours the stylesheet's @page size), every
page is A4 (portrait; landscape for the 16-column table of deployments) and carries the print
header (organization, date, the catalog's address, the audit checkpoint's event and hash) above
its content, and its number, and no navigation. In print layout the tables fit the width of
their pages between the margins, their headings whole words.
"""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.browser.conftest import login

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

A4_POINTS = (595.3, 841.9)  # 210 x 297 mm
A4_LANDSCAPE = tuple(reversed(A4_POINTS))
# the stylesheet's page area, 210 mm less 2 x 14 mm of margin, in CSS pixels (96 per inch)
A4_CONTENT_PX = round((210 - 2 * 14) / 25.4 * 96)
A4_LANDSCAPE_CONTENT_PX = round((297 - 2 * 14) / 25.4 * 96)  # the deployments table's own pages
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
    widths = evidence.eval_on_selector_all(".evidence table:not([data-table=evidence])",
                                           "ts => ts.map(t => t.getBoundingClientRect().width)")
    assert widths and max(widths) <= A4_CONTENT_PX + 1, widths
    evidence.set_viewport_size({"width": A4_LANDSCAPE_CONTENT_PX, "height": 1000})
    wide = evidence.eval_on_selector("table[data-table=evidence]", "t => t.getBoundingClientRect().width")
    assert wide <= A4_LANDSCAPE_CONTENT_PX + 1, wide


def test_printing_to_pdf_gives_a4_pages_with_the_organization(evidence):
    pdf = PdfReader(io.BytesIO(evidence.pdf(prefer_css_page_size=True, print_background=True)))
    sizes = [(round(float(p.mediabox.width), 1), round(float(p.mediabox.height), 1)) for p in pdf.pages]
    portrait = [abs(w - A4_POINTS[0]) < 1 and abs(h - A4_POINTS[1]) < 1 for w, h in sizes]
    landscape = [abs(w - A4_LANDSCAPE[0]) < 1 and abs(h - A4_LANDSCAPE[1]) < 1 for w, h in sizes]
    assert all(p or ls for p, ls in zip(portrait, landscape, strict=True)), sizes  # every page A4
    assert portrait[0] and portrait[-1], sizes
    # the 16-column table of deployments is on landscape pages, its headings whole words
    texts = [" ".join(p.extract_text().split()) for p in pdf.pages]
    table_heads = ("Status sejak", "Terakhir melapor", "Versi yang dilaporkan", "OPD pengguna")
    holding = [all(h in text for h in table_heads) for text in texts]
    assert any(holding) and holding == landscape, (holding, landscape)
    first = pdf.pages[0].extract_text()
    assert ORG in first and "21.72" in first
    assert "127.0.0.1" in first  # the catalog's address, in the print header
    assert "Langsung ke isi" not in first and "Keluar" not in first  # no navigation
    assert f"1 / {len(pdf.pages)}" in first  # the page number, from the @page margin box


def _lines(page) -> list[tuple[float, str]]:
    """The text of a PDF page as (height from the bottom in points, text), top first."""
    parts: list[tuple[float, str]] = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            parts.append((tm[4] * cm[1] + tm[5] * cm[3] + cm[5], text.strip()))
    page.extract_text(visitor_text=visit)
    return sorted(parts, key=lambda p: -p[0])


def test_every_printed_page_names_the_organization_and_the_audit_checkpoint(evidence):
    seal = evidence.inner_text("#evidence-seal")  # on screen too: "peristiwa #N, hash H"
    assert seal.startswith("peristiwa #")
    chain_hash = seal.rsplit(" ", 1)[-1]
    assert len(chain_hash) == 64 and int(chain_hash, 16) >= 0, seal
    pdf = PdfReader(io.BytesIO(evidence.pdf(prefer_css_page_size=True, print_background=True)))
    assert len(pdf.pages) >= 2  # the demo kota's evidence breaks across pages
    for number, pdf_page in enumerate(pdf.pages, start=1):
        lines = _lines(pdf_page)
        seal_at = next(i for i, (_y, t) in enumerate(lines) if t.startswith("Checkpoint audit"))
        head, content = lines[:seal_at + 1], lines[seal_at + 1:]
        assert head[0][1].startswith(f"{ORG} (21.72)"), (number, lines[:4])  # the header tops each page
        if not head[-1][1].endswith(chain_hash):  # a long event number wraps the hash onto a fourth line
            head, content = lines[:seal_at + 2], lines[seal_at + 2:]
        assert "".join(t for _y, t in head[-2:]).replace(" ", "").endswith(chain_hash), (number, head)
        assert f"{number} / {len(pdf.pages)}" in pdf_page.extract_text()
        # the page's content starts below the header instead of running under it
        assert content and max(y for y, _t in content) < head[-1][0], (number, lines[:6])
