"""Pages past the search index's window: the name order from SQL, kept until the catalog changes."""
from __future__ import annotations

from catalog.services.catalog import apps, browse
from tests.factories import app_payload


def _publish(name, publisher, admin):
    slug = name.lower()
    apps.create_app(app_payload(name=name, slug=slug), actor=publisher)
    apps.submit_app(slug, actor=publisher)
    apps.publish_app(slug, actor=admin)


def test_deep_pages_follow_the_name_order_and_see_changes(app, make_user, monkeypatch):
    publisher, admin = make_user("publisher", "21"), make_user("admin", "komdigi")
    for name in ("Cendana", "Anggrek", "Melati"):
        _publish(name, publisher, admin)
    monkeypatch.setattr(browse, "MAX_INDEX_WINDOW", 0)  # every page from SQL
    names = [browse.browse("", {}, page=p, per_page=1).apps[0].name for p in (1, 2, 3)]
    assert names == ["Anggrek", "Cendana", "Melati"]
    assert browse.browse("", {}, page=2, per_page=1).total == 3
    _publish("Bougenvil", publisher, admin)  # a new audit event: the kept order is recomputed
    result = browse.browse("", {}, page=2, per_page=1)
    assert result.apps[0].name == "Bougenvil" and result.total == 4
    apps.archive_app("anggrek", actor=publisher)
    assert [a.name for a in browse.browse("", {}, page=1, per_page=10).apps] == ["Bougenvil", "Cendana", "Melati"]
