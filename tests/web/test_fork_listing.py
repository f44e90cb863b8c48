"""Regional copies on the app page: the first 50 in a light table, the rest on a paged list."""
from __future__ import annotations

import pytest

from catalog.extensions import db
from catalog.models import App, Fork, Organization
from catalog.services.catalog import apps
from catalog.services.repos import listing as fork_listing
from tests.factories import app_payload


@pytest.fixture
def many_forks(make_user):
    """A published app with 60 forks, written as rows (the listing never touches git)."""
    publisher, admin = make_user("publisher", "21"), make_user("admin", "komdigi")
    apps.create_app(app_payload(), actor=publisher)
    apps.submit_app("srikandi", actor=publisher)
    apps.publish_app("srikandi", actor=admin)
    app_id = db.session.execute(db.select(App.id).where(App.slug == "srikandi")).scalar_one()
    orgs = db.session.execute(db.select(Organization).where(Organization.kind == "regency")
                              .order_by(Organization.code).limit(60)).scalars().all()
    for i, org in enumerate(orgs):
        db.session.add(Fork(app_id=app_id, organization_id=org.id, name="srikandi", relpath=f"{org.slug}/srikandi.git",
                            default_branch="main", base_commit="0" * 40, ahead=i, behind=1, files_changed=2))
    db.session.commit()
    return app_id, [o.name for o in orgs]


def test_fork_page_reads_one_page_of_rows(many_forks):
    app_id, names = many_forks
    first = fork_listing.fork_page(app_id)
    assert first.total == 60 and first.pages == 2 and len(first.rows) == 50
    assert [r.organization_name for r in first.rows] == names[:50]
    last = fork_listing.fork_page(app_id, page=99)  # past the end: the last page
    assert last.page == 2 and [r.ahead for r in last.rows] == list(range(50, 60))
    assert fork_listing.fork_count(app_id) == 60


def test_app_page_shows_first_fifty_and_links_the_rest(many_forks, client):
    _app_id, names = many_forks
    html = client.get("/apps/srikandi").get_data(as_text=True)
    assert names[0] in html and names[49] in html and names[50] not in html
    assert 'href="/apps/srikandi/salinan"' in html
    html = client.get("/apps/srikandi/salinan?page=2").get_data(as_text=True)
    assert names[50] in html and names[59] in html and names[0] not in html
    assert "Halaman 2 dari 2" in html


def test_api_counts_forks_without_loading_them(many_forks, client):
    assert client.get("/api/v1/apps/srikandi").json["forks_count"] == 60


def test_api_fork_list_is_paged(many_forks, client):
    _app_id, names = many_forks
    first = client.get("/api/v1/apps/srikandi/forks?per_page=25").get_json()
    assert (first["total"], first["page"], first["per_page"], len(first["items"])) == (60, 1, 25, 25)
    last = client.get("/api/v1/apps/srikandi/forks?page=3&per_page=25").get_json()
    assert len(last["items"]) == 10 and last["items"][-1]["divergence"]["ahead"] == 59
    assert client.get("/api/v1/apps/srikandi/forks?per_page=1000").status_code == 422
