"""Every main page renders in both languages, with no Indonesian interface text left on English pages;
the guided adoption page and the progress endpoint."""
from __future__ import annotations

import html as html_lib
import re

import pytest
from babel.messages.pofile import read_po

from catalog.services.deployments import lifecycle as deployments
from catalog.services.repos import forks
from tests.i18n.test_catalog import PO
from tests.repos.conftest import published_app, source_repo  # noqa: F401  (fixtures)

TAGS = re.compile(r"<[^>]+>")


def _indonesian_texts() -> list[str]:
    """Interface sentences whose English differs; short words (names, codes) could appear in data."""
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    return [m.id for m in catalog if m.id and m.string and m.string != m.id and len(m.id) >= 18
            and "%(" not in m.id]


@pytest.fixture
def world(published_app, make_user, login, client):  # noqa: F811
    adopter = make_user("adopter", "21.72")
    fork = forks.create_fork("simanja", actor=adopter)
    dep = deployments.create_deployment({"environment": "production", "status": "pilot", "version": "v1.1.0",
                                         "hosting": "pdn"}, actor=adopter, app_slug="simanja")
    return {"adopter": adopter, "auditor": make_user("auditor", "21"), "fork": fork, "dep": dep}


def _pages(world) -> dict[str, list[str]]:
    fork, dep = world["fork"], world["dep"]
    common = ["/", "/apps", "/apps?q=kinerja", "/apps/simanja", "/apps/simanja/adopsi", f"/forks/{fork.id}",
              "/deployments", f"/deployments/{dep.id}", "/login", "/halaman-tidak-ada"]
    return {"adopter": common + ["/my/region", "/account/tokens", "/notifications"],
            "auditor": ["/reports", "/reports?province=21", "/reports/audit", "/reports/evidence/21.72"]}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_main_pages_render_in_both_languages(world, app, lang):
    leftovers = _indonesian_texts()
    for role, paths in _pages(world).items():
        client = app.test_client()
        if role:
            client.post("/login", data={"email": world[role].email, "password": "kata-sandi-uji-123"})
        client.post("/language", data={"lang": lang})
        for path in paths:
            r = client.get(path)
            assert r.status_code in (200, 404), (path, r.status_code)
            page = r.get_data(as_text=True)
            assert f'<html lang="{lang}">' in page, path
            if lang == "en":
                text = html_lib.unescape(TAGS.sub(" ", page.split("<body>", 1)[1]))
                text = " ".join(text.split())
                found = [t for t in leftovers if t in text]
                assert not found, f"{path} still shows Indonesian: {found[:5]}"


def test_adoption_guide_walks_through_six_steps(world, client, login):
    login(world["adopter"])
    html = client.get("/apps/simanja/adopsi").get_data(as_text=True)
    for step in range(1, 7):
        assert f'id="langkah-{step}"' in html
    assert "Copyleft" in html and "sertakan kode sumbernya" in html  # GPL explained in plain words
    assert "/git/21-72/simanja.git" in html or "/git/" in html  # the region's own copy to clone
    assert "Daerah Anda sudah punya salinan" in html
    assert "new_app=simanja" in html  # record the deployment, the form prefilled
    assert "Uji coba (pilot)" in html  # who already runs it, with what status


def test_adoption_guide_for_a_visitor_says_what_to_do_next(published_app, client):  # noqa: F811
    html = client.get("/apps/simanja/adopsi").get_data(as_text=True)
    assert "Masuk sebagai adopter" in html and "Belum ada daerah yang mencatat pemakaian" in html
    assert client.get("/apps/tidak-ada/adopsi").status_code == 404


def test_mirror_progress_as_json(published_app, client):  # noqa: F811
    r = client.get("/apps/simanja/mirror.json")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert r.json["state"] == "ready" and r.json["progress"] == 100 and r.json["done"] is True


def test_progress_refreshes_without_script_and_polls_with_it(published_app, client):  # noqa: F811
    from catalog.extensions import db
    from catalog.models import Mirror
    mirror = db.session.execute(db.select(Mirror)).scalar_one()
    mirror.state, mirror.progress = "fetching", 40
    db.session.commit()
    html = client.get("/apps/simanja").get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in html
    assert "js/progress.js" in html and 'data-progress-url="/apps/simanja/mirror.json"' in html
    assert client.get("/apps/simanja/mirror.json").json == {
        "state": "fetching", "progress": 40, "text": "", "error": "", "done": False, "head": mirror.head,
        "fetched_at": mirror.fetched_at.isoformat()}
