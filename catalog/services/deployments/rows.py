"""A deployment read as columns of one joined query, the one shape every table of deployments
uses (the deployment pages here, the reports and the evidence in `oversight`), rather than a
`Deployment` that brings its app, copy and confirming user along (three more queries and their
JSON columns). Each view is a subclass that adds only the columns it shows, and `select_rows`
selects a shape's columns in its fields' order, so a row builds it positionally."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy import Select
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import App, Deployment, Fork, Organization, User

Region = aliased(Organization)  # the deploying organization
Province = aliased(Organization)  # its province, when it is a kab/kota
Publisher = aliased(Organization)  # the app's publisher
Confirmer, ConfirmerOrg = aliased(User), aliased(Organization)  # who confirmed, and their organization


@dataclass(frozen=True)
class DeploymentFacts:
    """What every deployment table shows, with what the evidence (heartbeat.strengths,
    heartbeat.evidence_text) and the confirmation text read. Not the id or the environment:
    the lagging table shows neither, and two more fields per row cost its national CSV 6 % CPU."""

    app_name: str
    status: str
    version: str
    confirmed_role: str | None
    confirmed_at: datetime | None
    confirmer_org_name: str | None  # the organization of whoever confirmed, None when nobody did
    last_seen_at: datetime | None
    observed_version: str | None

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


@dataclass(frozen=True)
class DeploymentRow(DeploymentFacts):
    """One line of the deployments tables (/deployments, the app page, "Aplikasi di daerah saya")
    with what the attention list and the evidence badges read (heartbeat.is_stale, flags)."""

    id: int
    environment: str
    app_id: int
    organization_id: int
    org_name: str
    org_code: str
    province_name: str | None  # None: the organization is itself a province or an agency
    province_code: str | None
    version_commit: str | None  # heartbeat.version_mismatch reads it (a reported abbreviated id)
    fork_name: str | None
    lag_releases: int | None
    lag_commits: int | None
    lag_latest_release: str | None
    lag_computed_at: datetime | None
    status_changed_at: datetime
    heartbeat_token_hash: bool  # only whether a heartbeat token is set, never its digest
    heartbeat_token_issued_at: datetime | None


@dataclass(frozen=True)
class EvidenceLine(DeploymentFacts):
    """One deployment as an organization's SPBE evidence shows it."""

    id: int
    environment: str
    publisher_name: str
    fork_name: str | None  # None: upstream as is
    status_changed_at: datetime
    go_live_on: date | None
    hosting: str
    opd_units: list
    lag_releases: int | None
    lag_commits: int | None


@dataclass(frozen=True)
class RegionDeployment(DeploymentFacts):
    """One deployment of the per-region report table and the reuse API."""

    id: int
    environment: str
    organization_id: int
    app_slug: str


@dataclass(frozen=True)
class LaggingRow(DeploymentFacts):
    """A deployment behind upstream as the report shows it."""

    org_code: str
    org_name: str
    app_slug: str
    lag_latest_release: str | None
    lag_releases: int | None
    lag_commits: int | None
    lag_computed_at: datetime | None
    observed_lag_releases: int | None


# Every field of the shapes above and where it is read from.
COLUMNS = {
    "id": Deployment.id, "app_id": Deployment.app_id, "organization_id": Deployment.organization_id,
    "app_name": App.name, "app_slug": App.slug, "publisher_name": Publisher.name,
    "org_name": Region.name, "org_code": Region.code, "province_name": Province.name, "province_code": Province.code,
    "environment": Deployment.environment, "status": Deployment.status, "version": Deployment.version,
    "version_commit": Deployment.version_commit, "fork_name": Fork.name,
    "status_changed_at": Deployment.status_changed_at, "go_live_on": Deployment.go_live_on,
    "hosting": Deployment.hosting, "opd_units": Deployment.opd_units,
    "confirmed_role": Deployment.confirmed_role, "confirmed_at": Deployment.confirmed_at,
    "confirmer_org_name": ConfirmerOrg.name,
    "lag_latest_release": Deployment.lag_latest_release, "lag_releases": Deployment.lag_releases,
    "lag_commits": Deployment.lag_commits, "lag_computed_at": Deployment.lag_computed_at,
    "last_seen_at": Deployment.last_seen_at, "observed_version": Deployment.observed_version,
    "observed_lag_releases": Deployment.observed_lag_releases,
    "heartbeat_token_hash": Deployment.heartbeat_token_hash.is_not(None),
    "heartbeat_token_issued_at": Deployment.heartbeat_token_issued_at,
}


def select_rows(shape: type[DeploymentFacts], joined: Callable[[Select], Select] = lambda stmt: stmt) -> Select:
    """The columns of `shape` in its fields' order, from the deployment joined to its app, then
    to what `joined` adds (the organization, its province, the copy, the publisher: whichever
    of `Region`, `Province`, `Fork`, `Publisher` the shape reads), then to the confirming user's
    organization (if any)."""
    stmt = (db.select(*(COLUMNS[f.name] for f in fields(shape))).select_from(Deployment)
            .join(App, App.id == Deployment.app_id))
    return (joined(stmt).outerjoin(Confirmer, Confirmer.id == Deployment.confirmed_by_id)
            .outerjoin(ConfirmerOrg, ConfirmerOrg.id == Confirmer.organization_id))


def read_rows(shape: type[DeploymentFacts], stmt: Select, params: dict | None = None) -> list:
    """The rows of a `select_rows(shape)` statement as `shape`s."""
    return [shape(*row) for row in db.session.execute(stmt, params)]
