"""Names of the objects a page of audit events is about ('deployment:9' → 'Simanja · Kota Tanjung
Pinang'), one query per kind of object on the page; an object since deleted keeps no name."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import App, AuditEvent, Deployment, Fork, Organization, User

ObjectKey = tuple[str, str]


def _ids(events: Iterable[AuditEvent], kind: str) -> set[int]:
    return {int(e.object_id) for e in events if e.object_type == kind and str(e.object_id).isdigit()}


def object_names(events: list[AuditEvent]) -> dict[ObjectKey, str]:
    """(object_type, object_id) → a readable name, for apps, forks, deployments and users."""
    names: dict[ObjectKey, str] = {}
    slugs = {e.object_id for e in events if e.object_type == "app"}
    if slugs:
        for slug, name in db.session.execute(db.select(App.slug, App.name).where(App.slug.in_(slugs))):
            names["app", slug] = name
    org = aliased(Organization)
    for kind, model in (("fork", Fork), ("deployment", Deployment)):
        ids = _ids(events, kind)
        if ids:
            stmt = (db.select(model.id, App.name, org.name).join(App, App.id == model.app_id)
                    .join(org, org.id == model.organization_id).where(model.id.in_(ids)))
            for row_id, app_name, org_name in db.session.execute(stmt):
                names[kind, str(row_id)] = f"{app_name} · {org_name}"
    ids = _ids(events, "user")
    if ids:
        for row_id, name in db.session.execute(db.select(User.id, User.name).where(User.id.in_(ids))):
            names["user", str(row_id)] = name
    return names
