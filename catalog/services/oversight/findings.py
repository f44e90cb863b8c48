"""Auditor findings: fork drift, deployments behind upstream, candidate duplicates (the SPBE
evidence of one organization is `evidence`)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, distinct, func, or_
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import App, AppState, Deployment, Fork, Organization
from ...vocab.related_categories import GROUPS
from ..deployments.rows import LaggingRow, Region, read_rows, select_rows
from .reports import Scope

Publisher = aliased(Organization)


def count_rows(stmt) -> int:
    """How many rows `stmt` (a select) gives, without loading them."""
    return db.session.execute(db.select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()


def fork_drift_query(scope: Scope):
    """Forks in scope with their stored divergence, most modified first (no git here), as the
    report's columns: organization, app, copy, ahead, behind, files changed, insertions,
    deletions, files differing from upstream, when computed."""
    return (db.select(Region.name, App.name, Fork.name, Fork.ahead, Fork.behind, Fork.files_changed,
                      Fork.insertions, Fork.deletions, Fork.files_differing_from_upstream, Fork.computed_at)
            .join(Region, Region.id == Fork.organization_id).join(App, App.id == Fork.app_id).where(scope.where())
            .order_by(Fork.files_changed.desc(), Fork.ahead.desc(), Region.code, Fork.id))


def fork_drift(scope: Scope, limit: int | None = None) -> list[tuple]:
    return [tuple(row) for row in db.session.execute(fork_drift_query(scope).limit(limit))]


def lagging_query(scope: Scope):
    """Deployments still in use whose stored lag says upstream has newer releases or commits."""
    return (select_rows(LaggingRow, lambda stmt: stmt.join(Region, Region.id == Deployment.organization_id))
            .where(scope.where(), scope.deployments(), Deployment.status != "retired",
                   or_(Deployment.lag_releases > 0, Deployment.lag_commits > 0))
            .order_by(func.coalesce(Deployment.lag_releases, 0).desc(),
                      func.coalesce(Deployment.lag_commits, 0).desc(), Region.code))


def lagging_deployments(scope: Scope, limit: int | None = None) -> list[LaggingRow]:
    return read_rows(LaggingRow, lagging_query(scope).limit(limit))


@dataclass(frozen=True)
class DuplicateCandidate:
    app: App
    active_deployments: int


def category_family(column):
    """SQL: the category's group of related categories (named by its first key), or the category
    itself: SIMPEG (hr) and Simanja (employee-management) fall in one family."""
    return case(*[(column.in_(sorted(g)), min(g)) for g in GROUPS], else_=column)


def duplicates_query(scope: Scope):
    """Published apps in a family of related categories that two or more publishers fill, related
    apps next to each other. In a province's scope, only families where a publisher of that
    province takes part."""
    published = App.state == AppState.PUBLISHED.value
    family = category_family(App.category)
    families = (db.select(family).where(published).group_by(family)
                .having(func.count(distinct(App.publisher_id)) > 1))
    if scope.province is not None:
        local = (db.select(family).join(Publisher, Publisher.id == App.publisher_id)
                 .where(published, scope.where(Publisher)))
        families = families.where(family.in_(local))
    return (db.select(App).where(published, family.in_(families))
            .order_by(family, App.category, func.lower(App.name)))


def duplicate_candidates(scope: Scope, limit: int | None = None) -> list[DuplicateCandidate]:
    apps = list(db.session.execute(duplicates_query(scope).limit(limit)).scalars())
    counts = dict(db.session.execute(
        db.select(Deployment.app_id, func.count()).where(Deployment.app_id.in_([a.id for a in apps]),
                                                         Deployment.status != "retired")
        .group_by(Deployment.app_id)).all())
    return [DuplicateCandidate(a, counts.get(a.id, 0)) for a in apps]
