"""The app page says where the app runs (by region and status), its fork table links each
organization's page, and the home page links every category that has an app (issue 15)."""
from __future__ import annotations

import re
from html import unescape

import pytest

from catalog.services.catalog import apps
from catalog.services.repos import forks
from tests.deployment_world import source_repos, world, world_app, world_template  # noqa: F401
from tests.factories import app_payload


@pytest.fixture
def app(world_app):
    return world_app


def _section(html: str, start: str, end: str = "</section>") -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def test_app_page_lists_deployments_by_region_and_status(client, world):
    world.deploy("21.72", "simanja", status="production")
    world.deploy("21.01", "simanja", status="pilot")
    world.deploy("14.71", "simanja", status="production")
    html = client.get("/apps/simanja").get_data(as_text=True)
    where = _section(html, 'id="h-dipakai"')
    text = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", where)))
    assert "3 pemakaian tercatat" in text and "Produksi 2" in text and "Uji coba (pilot) 1" in text, text
    rows = re.findall(r"<tr><td>(.*?)</tr>", where, flags=re.S)
    provinces = [unescape(re.sub(r"<[^>]+>", "", r.split("</td>")[0])).strip() for r in rows]
    # a region's rows sit together
    assert provinces == ["Provinsi Kepulauan Riau", "Provinsi Kepulauan Riau", "Provinsi Riau"]
    assert 'href="/organizations/21.72"' in where and 'href="/organizations/21"' in where
    assert re.search(r'href="/deployments/\d+"', where)

    english = client.get("/apps/simanja", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "3 deployments recorded:" in unescape(re.sub(r"<[^>]+>", " ", english))

    untouched = client.get("/apps/srikandi").get_data(as_text=True)
    assert "Belum ada daerah yang mencatat pemakaian aplikasi ini." in untouched


def test_fork_table_links_the_organization_and_the_copy(client, world):
    fork = forks.create_fork("simanja", actor=world.user("adopter", "21.72"))
    html = client.get("/apps/simanja").get_data(as_text=True)
    row = re.search(r'<tr><td><a href="/organizations/21.72">Kota Tanjung Pinang</a></td>\s*<td>(.*?)</td>', html)
    assert row and f'href="/forks/{fork.id}"' in row.group(1), html[-4000:]


def test_home_page_links_every_category_with_an_app(client, world):
    categories = ["cad", "hr", "crm", "survey", "it-asset-management", "video-conferencing", "payroll",
                  "procurement", "translation", "e-signature"]
    publisher, admin = world.user("publisher", "21"), world.admin
    for i, category in enumerate(categories):
        slug = f"kategori-{i}"
        apps.create_app(app_payload(name=f"Aplikasi {i}", slug=slug, category=category,
                                    repo_url=f"https://git.example.go.id/{slug}.git"), actor=publisher)
        apps.submit_app(slug, actor=publisher)
        apps.publish_app(slug, actor=admin)
    html = client.get("/").get_data(as_text=True)
    chips = re.search(r'<ul class="chips">(.*?)</ul>', html, re.S).group(1)
    linked = set(re.findall(r'href="/apps\?category=([^"]+)"', chips))
    assert set(categories) <= linked and len(linked) > 8, linked


def test_where_used_is_kept_across_other_apps_writes_and_redrawn_at_once_for_its_own(
        app, client, login, world, monkeypatch):
    """The app page's deployment table names its own change stamps (web/fragments.py, own_version):
    a write to another app does not redraw it, even past the staleness window; a change to one of
    its own deployments shows on the next request."""
    from catalog.services.deployments import lifecycle, queries
    from catalog.web import fragments

    renders: list[int] = []
    real = queries.app_deployments
    monkeypatch.setattr(queries, "app_deployments",
                        lambda app_id, *a, **k: renders.append(app_id) or real(app_id, *a, **k))
    adopter = world.user("adopter", "21.72")
    dep = world.deploy("21.72", "simanja", status="pilot")
    login(adopter)

    def where() -> str:
        html = client.get("/apps/simanja").get_data(as_text=True)
        return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _section(html, 'id="h-dipakai"'))))

    assert "Uji coba (pilot) 1" in where()
    world.deploy("14.71", "srikandi")  # another app's write moves the catalog's data version
    later = fragments.monotonic() + 60 * 0.9  # past the 5 s staleness window, within the max age
    monkeypatch.setattr(fragments, "monotonic", lambda: later)
    assert "Uji coba (pilot) 1" in where()
    assert len(renders) == 1
    lifecycle.change_status(dep.id, "production", actor=adopter)
    assert "Produksi 1" in where()
    assert len(renders) == 2


def test_adoption_guide_step_2_shows_a_confirmation_at_once(app, client, login, world):
    """Steps 1–3 are kept until the entry, its copies or its deployments change; a confirmation
    changes no status, so the deployments' mark names when they were last confirmed too."""
    from catalog.services.deployments import lifecycle

    dep = world.deploy("21.72", "simanja", status="production")
    login(world.user("adopter", "14.71"))

    def step_2() -> str:
        html = client.get("/apps/simanja/adopsi").get_data(as_text=True)
        return _section(html, 'id="h-langkah-2"')

    assert "Kota Tanjung Pinang" in step_2() and "Dikonfirmasi" not in step_2()
    lifecycle.confirm_deployment(dep.id, actor=world.user("publisher", "21"))
    assert "Dikonfirmasi" in step_2()
