"""Deployment pages: record form, errors that keep the input, status changes, privacy, my region."""
from __future__ import annotations

import re

import pytest

from catalog.services.deployments import lifecycle as deployments
from tests.conftest import PASSWORD
from tests.deployment_world import source_repos, world, world_app, world_template  # noqa: F401


@pytest.fixture
def app(world_app):
    return world_app


FORM = {"app": "simanja", "status": "production", "environment": "production", "version": "v1.2.0",
        "hosting": "pusat_data_daerah", "opd_units": "BKPSDM\nInspektorat", "note": "Catatan internal kota",
        "url": "https://simanja.tanjungpinangkota.go.id", "fork_id": "", "go_live_on": "2024-07-01"}


def test_adopter_records_through_the_form(client, world, login):
    login(world.user("adopter", "21.72"))
    page = client.get("/deployments").get_data(as_text=True)
    assert "Catat pemakaian" in page and '<option value="simanja"' in page
    r = client.post("/deployments", data=FORM)
    assert r.status_code == 302
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert ("Simanja di Kota Tanjung Pinang" in html and "BKPSDM, Inspektorat" in html
            and "Catatan internal kota" in html)


def test_form_errors_keep_what_was_typed(client, world, login):
    login(world.user("adopter", "21.72"))
    r = client.post("/deployments", data={**FORM, "version": "v1.9.9", "url": "ftp://x"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "v1.9.9" in html and "Gunakan alamat lengkap" in html
    assert "BKPSDM\nInspektorat" in html and 'value="2024-07-01"' in html


def test_forbidden_status_change_is_explained(client, world, login):
    dep = world.deploy("21.72", "simanja", status="planned")
    login(world.user("adopter", "21.72"))
    r = client.post(f"/deployments/{dep.id}/status", data={"status": "production", "note": "langsung saja"})
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and "tidak dapat diubah menjadi" in html and "langsung saja" in html
    assert client.post(f"/deployments/{dep.id}/status", data={"status": "installing"}).status_code == 302
    assert deployments.get_deployment(dep.id).status == "installing"


def test_retiring_asks_once_more_and_says_it_is_final(client, world, login):
    """Issue 15, item 6: "Dihentikan" is final; the form first shows what cannot be undone."""
    dep = world.deploy("21.72", "simanja", status="suspended")
    login(world.user("adopter", "21.72"))
    r = client.post(f"/deployments/{dep.id}/status",
                    data={"status": "retired", "note": "diganti", "expected": "suspended"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "tidak dapat dibatalkan" in html and 'name="confirmed" value="1"' in html
    assert "diganti" in html and deployments.get_deployment(dep.id).status == "suspended"
    r = client.post(f"/deployments/{dep.id}/status",
                    data={"status": "retired", "note": "diganti", "expected": "suspended", "confirmed": "1"})
    assert r.status_code == 302 and deployments.get_deployment(dep.id).status == "retired"


def test_a_retired_deployment_reports_no_lag(client, world, login):
    """Issue 15: nothing retired still reports a lag, though its row keeps the last one computed."""
    dep = world.deploy("21.72", "simanja", version="v1.0.0", status="suspended")
    login(world.user("adopter", "21.72"))
    assert 'class="lag-behind"' in client.get(f"/deployments/{dep.id}").get_data(as_text=True)
    client.post(f"/deployments/{dep.id}/status",
                data={"status": "retired", "expected": "suspended", "confirmed": "1"})
    assert deployments.get_deployment(dep.id).lag_releases  # stored, not shown
    assert 'class="lag-behind"' not in client.get(f"/deployments/{dep.id}").get_data(as_text=True)
    listing = client.get("/deployments?org=21.72").get_data(as_text=True)
    assert "Dihentikan" in listing and 'class="lag-behind"' not in listing


def test_a_stale_second_tab_moves_nothing(client, world, login):
    """Issue 15, item 6: a form opened before someone else changed the status does not act on it."""
    dep = world.deploy("21.72", "simanja", status="production")
    login(world.user("adopter", "21.72"))
    page = client.get(f"/deployments/{dep.id}").get_data(as_text=True)
    assert 'name="expected" value="production"' in page
    assert client.post(f"/deployments/{dep.id}/status", data={"status": "suspended", "expected": "production"}
                       ).status_code == 302  # the first tab suspends it
    stale = client.post(f"/deployments/{dep.id}/status",
                        data={"status": "retired", "expected": "production", "confirmed": "1"})
    assert stale.status_code == 409 and "sudah berubah menjadi" in stale.get_data(as_text=True)
    assert deployments.get_deployment(dep.id).status == "suspended"


def test_source_lists_only_the_regions_copies_of_the_chosen_app(client, world, login):
    """Issue 15, item 7: a copy of another app can never be the source, so it is not offered;
    the region's own copy of the chosen app comes preselected."""
    from catalog.services.repos import forks

    adopter = world.user("adopter", "21.72")
    simanja = forks.create_fork("simanja", actor=adopter)
    siap = forks.create_fork("siap", actor=adopter)
    login(adopter)
    html = client.get("/deployments?new_app=simanja").get_data(as_text=True)
    assert f'<option value="{simanja.id}" data-app="simanja" selected>' in html
    assert f'value="{siap.id}"' not in html
    everything = client.get("/deployments").get_data(as_text=True)  # no app chosen yet: both, tagged by app
    assert f'value="{simanja.id}" data-app="simanja"' in everything
    assert f'value="{siap.id}" data-app="siap"' in everything
    assert "js/deployment_form" in everything


def test_anonymous_sees_the_fact_but_not_the_note(client, world):
    dep = world.deploy("21.72", "simanja", note="Kata sandi ada di lemari", url="https://intra.example.go.id")
    html = client.get(f"/deployments/{dep.id}").get_data(as_text=True)
    assert "Simanja" in html and "Produksi" in html
    assert "lemari" not in html and "intra.example" not in html
    listing = client.get("/deployments?province=21").get_data(as_text=True)
    assert "Kota Tanjung Pinang" in listing and "Catat pemakaian" not in listing


def test_adopter_of_another_region_cannot_post(client, world, login):
    dep = world.deploy("21.72", "simanja")
    login(world.user("adopter", "14.71"))
    assert client.post("/deployments", data={**FORM, "org": "21.72"}).status_code == 403  # a crafted org field
    assert client.post(f"/deployments/{dep.id}/status", data={"status": "suspended"}).status_code == 403
    assert client.get(f"/deployments/{dep.id}/edit").status_code == 403


def test_edit_form_changes_version(client, world, login):
    dep = world.deploy("21.72", "simanja")
    login(world.user("adopter", "21.72"))
    form = {**FORM, "version": "v1.0.0"}
    form.pop("app"), form.pop("status")
    assert client.post(f"/deployments/{dep.id}/edit", data=form).status_code == 302
    html = client.get(f"/deployments/{dep.id}").get_data(as_text=True)
    assert "tertinggal" in html and "2 rilis" in html and "Versi diubah" in html


def test_publisher_confirms_from_the_page(client, world, login):
    dep = world.deploy("21.72", "simanja")
    login(world.user("publisher", "21"))
    assert "Konfirmasi pemakaian" in client.get(f"/deployments/{dep.id}").get_data(as_text=True)
    client.post(f"/deployments/{dep.id}/confirm", data={"note": "sudah dicek"})
    assert deployments.get_deployment(dep.id).confirmed_role == "publisher"


def test_my_region_lists_deployments_and_attention(client, world, login):
    world.deploy("21.72", "srikandi", version="v2.0.0")
    login(world.user("adopter", "21.72"))
    html = client.get("/my/region").get_data(as_text=True)
    assert "Aplikasi di Kota Tanjung Pinang" in html and "induk sudah merilis versi baru" in html
    assert "Aplikasi di daerah saya" in html  # in the menu


def test_attention_names_each_deployment_by_app_and_environment(client, world, login):
    world.deploy("21.72", "srikandi", version="v2.0.0", environment="production")
    world.deploy("21.72", "srikandi", version="v2.0.0", environment="staging")
    login(world.user("adopter", "21.72"))
    html = client.get("/my/region").get_data(as_text=True)
    attention = html.split('id="perhatian"', 1)[1].split("</section>", 1)[0]
    names = re.findall(r'<a href="/deployments/\d+">([^<]+)</a>', attention)
    assert "Srikandi · Produksi" in names and "Srikandi · Staging" in names


def test_pages_use_no_inline_script_or_style(client, world, login):
    dep = world.deploy("21.72", "simanja")
    login(world.user("adopter", "21.72"))
    for path in ("/deployments", f"/deployments/{dep.id}", f"/deployments/{dep.id}/edit", "/my/region"):
        html = client.get(path).get_data(as_text=True)
        inline = re.findall(r"<script(?![^>]*\bsrc=)", html)  # files from /static/ only (CSP script-src 'self')
        assert not inline and "style=" not in html and "<style" not in html, path
        assert "css/reports.css" in html or path.endswith("/edit")


def test_the_list_is_rendered_once_for_everyone_and_each_keeps_their_own_form(app, client, world, login, monkeypatch):
    from catalog.services.deployments import queries

    world.deploy("21.72", "simanja", status="pilot")
    calls: list[dict] = []
    real = queries.list_deployments
    monkeypatch.setattr(queries, "list_deployments", lambda **kw: calls.append(kw) or real(**kw))
    adopter = app.test_client()
    adopter.post("/login", data={"email": world.user("adopter", "21.72").email, "password": PASSWORD})
    mine = adopter.get("/deployments").get_data(as_text=True)
    visitor = client.get("/deployments").get_data(as_text=True)
    assert len(calls) == 1  # one query and one rendering of the table for both
    assert "Simanja" in mine and "Simanja" in visitor
    assert 'id="catat"' in mine and 'id="catat"' not in visitor  # the record form stays the adopter's own
    for _ in range(2):  # a refused filter still says so, and is never kept
        assert client.get("/deployments?status=entah").status_code == 400
    assert len(calls) == 3


def test_a_confirmation_reads_as_a_sentence_in_both_languages(client, world):
    dep = world.deploy("21.72", "simanja", status="production")
    deployments.confirm_deployment(dep.id, actor=world.user("publisher", "21"))
    indonesian = client.get(f"/deployments/{dep.id}").get_data(as_text=True)
    english = client.get(f"/deployments/{dep.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Dikonfirmasi penerbit" in indonesian
    assert "Confirmed by the publisher" in english and "Confirmed publisher" not in english
