"""The published catalog for everyone: one row per app, for JSON and CSV downloads."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import App, AppState, Deployment, Fork, Organization, Release
from ..oversight import csv_export

CSV_COLUMNS = (
    "slug", "name", "short_description_id", "short_description_en", "publisher_code", "publisher_name",
    "province", "category", "tags", "license", "development_status", "repo_url", "latest_release",
    "latest_release_date", "forks", "deployments",
)


@dataclass(frozen=True)
class CatalogRow:
    slug: str
    name: str
    short_description_id: str
    short_description_en: str
    publisher_code: str
    publisher_name: str
    province_code: str | None
    province_name: str | None
    category: str
    tags: tuple[str, ...]
    license: str
    development_status: str
    repo_url: str
    latest_release: str | None
    latest_release_date: datetime | None
    forks: int
    deployments: int


def _counts(column, *where) -> dict[int, int]:
    stmt = db.select(column, db.func.count()).where(*where).group_by(column)
    return dict(db.session.execute(stmt).tuples().all())


def _latest_releases() -> dict[int, Release]:
    """The newest release of each app, in one query (newest date, then newest row, wins)."""
    newest = (db.select(Release.app_id, db.func.max(Release.date).label("date"))
              .group_by(Release.app_id).subquery())
    stmt = (db.select(Release).join(newest, db.and_(Release.app_id == newest.c.app_id,
                                                    Release.date == newest.c.date))
            .order_by(Release.id))
    return {r.app_id: r for r in db.session.execute(stmt).scalars()}


def published_rows() -> list[CatalogRow]:
    """Every published app, ordered by name; counts and releases come from grouped queries."""
    province = aliased(Organization)
    stmt = (db.select(App, province).join(Organization, Organization.id == App.publisher_id)
            .outerjoin(province, province.id == Organization.parent_id)
            .where(App.state == AppState.PUBLISHED.value).order_by(App.name, App.slug))
    forks = _counts(Fork.app_id)
    deployments = _counts(Deployment.app_id, Deployment.status != "retired")
    releases = _latest_releases()
    rows = []
    for app, parent in db.session.execute(stmt).tuples():
        org = app.publisher
        prov = org if org.kind == "province" else parent if org.is_region else None
        release = releases.get(app.id)
        rows.append(CatalogRow(
            app.slug, app.name, app.short_description_id, app.short_description_en or "", org.code, org.name,
            prov.code if prov else None, prov.name if prov else None, app.category, tuple(app.tags), app.license,
            app.development_status, app.public_repo_url or "", release.name if release else None,
            release.date if release else None, forks.get(app.id, 0), deployments.get(app.id, 0)))
    return rows


def row_json(row: CatalogRow) -> dict[str, Any]:
    return {
        "slug": row.slug, "name": row.name,
        "short_description": {"id": row.short_description_id, "en": row.short_description_en or None},
        "publisher": {"code": row.publisher_code, "name": row.publisher_name},
        "province": {"code": row.province_code, "name": row.province_name} if row.province_code else None,
        "category": row.category, "tags": list(row.tags), "license": row.license,
        "development_status": row.development_status, "repo_url": row.repo_url or None,
        "latest_release": ({"name": row.latest_release,
                            "date": row.latest_release_date.isoformat() if row.latest_release_date else None}
                           if row.latest_release else None),
        "forks_count": row.forks, "deployments_count": row.deployments,
    }


def catalog_csv(rows: list[CatalogRow]) -> str:
    """UTF-8 with a header row; lists joined with '; ', formula-like text neutralised."""
    return csv_export.to_csv(CSV_COLUMNS, ([
        r.slug, r.name, r.short_description_id, r.short_description_en, r.publisher_code, r.publisher_name,
        r.province_name or "", r.category, "; ".join(r.tags), r.license, r.development_status, r.repo_url,
        r.latest_release or "", r.latest_release_date.date() if r.latest_release_date else "", r.forks,
        r.deployments] for r in rows))
