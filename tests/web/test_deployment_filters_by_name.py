"""/deployments filters take what people read (issue 15): organization, province and app names
with suggestions; codes still work; an ambiguous or unknown name is refused with the choices."""
from __future__ import annotations

import html as markup
import re

import pytest
from sqlalchemy import event

from catalog.extensions import db
from catalog.models import App
from catalog.services.deployments import queries
from tests.deployment_world import source_repos, world, world_app, world_template  # noqa: F401


@pytest.fixture
def app(world_app):
    return world_app


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r"<tr>.*?</tr>", body, flags=re.S)


@pytest.fixture
def deployed(world):
    world.deploy("21.72", "simanja")
    world.deploy("14.71", "simpeg")
    world.deploy("21.01", "srikandi")


def test_filters_by_names_as_the_table_shows_them(client, deployed):
    for query in ({"org": "Kota Tanjung Pinang"}, {"org": "kota tanjung pinang"}, {"org": "21.72"},
                  {"org": "Tanjung Pinang"}):
        html = client.get("/deployments", query_string=query).get_data(as_text=True)
        rows = _rows(html)
        assert len(rows) == 1 and "Simanja" in rows[0], (query, rows)
    by_province = _rows(client.get("/deployments?province=Kepulauan Riau").get_data(as_text=True))
    assert len(by_province) == 2 and not any("SIMPEG" in r for r in by_province)
    assert len(_rows(client.get("/deployments?province=Provinsi Riau").get_data(as_text=True))) == 1
    for app_name in ("SIMPEG", "simpeg"):
        rows = _rows(client.get("/deployments", query_string={"app": app_name}).get_data(as_text=True))
        assert len(rows) == 1 and "Kota Pekanbaru" in rows[0]


def test_ambiguous_or_unknown_names_are_refused_with_choices(client, deployed):
    r = client.get("/deployments?org=Kota")  # many cities: which one?
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "Maksudnya salah satu ini?" in html
    r = client.get("/deployments?org=Kota Atlantis")
    html = markup.unescape(r.get_data(as_text=True))
    assert r.status_code == 400 and "'Kota Atlantis' tidak ditemukan." in html and "pilih dari saran" in html
    r = client.get("/api/v1/deployments?province=Kota Tanjung Pinang")  # a city is no province
    assert r.status_code == 422 or r.status_code == 400
    assert "provinsi" in str(r.json).lower()


def test_suggestions_and_no_placeholder_that_looks_filled(client, deployed):
    html = client.get("/deployments").get_data(as_text=True)
    form = html.split('class="filters"', 1)[1].split("</form>", 1)[0]
    assert "placeholder=" not in form  # "21.72" in an empty box read as a chosen filter
    assert 'list="saran-org"' in form and 'list="saran-app"' in form and 'list="saran-province"' in form
    orgs = html.split('<datalist id="saran-org">', 1)[1].split("</datalist>", 1)[0]
    assert re.findall(r'value="([^"]+)"', orgs) == ["Kabupaten Bintan", "Kota Pekanbaru", "Kota Tanjung Pinang"]
    apps = html.split('<datalist id="saran-app">', 1)[1].split("</datalist>", 1)[0]
    assert re.findall(r'value="([^"]+)"', apps) == ["Simanja", "SIMPEG", "Srikandi"]
    provinces = html.split('<datalist id="saran-province">', 1)[1].split("</datalist>", 1)[0]
    assert 'value="Provinsi Kepulauan Riau"' in provinces and provinces.count("<option") >= 34
    assert "Organisasi (kode)" not in html and "Aplikasi (slug)" not in html
    assert '<details class="filter-box">' in html  # folded until used
    filtered = client.get("/deployments?org=Kota Pekanbaru").get_data(as_text=True)
    assert '<details class="filter-box" open>' in filtered and 'value="Kota Pekanbaru"' in filtered


def _suggested(client, text: str) -> list[str]:
    answer = client.get("/deployments/saran-aplikasi", query_string={"q": text})
    assert answer.status_code == 200 and "public" in answer.headers["Cache-Control"]
    return answer.json["items"]


def test_a_large_catalog_sends_no_app_list_and_suggests_names_as_people_type(client, deployed, monkeypatch):
    """Past MAX_APP_CHOICES apps with a deployment the app box's datalist comes empty (at national
    size its 13,500 names were 612 KB of a 655 KB page) and its script asks the server for the
    first names that start with what was typed; the organizations are still listed."""
    monkeypatch.setattr(queries, "MAX_APP_CHOICES", 2)  # three apps have a deployment
    html = client.get("/deployments").get_data(as_text=True)
    apps = html.split('<datalist id="saran-app">', 1)[1].split("</datalist>", 1)[0]
    assert "<option" not in apps
    assert 'data-suggest="/deployments/saran-aplikasi"' in html and "js/suggest.js" in html
    orgs = html.split('<datalist id="saran-org">', 1)[1].split("</datalist>", 1)[0]
    assert orgs.count("<option") == 3
    assert _suggested(client, "SIM") == ["Simanja", "SIMPEG"]
    assert _suggested(client, "si") == ["SIAP", "Simanja", "SIMPEG"]  # any listed app, deployed or not
    assert _suggested(client, " sr") == ["Srikandi"]
    assert _suggested(client, "simz") == [] and _suggested(client, "s") == [] and _suggested(client, "") == []
    assert _suggested(client, "x" * 5000) == []


def test_suggestions_leave_out_apps_the_list_hides(client, app, deployed):
    with app.app_context():
        db.session.execute(db.update(App).where(App.slug == "simpeg").values(state="draft"))
        db.session.commit()
    assert _suggested(client, "sim") == ["Simanja"]


def test_a_suggestion_reads_a_range_of_the_name_index(app, deployed):
    """What keeps a suggestion's cost flat as the catalog grows: SQLite walks `ix_app_name_lower`."""
    statements: list[tuple[str, tuple]] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if "lower(app.name) >=" in statement:
            statements.append((statement, parameters))

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the query plan is SQLite's; PostgreSQL picks a sequential scan for a table this small")
        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            assert queries.app_names_starting("sim") == ["Simanja", "SIMPEG"]
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        (statement, parameters), = statements
        plan = db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        assert any("ix_app_name_lower" in str(row) for row in plan), plan
