"""The SPBE evidence as a PDF download (issue 15, item 10): WeasyPrint lays the page out with the
same A4 print stylesheet a browser prints with, every page naming the organization and the audit
checkpoint; the same people as the page may have it, and rendering never reaches the network."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from catalog.web.evidence_pdf import _static_only_fetcher
from tests.deployment_world import scenario, scenario_app, scenario_template, source_repos, world  # noqa: F401

A4 = (595.3, 841.9)  # points


@pytest.fixture
def app(scenario_app):
    return scenario_app


def _pages(response) -> list:
    assert response.status_code == 200 and response.mimetype == "application/pdf", response.status_code
    return PdfReader(io.BytesIO(response.data)).pages


def test_the_pdf_is_a4_and_every_page_names_the_organization_and_the_checkpoint(client, world, login):
    login(world.user("auditor", "21"))
    page = client.get("/reports/evidence/21.72").get_data(as_text=True)
    assert 'href="/reports/evidence/21.72?format=pdf"' in page and "Unduh PDF (A4)" in page
    response = client.get("/reports/evidence/21.72?format=pdf")
    assert response.headers["Content-Disposition"] == 'attachment; filename="bukti-spbe-21.72.pdf"'
    pages = _pages(response)
    head = client.get("/api/v1/audit/checkpoint").get_json()
    sizes = {(round(float(p.mediabox.width), 1), round(float(p.mediabox.height), 1)) for p in pages}
    assert A4 in sizes and sizes <= {A4, A4[::-1]}, sizes  # portrait; the wide table on landscape pages
    for number, sheet in enumerate(pages, 1):
        text = sheet.extract_text()
        assert "Kota Tanjung Pinang (21.72)" in text and head["hash"][:16] in text, (number, text[:400])
    assert "Bukti pemakaian aplikasi bagi-pakai" in pages[0].extract_text()
    assert "Menu utama" not in "".join(p.extract_text() for p in pages)  # the site's navigation is not printed


def test_english_pdf_and_a_strength_filter_in_its_name(client, world, login):
    login(world.user("auditor", "21"))
    response = client.get("/reports/evidence/21.72?format=pdf&strength=confirmed", headers={"Accept-Language": "en"})
    assert response.headers["Content-Disposition"] == 'attachment; filename="bukti-spbe-21.72-confirmed.pdf"'
    assert "Evidence of shared application use" in _pages(response)[0].extract_text()


def test_only_those_who_see_the_page_get_the_pdf(client, world, login):
    assert client.get("/reports/evidence/21.72?format=pdf").status_code == 302  # to the sign-in page
    login(world.user("adopter", "14.71"))
    response = client.get("/reports/evidence/21.72?format=pdf")
    assert response.status_code == 403 and response.mimetype != "application/pdf"


def test_printing_reads_the_apps_own_files_and_fetches_nothing_else(app):
    with app.test_request_context():
        fetcher = _static_only_fetcher()
        css = fetcher.fetch("http://localhost/static/css/evidence-print.css")
        assert b"@page" in css.read()
        for url in ("http://127.0.0.1:9/static/../catalog/config.py", "https://cdn.example.org/font.css",
                    "file:///etc/passwd", "http://localhost/api/v1/audit/checkpoint"):
            with pytest.raises(ValueError):
                fetcher.fetch(url)


def test_a_server_without_pango_still_serves_the_page_and_says_how_to_print(client, world, login, monkeypatch):
    """WeasyPrint loads Debian's pango when imported: without it the catalog must still start and the
    PDF link answers with what to do instead (the import is tried only when a PDF is asked for)."""
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` now raises ImportError
    login(world.user("auditor", "21"))
    assert client.get("/reports/evidence/21.72").status_code == 200
    response = client.get("/reports/evidence/21.72?format=pdf")
    assert response.status_code == 503 and response.mimetype == "text/html"
    assert "Simpan sebagai PDF" in response.get_data(as_text=True)
