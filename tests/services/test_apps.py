"""The publishing flow and permission rules, through the services."""
from __future__ import annotations

import pytest

from catalog.services import audit
from catalog.services.catalog import apps
from catalog.services.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tests.factories import app_payload


def test_publisher_creates_draft_for_own_organization(make_user):
    publisher = make_user("publisher", "21")
    app = apps.create_app(app_payload(), actor=publisher)
    assert app.state == "draft"
    assert app.slug == "srikandi"
    assert app.publisher.code == "21"
    assert app.platforms == ["web"]


def test_draft_hidden_from_others(make_user):
    publisher = make_user("publisher", "21")
    apps.create_app(app_payload(), actor=publisher)
    with pytest.raises(NotFound):
        apps.get_app("srikandi", make_user("adopter", "21.72"))
    with pytest.raises(NotFound):
        apps.get_app("srikandi", None)


def test_adopter_and_auditor_cannot_create(make_user):
    for role in ("adopter", "auditor"):
        with pytest.raises(PermissionDenied):
            apps.create_app(app_payload(), actor=make_user(role, "21.72"))


def test_publisher_cannot_create_for_another_org(make_user):
    with pytest.raises(PermissionDenied):
        apps.create_app(app_payload(), actor=make_user("publisher", "21"), org_code="14")


def test_validation_names_every_bad_field(make_user):
    bad = app_payload(name="", license="GPL-9", category="bogus", repo_url="ext::sh -c id",
                      platforms=["web", "amiga"], tags=["Bad Tag!"], short_description_id="")
    with pytest.raises(ValidationFailed) as exc:
        apps.create_app(bad, actor=make_user("publisher", "21"))
    assert ({"name", "license", "category", "repo_url", "platforms", "tags", "short_description_id"}
            <= set(exc.value.fields))


@pytest.mark.parametrize("url", ["http://git.example.go.id/a.git", "file:///etc", "ext::sh -c id",
                                 "--upload-pack=touch /tmp/x", "https://user:secret@git.example.go.id/a.git",
                                 "https://git.example.go.id/a.git\nfoo", "/srv/repos/a.git"])
def test_repo_url_forms_refused_for_publishers(make_user, url):
    with pytest.raises(ValidationFailed) as exc:
        apps.create_app(app_payload(repo_url=url), actor=make_user("publisher", "21"))
    assert "repo_url" in exc.value.fields
    assert "secret" not in exc.value.fields["repo_url"]


def test_maintenance_rules(make_user):
    publisher = make_user("publisher", "21")
    with pytest.raises(ValidationFailed) as exc:
        apps.create_app(app_payload(maintenance_type="contract", maintenance_contacts=[]), actor=publisher)
    assert "contractor_name" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        apps.create_app(app_payload(maintenance_contacts=[]), actor=publisher)
    assert "maintenance_contacts" in exc.value.fields


def test_spdx_expression_normalised(make_user):
    app = apps.create_app(app_payload(license="gpl-3.0-or-later or mit"), actor=make_user("publisher", "21"))
    assert app.license == "GPL-3.0-or-later OR MIT"


def test_duplicate_slug_conflicts(make_user):
    publisher = make_user("publisher", "21")
    apps.create_app(app_payload(), actor=publisher)
    with pytest.raises(Conflict):
        apps.create_app(app_payload(), actor=publisher)


def test_full_publishing_flow(make_user):
    publisher, admin = make_user("publisher", "21"), make_user("admin", "komdigi")
    apps.create_app(app_payload(), actor=publisher)
    assert apps.submit_app("srikandi", actor=publisher).state == "submitted"
    assert [a.slug for a in apps.review_queue(actor=admin).items] == ["srikandi"]
    returned = apps.return_app("srikandi", actor=admin, note="Lengkapi dokumentasi.")
    assert returned.state == "returned" and returned.review_note == "Lengkapi dokumentasi."
    apps.update_app("srikandi", {"documentation_url": "https://docs.example.go.id/srikandi"}, actor=publisher)
    apps.submit_app("srikandi", actor=publisher)
    published = apps.publish_app("srikandi", actor=admin)
    assert published.state == "published" and published.published_at is not None
    assert apps.get_app("srikandi", None).name == "Srikandi"
    actions = [e.action for e in audit.list_events() if e.action.startswith("app.")]
    assert actions[-6:] == ["app.create", "app.submit", "app.return", "app.update", "app.submit", "app.publish"]
    assert audit.verify().ok


def test_only_admin_publishes(make_user):
    publisher = make_user("publisher", "21")
    apps.create_app(app_payload(), actor=publisher)
    apps.submit_app("srikandi", actor=publisher)
    with pytest.raises(PermissionDenied):
        apps.publish_app("srikandi", actor=publisher)
    with pytest.raises(NotFound):  # a submitted entry is not even visible outside its publisher
        apps.publish_app("srikandi", actor=make_user("auditor", "kemenpanrb"))


def test_publish_requires_submitted_state(make_user):
    publisher, admin = make_user("publisher", "21"), make_user("admin", "komdigi")
    apps.create_app(app_payload(), actor=publisher)
    with pytest.raises(Conflict):
        apps.publish_app("srikandi", actor=admin)


def test_return_requires_note(make_user):
    publisher, admin = make_user("publisher", "21"), make_user("admin", "komdigi")
    apps.create_app(app_payload(), actor=publisher)
    apps.submit_app("srikandi", actor=publisher)
    with pytest.raises(ValidationFailed):
        apps.return_app("srikandi", actor=admin, note="  ")


def test_publisher_of_other_province_cannot_edit(make_user):
    owner, other = make_user("publisher", "21"), make_user("publisher", "14")
    apps.create_app(app_payload(), actor=owner)
    apps.submit_app("srikandi", actor=owner)
    apps.publish_app("srikandi", actor=make_user("admin", "komdigi"))
    with pytest.raises(PermissionDenied):
        apps.update_app("srikandi", {"name": "Diambil alih"}, actor=other)
    assert apps.get_app("srikandi").name == "Srikandi"


def test_failed_update_changes_nothing(make_user):
    publisher = make_user("publisher", "21")
    apps.create_app(app_payload(), actor=publisher)
    with pytest.raises(ValidationFailed):
        apps.update_app("srikandi", {"name": "Baru", "license": "nonsense"}, actor=publisher)
    assert apps.get_app("srikandi", publisher).name == "Srikandi"


def test_review_queue_comes_a_page_at_a_time_longest_waiting_first(make_user, monkeypatch):
    publisher, admin = make_user("publisher", "21"), make_user("admin", "komdigi")
    monkeypatch.setattr(apps, "REVIEW_PER_PAGE", 2)
    for name in ("Srikandi", "Simanja", "Siap"):
        apps.create_app(app_payload(name=name), actor=publisher)
        apps.submit_app(name.lower(), actor=publisher)
    first, second = apps.review_queue(actor=admin), apps.review_queue(actor=admin, page=2)
    assert [a.slug for a in first.items] == ["srikandi", "simanja"] and first.total == 3 and first.pages == 2
    assert [a.slug for a in second.items] == ["siap"]
    assert [a.slug for a in apps.review_queue(actor=admin, page=99).items] == ["siap"]  # past the end: the last page
