"""Reports over HTTP: scope and permissions, the dashboard, CSV equal to the screen, evidence, audit."""
from __future__ import annotations

import csv
import gzip
import io
import json
import re
import time
from html.parser import HTMLParser

import brotli
import pytest

from catalog.services.oversight import tables as report_tables
from tests.deployment_world import scenario, scenario_app, scenario_template, source_repos, world  # noqa: F401


@pytest.fixture
def app(scenario_app):
    return scenario_app


class _Tables(HTMLParser):
    """Cell texts of every <table data-table=...> on a page."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._key, self._row, self._cell = None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-table" in attrs:
            self._key = attrs["data-table"]
            self.tables[self._key] = []
        elif self._key and tag == "tr":
            self._row = []
        elif self._row is not None and tag in ("td", "th"):
            self._cell = ""

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._key].append(self._row)
            self._row = None
        elif tag == "table":
            self._key = None


def _screen(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def _csv(body: bytes) -> list[list[str]]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_reuse_needs_an_auditor_token(client, world, token_for):
    assert client.get("/api/v1/reports/reuse").status_code == 401
    r = client.get("/api/v1/reports/reuse", headers=token_for(world.user("adopter", "21.72")))
    assert r.status_code == 403 and r.json["error"] == "forbidden"


def test_kepri_auditor_sees_tanjung_pinang_and_not_other_provinces(client, world, token_for):
    body = client.get("/api/v1/reports/reuse", headers=token_for(world.user("auditor", "21"))).json
    assert body["scope"]["province"]["code"] == "21"
    regions = {r["org"]["code"]: r for r in body["regions"]}
    assert {a["app"] for a in regions["21.72"]["apps"]} == {"simanja", "siap", "srikandi"}
    assert "14.71" not in regions and "63.09" not in regions
    simanja = next(a for a in body["apps"] if a["slug"] == "simanja")
    assert simanja["deployments_by_status"]["production"] == 1 and simanja["publisher"]["code"] == "21"
    assert simanja["confirmed"] == 1 and simanja["forks"] == 1
    r = client.get("/api/v1/reports/reuse?province=14", headers=token_for(world.user("auditor", "21")))
    assert r.status_code == 403


def test_national_auditor_sees_everything(client, world, token_for):
    body = client.get("/api/v1/reports/reuse", headers=token_for(world.user("auditor", "kemenpanrb"))).json
    assert body["scope"]["province"] is None
    assert {"21.72", "21.01", "14.71", "63.09"} <= {r["org"]["code"] for r in body["regions"]}


def test_dashboard_renders_every_table_and_an_svg_chart(client, world, login):
    login(world.user("auditor", "21"))
    r = client.get("/reports")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Kepulauan Riau" in html and "<svg" in html
    tables = _screen(html)
    assert set(tables) == set(report_tables.TABLES)
    # organizations by name, not code (issue 15), each kab/kota of the province listed
    names = {row[0] for row in tables["regions"][1:]}
    assert len(names) == 8 and {"Provinsi Kepulauan Riau", "Kota Tanjung Pinang", "Kabupaten Bintan"} <= names
    assert not any(re.fullmatch(r"[\d.]+", cell) for row in tables["regions"] for cell in row[:1])
    assert "<script" not in html and "style=" not in html


def test_csv_matches_the_screen(client, world, login):
    login(world.user("auditor", "21"))
    screen = _screen(client.get("/reports").get_data(as_text=True))
    for key in report_tables.TABLES:
        r = client.get(f"/reports/tables/{key}.csv")
        assert r.status_code == 200 and r.mimetype == "text/csv"
        assert _csv(r.data) == screen[key], key
    assert len(screen["regions"]) == 1 + 10 and len(screen["apps"]) == 1 + 4  # SIMPEG, unused, is listed too


def test_past_their_age_the_dashboard_answers_with_the_kept_figures_then_the_new_ones(app, client, world, login):
    """Through /reports: a change after the figures were computed shows only once they are past
    REPORT_MAX_AGE and recomputed in the background; the request past their age is answered at
    once with the kept figures."""
    app.config["REPORT_MAX_AGE"] = 1.5  # long enough for two requests on a loaded machine
    login(world.user("auditor", "21"))
    kept = _screen(client.get("/reports").get_data(as_text=True))
    world.deploy("21.05", "srikandi", status="planned")
    assert _screen(client.get("/reports").get_data(as_text=True)) == kept  # within the age
    time.sleep(1.6)
    assert _screen(client.get("/reports").get_data(as_text=True)) == kept  # past it: kept, recomputing
    deadline = time.monotonic() + 10
    while (fresh := _screen(client.get("/reports").get_data(as_text=True))) == kept:
        assert time.monotonic() < deadline, "the dashboard never showed the new deployment"
        time.sleep(0.05)
    assert fresh["apps"] != kept["apps"]


def test_a_kept_table_is_written_to_csv_once_per_language_and_zone(app, client, world, login):
    """With REPORT_MAX_AGE the whole table behind a CSV is kept, and so is its text: the second
    download is the first one's text, another language gets its own."""
    app.config["REPORT_MAX_AGE"] = 60
    login(world.user("auditor", "21"))
    first = client.get("/reports/tables/apps.csv")
    world.deploy("21.05", "srikandi", status="planned")  # within the age: the kept table answers
    again = client.get("/reports/tables/apps.csv")
    english = client.get("/reports/tables/apps.csv", headers={"Accept-Language": "en"})
    assert first.status_code == again.status_code == english.status_code == 200
    assert again.data == first.data
    assert _csv(english.data)[1:] == _csv(first.data)[1:] and _csv(english.data)[0] != _csv(first.data)[0]
    kept = report_tables.table_for(world.user("auditor", "21"), "apps")[1]
    assert len(kept.derived) == 2  # its text in two languages, written once each
    for coding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        for _ in range(2):  # compressed once per coding, then sent as kept
            packed = client.get("/reports/tables/apps.csv", headers={"Accept-Encoding": f"{coding}, identity"})
            assert packed.headers["Content-Encoding"] == coding and "Accept-Encoding" in packed.headers["Vary"]
            assert decode(packed.data) == first.data
    assert len(kept.derived) == 4
    refused = client.get("/reports/tables/apps.csv", headers={"Accept-Encoding": "br;q=0, gzip;q=0"})
    assert "Content-Encoding" not in refused.headers and refused.data == first.data
    app.config["REPORT_MAX_AGE"] = 0
    assert client.get("/reports/tables/apps.csv").data != first.data  # not kept: the new deployment shows


