"""Organization pages and their API: what a province, kab/kota or agency publishes, uses and runs."""
from __future__ import annotations

import re

import pytest

from catalog.services.catalog import apps
from catalog.services.deployments import lifecycle as deployments
from catalog.services.oversight import organization_profile
from catalog.services.repos import forks
from tests.deployment_world import scenario, scenario_app, scenario_template, source_repos, world  # noqa: F401
from tests.factories import app_payload


@pytest.fixture
def app(scenario_app):
    return scenario_app


@pytest.fixture
def riau(world, scenario):
    """Provinsi Kepulauan Riau (21) with Kota Tanjung Pinang (21.72) and Kabupaten Bintan (21.01).
    On top of the scenario (21 publishes Simanja; 21.72 publishes SIAP, runs Simanja, SIAP and Srikandi,
    forked Simanja; 21.01 plans SIAP): Bintan runs Simanja two releases behind, retired Srikandi
    (which lagged too), forked SIAP; Tanjung Pinang keeps a draft nobody else may see."""
    bintan = world.user("adopter", "21.01")
    lagging = world.deploy("21.01", "simanja", version="v1.0.0")
    retired = world.deploy("21.01", "srikandi", status="planned", version="v2.0.0")
    deployments.change_status(retired.id, "retired", actor=bintan)
    fork = forks.create_fork("siap", actor=bintan)
    apps.create_app(app_payload(name="Rahasia Draf", slug="rahasia-draf", maintenance_contacts=[
        {"name": "Kontak Draf", "email": "draf@tanjungpinangkota.go.id", "phone": ""}]),
        actor=world.user("publisher", "21.72"), org_code="21.72")
    return {"lagging": lagging.id, "retired": retired.id, "bintan_fork": fork.id, **scenario}


def _row(html: str, table: str, text: str) -> str:
    """The <tr> of table `data-table=<table>` that contains `text`."""
    body = html.split(f'data-table="{table}"', 1)[1].split("</table>", 1)[0]
    rows = [r for r in re.findall(r"<tr>.*?</tr>", body, re.S) if text in r]
    assert rows, f"{text!r} not in table {table}"
    return rows[0]


def test_kota_page_shows_what_it_publishes_uses_and_forks_with_links(client, riau):
    r = client.get("/organizations/21.72")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "<h1>Kota Tanjung Pinang</h1>" in html
    assert 'href="/organizations/21">Provinsi Kepulauan Riau</a>' in html  # part of its province
    assert 'href="/apps/siap">SIAP</a>' in _row(html, "publishes", "SIAP")
    used = _row(html, "uses", ">Simanja<")
    assert 'href="/apps/simanja"' in used and 'href="/organizations/21"' in used
    assert f'href="/deployments/{riau["tp_simanja"]}"' in used and "Produksi" in used and "v1.2.0" in used
    assert "mutakhir" in used
    pilot = _row(html, "uses", ">Srikandi<")
    assert "Uji coba (pilot)" in pilot and "tertinggal" in pilot and "1 rilis" in pilot
    fork = _row(html, "forks", ">Simanja<")
    assert f'href="/forks/{riau["fork"]}"' in fork and re.search(r"<td>0</td><td>0</td><td>0</td>", fork)


def test_lag_and_retired_deployments(client, riau):
    html = client.get("/organizations/21.01").get_data(as_text=True)
    lagging = _row(html, "uses", ">Simanja<")
    assert "tertinggal" in lagging and "2 rilis" in lagging and "terbaru: v1.2.0" in lagging
    retired = _row(html, "uses", ">Srikandi<")
    assert "Dihentikan" in retired and "sudah dihentikan" in retired and "tertinggal" not in retired
    api = client.get("/api/v1/organizations/21.01").json
    by_id = {d["id"]: d for d in api["uses"]}
    assert by_id[riau["lagging"]]["lag"]["releases"] == 2
    assert by_id[riau["retired"]]["status"] == "retired" and by_id[riau["retired"]]["lag"] is None


def test_province_rolls_up_its_kab_kota(client, riau):
    html = client.get("/organizations/21").get_data(as_text=True)
    assert 'href="/apps/simanja">Simanja</a>' in _row(html, "publishes", "Simanja")
    tp = _row(html, "regions", "Kota Tanjung Pinang")
    assert 'href="/organizations/21.72"' in tp
    # published, active deployments (production, production, pilot), observed by a heartbeat (none), forks
    assert re.search(r"<td>1</td>\s*<td><a href=\"/deployments\?org=21.72\">3</a></td>\s*<td>0</td>\s*<td>1</td>", tp)
    bintan = _row(html, "regions", "Kabupaten Bintan")
    assert 'href="/organizations/21.01"' in bintan
    # SIAP planned and Simanja in production count; retired Srikandi does not
    assert re.search(r"<td>0</td>\s*<td><a href=\"/deployments\?org=21.01\">2</a></td>\s*<td>0</td>\s*<td>1</td>",
                     bintan)
    regions = {r["code"]: r for r in client.get("/api/v1/organizations/21").json["regions"]}
    assert (regions["21.72"]["publishes"], regions["21.72"]["deployments"], regions["21.72"]["forks"]) == (1, 3, 1)
    assert (regions["21.01"]["deployments"], regions["21.01"]["forks"]) == (2, 1)
    assert regions["21.01"]["url"].endswith("/organizations/21.01")


