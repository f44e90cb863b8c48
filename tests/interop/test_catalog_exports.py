"""The published catalog for everyone: JSON and CSV with releases, forks and deployments."""
from __future__ import annotations

import csv
import io

from catalog.services.catalog import apps
from catalog.services.deployments import lifecycle as deployments
from catalog.services.interop.exports import CSV_COLUMNS
from catalog.services.repos import forks
from tests.factories import app_payload


def _world(published_app, make_user, adopter):
    forks.create_fork("simanja", actor=adopter)
    deployments.create_deployment({"environment": "production", "status": "production", "version": "v1.1.0",
                                   "hosting": "pdn"}, actor=adopter, app_slug="simanja")
    apps.create_app(app_payload(name="Draf Rahasia"), actor=make_user("publisher", "anri"))  # drafts stay out


def test_json_export(client, published_app, make_user, adopter):
    _world(published_app, make_user, adopter)
    body = client.get("/api/v1/export/apps.json").json
    assert body["total"] == 1 and body["page"] == 1 and "generated_at" in body
    [item] = body["items"]
    assert item["slug"] == "simanja" and item["publisher"] == {"code": "21", "name": "Provinsi Kepulauan Riau"}
    assert item["province"] == {"code": "21", "name": "Provinsi Kepulauan Riau"}
    assert item["latest_release"]["name"] == "v1.1.0"
    assert item["forks_count"] == 1 and item["deployments_count"] == 1
    assert item["url"] == "http://localhost/apps/simanja"


def test_csv_export(client, published_app, make_user, adopter):
    _world(published_app, make_user, adopter)
    r = client.get("/api/v1/export/apps.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    [row] = rows[1:]
    values = dict(zip(CSV_COLUMNS, row, strict=True))
    assert values["slug"] == "simanja" and values["province"] == "Provinsi Kepulauan Riau"
    assert values["tags"] == "kearsipan" and values["latest_release"] == "v1.1.0"
    assert values["forks"] == "1" and values["deployments"] == "1"


def test_catalog_page_links_the_exports(client):
    html = client.get("/apps").get_data(as_text=True)
    assert "/api/v1/export/apps.csv" in html and "/api/v1/export/apps.json" in html


def test_formula_like_text_is_neutralised(client, make_user):
    admin, publisher = make_user("admin", "komdigi"), make_user("publisher", "anri")
    apps.create_app(app_payload(name="=HYPERLINK(\"http://x\")"), actor=publisher)
    apps.submit_app("hyperlink-http-x", actor=publisher)
    apps.publish_app("hyperlink-http-x", actor=admin)
    text = client.get("/api/v1/export/apps.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text