def test_dashboard_is_for_auditors_and_admins(client, world, login):
    login(world.user("adopter", "21.72"))
    assert client.get("/reports").status_code == 403
    assert client.get("/reports/tables/apps.csv").status_code == 403


def test_evidence_page_and_its_csv(client, world, login):
    login(world.user("auditor", "21"))
    r = client.get("/reports/evidence/21.72")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Bukti pemakaian" in html and "Dikonfirmasi penerbit" in html
    rows = _csv(client.get("/reports/evidence/21.72.csv").data)
    assert rows == _screen(html)["evidence"] and len(rows) == 1 + 3
    assert client.get("/reports/evidence/63.09").status_code == 403


def test_audit_page_and_checkpoint_download(client, world, login):
    login(world.user("auditor", "21"))
    html = client.get("/reports/audit?verify=1").get_data(as_text=True)
    visible = re.sub(r"<[^>]+>", " ", html)  # codes may be option values of the filter, never shown text
    assert "Rantai utuh" in visible and "Pemakaian dicatat" in visible and "deployment.create" not in visible
    r = client.get("/reports/audit/checkpoint.json")
    body = json.loads(r.data)
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    assert set(body) == {"seq", "hash", "at", "generated_at", "catalog_url", "checksum"}
    assert client.get("/api/v1/audit/checkpoint").json["hash"] == body["hash"]


def test_table_endpoint_matches_the_csv(client, world, token_for):
    headers = token_for(world.user("auditor", "kemenpanrb"))
    body = client.get("/api/v1/reports/tables/lagging", headers=headers).json
    assert [row[:2] for row in body["rows"]] == [["Kota Pekanbaru", "Simanja"], ["Kota Tanjung Pinang", "Srikandi"]]
    assert client.get("/api/v1/reports/tables/nope", headers=headers).status_code == 404
