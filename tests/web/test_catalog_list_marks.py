"""The catalog list, search and home are kept under the search index's position (what they show
changes only when the index does): a deployment or another write elsewhere leaves them kept, an
entry's change shows on the next request once the index has it."""
from __future__ import annotations

import pytest

from catalog.services.catalog import apps, browse
from tests.deployment_world import source_repos, world, world_app, world_template  # noqa: F401

PAGES = ("/", "/apps", "/apps?q=simanja", "/apps?category=employee-management&sort=vitality")


@pytest.fixture
def app(world_app):
    return world_app


@pytest.fixture
def searches(monkeypatch):
    """How often the catalog's search ran."""
    calls: list[str] = []
    real = browse.browse

    def counted(q="", *args, **kwargs):
        calls.append(q)
        return real(q, *args, **kwargs)

    monkeypatch.setattr(browse, "browse", counted)
    return calls


def test_list_search_and_home_are_kept_across_writes_the_index_does_not_see(app, client, login, world, searches):
    login(world.user("adopter", "21.72"))
    first = {page: client.get(page).get_data(as_text=True) for page in PAGES}
    assert "Simanja" in first["/apps?q=simanja"] and "SIMPEG" in first["/"]
    assert len(searches) == len(PAGES)
    world.deploy("21.72", "simanja", status="pilot")  # moves the data version; the staleness window is 0 in tests
    world.deploy("14.71", "srikandi")
    again = {page: client.get(page).get_data(as_text=True) for page in PAGES}
    assert len(searches) == len(PAGES)  # nothing rendered again
    assert all("Simanja" in again[page] for page in PAGES)


def test_an_entrys_change_shows_on_the_next_request(app, client, login, world, searches):
    login(world.user("adopter", "21.72"))
    assert "Simanja Baru" not in client.get("/apps?q=simanja").get_data(as_text=True)
    assert "Simanja Baru" not in client.get("/").get_data(as_text=True)
    apps.update_app("simanja", {"name": "Simanja Baru"}, actor=world.user("publisher", "21"))
    assert "Simanja Baru" in client.get("/apps?q=simanja").get_data(as_text=True)
    assert "Simanja Baru" in client.get("/").get_data(as_text=True)
    apps.archive_app("simanja", actor=world.admin)
    assert "Simanja Baru" not in client.get("/apps").get_data(as_text=True)
