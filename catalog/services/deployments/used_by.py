"""Verifiable usedBy (issue 19): the organizations that run an app in production with evidence
beyond their own word, i.e. confirmed by the publisher or an auditor, or observed (a heartbeat
within 30 days). publiccode.yml's `usedBy` is filled from this and nothing else, so that every
name it carries can be checked: GET /api/v1/apps/<slug>/used-by shows the evidence per name."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_

from ...extensions import db
from ...models import Deployment, Organization
from ...models.types import utcnow
from ...vocab.deployments import DeploymentStatus
from . import heartbeat


@dataclass(frozen=True)
class Evidence:
    """One organization's verified production deployment of the app."""

    org_code: str
    org_name: str
    deployment_id: int
    confirmed_at: datetime | None
    confirmed_role: str | None
    last_seen_at: datetime | None
    observed_version: str | None
    observed: bool

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


def verified(app_id: int, *, fork_id: int | None = None, now: datetime | None = None) -> list[Evidence]:
    """Production deployments (status and environment) of the app (or of one fork of it) that are
    confirmed or observed, one per organization (its strongest), by organization name."""
    now = now or utcnow()
    seen = heartbeat.observed_clause(now)
    stmt = (db.select(Organization.code, Organization.name, Deployment.id, Deployment.confirmed_at,
                      Deployment.confirmed_role, Deployment.last_seen_at, Deployment.observed_version)
            .join(Organization, Organization.id == Deployment.organization_id)
            .where(Deployment.app_id == app_id, Deployment.status == DeploymentStatus.PRODUCTION.value,
                   Deployment.environment == "production", or_(Deployment.confirmed_at.is_not(None), seen))
            .order_by(func.lower(Organization.name), Organization.code, Deployment.id))
    if fork_id is not None:
        stmt = stmt.where(Deployment.fork_id == fork_id)
    since = heartbeat.observed_since(now)
    best: dict[str, Evidence] = {}
    for row in db.session.execute(stmt).all():
        item = Evidence(*row, observed=row.last_seen_at is not None and row.last_seen_at >= since)
        held = best.get(item.org_code)
        if held is None or (item.confirmed + item.observed) > (held.confirmed + held.observed):
            best[item.org_code] = item
    return list(best.values())


def names(app_id: int, *, fork_id: int | None = None) -> list[str]:
    """What publiccode.yml's usedBy lists: the verified organizations' names."""
    return [e.org_name for e in verified(app_id, fork_id=fork_id)]
