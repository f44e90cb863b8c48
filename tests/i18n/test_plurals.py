"""Counts take the reader's plural form (ngettext): "1 application", "2 applications" in English,
one form in Indonesian, which has no plural inflection."""
from __future__ import annotations

from flask import render_template_string
from flask_babel import force_locale

from tests.repos.conftest import published_app, source_repo  # noqa: F401  (fixtures)

EN = {"Accept-Language": "en"}


def test_one_search_hit_reads_singular_in_english(published_app, client):  # noqa: F811
    html = client.get("/apps?q=simanja", headers=EN).get_data(as_text=True)
    assert '1 application matches "simanja"' in html
    assert "1 applications" not in html


def test_home_counts_one_publisher_and_one_application(published_app, client):  # noqa: F811
    english = client.get("/", headers=EN).get_data(as_text=True)
    assert "<strong>1</strong> published application</li>" in english
    assert "<strong>1</strong> publisher</li>" in english
    indonesian = client.get("/", headers={"Accept-Language": "id"}).get_data(as_text=True)
    assert "<strong>1</strong> aplikasi diterbitkan</li>" in indonesian
    assert "<strong>1</strong> instansi penerbit</li>" in indonesian


def test_templates_pick_the_english_plural_by_count(app):
    source = '{{ ngettext("%(num)s rilis belum digabung", "%(num)s rilis belum digabung", n) }}'
    with app.test_request_context(), force_locale("en"):
        assert [render_template_string(source, n=n) for n in (1, 2, 0)] == [
            "1 release not merged yet", "2 releases not merged yet", "0 releases not merged yet"]
    with app.test_request_context(), force_locale("id"):
        assert render_template_string(source, n=2) == "2 rilis belum digabung"