def test_contacts_name_people_but_never_their_email(client, riau, world):
    html = client.get("/organizations/21.72").get_data(as_text=True)
    contacts = html.split('id="kontak"', 1)[1]
    assert "Publisher 21.72" in contacts and "Adopter 21.72" in contacts and "Penerbit aplikasi" in contacts
    assert "@dunia.go.id" not in html
    # maintenance contacts the entry publishes (as its app page does) are shown, with the app linked
    assert 'href="/apps/siap">SIAP</a>: Tim Srikandi' in contacts
    api = client.get("/api/v1/organizations/21.72").json
    assert {"name": "Publisher 21.72", "role": "publisher"} in api["contacts"]
    assert "@dunia.go.id" not in str(api)


def test_a_draft_never_shows_to_anonymous(client, riau):
    html = client.get("/organizations/21.72").get_data(as_text=True)
    assert "Rahasia Draf" not in html and "draf@" not in html
    api = client.get("/api/v1/organizations/21.72").json
    assert "rahasia-draf" not in str(api) and api["totals"]["publishes"] == 1
    province = client.get("/organizations/21").get_data(as_text=True)
    assert re.search(r"<td>1</td>", _row(province, "regions", "Kota Tanjung Pinang"))


def test_api_returns_the_same_facts(client, riau):
    r = client.get("/api/v1/organizations/21.72")
    body = r.json
    assert r.status_code == 200 and (body["code"], body["name"], body["kind"], body["parent"]) == (
        "21.72", "Kota Tanjung Pinang", "city", "21")
    assert [a["slug"] for a in body["publishes"]] == ["siap"] and body["publishes"][0]["url"].endswith("/apps/siap")
    uses = {d["app"]["slug"]: d for d in body["uses"]}
    assert set(uses) == {"simanja", "siap", "srikandi"}
    assert uses["simanja"]["app"]["publisher"]["code"] == "21" and uses["srikandi"]["lag"]["releases"] == 1
    assert uses["simanja"]["url"].endswith(f"/deployments/{riau['tp_simanja']}")
    [fork] = body["forks"]
    assert fork["id"] == riau["fork"] and fork["url"].endswith(f"/forks/{riau['fork']}")
    assert set(fork["divergence"]) >= {"ahead", "behind", "files_changed"}
    assert body["totals"] == {"publishes": 1, "uses": 3, "forks": 1, "contacts": 2}
    assert body["regions"] == [] and body["more"] == {"publishes": None, "uses": None, "forks": None}


def test_unknown_code_is_404_page_and_json(client, riau):
    page = client.get("/organizations/99.99")
    assert page.status_code == 404 and "text/html" in page.content_type
    api = client.get("/api/v1/organizations/99.99")
    assert api.status_code == 404 and api.json["error"] == "not_found" and "99.99" in api.json["message"]


def test_agency_page(client, riau):
    html = client.get("/organizations/anri").get_data(as_text=True)
    assert "Instansi pusat" in html and 'href="/apps/srikandi">Srikandi</a>' in html
    assert 'id="kabkota"' not in html


def test_english_page_translates_its_labels(client, riau):
    html = client.get("/organizations/21", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    for label in ("Published apps", "Shared apps in use", "Regencies and cities in this province",
                  "Who to contact", "Province", "Active deployments"):
        assert label in html, label
    assert "Aplikasi yang diterbitkan" not in html and "Kabupaten/kota di provinsi ini" not in html


def test_long_sections_are_capped_with_a_link_to_the_full_list(client, riau, monkeypatch):
    monkeypatch.setattr(organization_profile, "SECTION_LIMIT", 1)
    html = client.get("/organizations/21.72").get_data(as_text=True)
    assert 'href="/deployments?org=21.72"' in html and "Lihat semua 3 pemakaian" in html
    body = client.get("/api/v1/organizations/21.72").json
    assert len(body["uses"]) == 1 and body["totals"]["uses"] == 3 and "org=21.72" in body["more"]["uses"]


def test_forks_page_in_turn(client, riau, world, monkeypatch):
    forks.create_fork("srikandi", actor=world.user("adopter", "21.72"))
    assert organization_profile.organization_profile("21.72").forks.total == 2
    monkeypatch.setattr(organization_profile, "SECTION_LIMIT", 1)
    first = client.get("/api/v1/organizations/21.72").json
    second = client.get("/api/v1/organizations/21.72?forks_page=2").json
    html = client.get("/organizations/21.72?forks_page=2").get_data(as_text=True)
    assert first["forks"][0]["id"] != second["forks"][0]["id"] and "forks_page=2" in first["more"]["forks"]
    assert second["more"]["forks"] is None and "forks_page=1" in html and "Halaman 2 dari 2" in html


def test_deployment_lists_link_the_organization_pages(client, riau):
    html = client.get("/deployments?province=21").get_data(as_text=True)
    assert 'href="/organizations/21.72">Kota Tanjung Pinang</a>' in html
    assert 'href="/organizations/21.01">Kabupaten Bintan</a>' in html
