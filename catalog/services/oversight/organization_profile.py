"""What one organization publishes, uses and runs, for its public page and the API.

Everyone may read it, so each section is a handful of queries over that organization's own rows
(grouped counts, no query per row) and at most SECTION_LIMIT rows; a province adds one grouped
count per measure over its kab/kota. Only published entries and what hangs off public entries
(deployments, forks of apps that are not draft, submitted or returned) are shown, to everyone
alike, so that the page is the same whoever asks.

Privacy: people are named with their role only. Their e-mail addresses are not published here;
the maintenance contacts an app's publisher put in the entry (publiccode.yml `maintenance.contacts`)
are already public on the app page, and are shown as they are there.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import func
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import App, AppState, Deployment, Fork, Organization, OrgKind, Role, User
from ...paging import page_count
from ...vocab import deployments as dv
from ..accounts import organizations
from ..deployments import heartbeat
from ..deployments.queries import HIDDEN_APP_STATES

SECTION_LIMIT = 50
CONTACT_ROLES = (Role.PUBLISHER.value, Role.ADOPTER.value)
PUBLISHED = AppState.PUBLISHED.value
Publisher = aliased(Organization)
T = TypeVar("T")


@dataclass(frozen=True)
class Section(Generic[T]):
    """At most SECTION_LIMIT rows of a section, and how many there are in all."""

    items: list[T]
    total: int
    page: int = 1
    per_page: int = SECTION_LIMIT

    @property
    def more(self) -> bool:
        return self.total > len(self.items)

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)


@dataclass(frozen=True)
class PublishedApp:
    slug: str
    name: str
    category: str
    short_description_id: str
    short_description_en: str
    forks: int
    deployments: int  # not retired
    contacts: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class UsedApp:
    """One deployment of the organization. A retired one reports no lag."""

    id: int
    app_slug: str
    app_name: str
    publisher_code: str
    publisher_name: str
    status: str
    environment: str
    version: str
    fork_id: int | None
    lag_releases: int | None
    lag_commits: int | None
    lag_latest_release: str | None
    lag_computed_at: datetime | None
    # Evidence (issue 19): confirmed by the publisher or an auditor; observed = heartbeat in 30 days.
    confirmed: bool = False
    observed: bool = False
    last_seen_at: datetime | None = None

    @property
    def retired(self) -> bool:
        return self.status == dv.DeploymentStatus.RETIRED.value

    @property
    def strengths(self) -> list[str]:
        held = [s for s in ("observed", "confirmed") if getattr(self, s)]
        return held or ["declared"]


@dataclass(frozen=True)
class ForkDrift:
    """A fork and its stored divergence from upstream (never computed for the page)."""

    id: int
    name: str
    app_slug: str
    app_name: str
    ahead: int
    behind: int
    files_changed: int
    files_differing_from_upstream: int
    computed_at: datetime | None


@dataclass(frozen=True)
class Person:
    name: str
    role: str


@dataclass(frozen=True)
class RegionRollup:
    code: str
    name: str
    kind: str
    publishes: int
    deployments: int  # not retired
    forks: int
    observed: int = 0  # of those, a heartbeat within 30 days


@dataclass(frozen=True)
class OrganizationProfile:
    org: Organization
    publishes: Section[PublishedApp]
    uses: Section[UsedApp]
    forks: Section[ForkDrift]
    people: Section[Person]
    regions: list[RegionRollup]  # a province's kab/kota; empty for others

    @property
    def is_province(self) -> bool:
        return self.org.kind == OrgKind.PROVINCE.value

    @property
    def region_totals(self) -> RegionRollup | None:
        if not self.regions:
            return None
        return RegionRollup("", "", "", *(sum(getattr(r, k) for r in self.regions)
                                          for k in ("publishes", "deployments", "forks", "observed")))


def _count(stmt) -> int:
    return db.session.execute(db.select(func.count()).select_from(stmt.subquery())).scalar_one()


def _grouped(column, stmt) -> dict[int, int]:
    return dict(db.session.execute(stmt.with_only_columns(column, func.count()).group_by(column)).all())


def _published_apps(org_id: int) -> Section[PublishedApp]:
    base = db.select(App.id).where(App.publisher_id == org_id, App.state == PUBLISHED)
    total = _count(base)
    stmt = (db.select(App.id, App.slug, App.name, App.category, App.short_description_id,
                      App.short_description_en, App.maintenance_contacts)
            .where(App.publisher_id == org_id, App.state == PUBLISHED)
            .order_by(func.lower(App.name), App.id).limit(SECTION_LIMIT))
    rows = db.session.execute(stmt).all() if total else []
    ids = [r.id for r in rows]
    forks = _grouped(Fork.app_id, db.select(Fork.id).where(Fork.app_id.in_(ids))) if ids else {}
    active = (_grouped(Deployment.app_id, db.select(Deployment.id).where(
        Deployment.app_id.in_(ids), Deployment.status.in_(dv.ACTIVE_STATUSES))) if ids else {})
    items = [PublishedApp(r.slug, r.name, r.category, r.short_description_id, r.short_description_en or "",
                          forks.get(r.id, 0), active.get(r.id, 0),
                          [c for c in (r.maintenance_contacts or []) if isinstance(c, dict) and c.get("name")])
             for r in rows]
    return Section(items, total, 1, SECTION_LIMIT)


def _deployments(org_id: int) -> Section[UsedApp]:
    where = (Deployment.organization_id == org_id, App.state.not_in(HIDDEN_APP_STATES))
    total = _count(db.select(Deployment.id).join(App, App.id == Deployment.app_id).where(*where))
    retired = Deployment.status == dv.DeploymentStatus.RETIRED.value
    stmt = (db.select(Deployment.id, App.slug, App.name, Publisher.code, Publisher.name, Deployment.status,
                      Deployment.environment, Deployment.version, Deployment.fork_id, Deployment.lag_releases,
                      Deployment.lag_commits, Deployment.lag_latest_release, Deployment.lag_computed_at,
                      Deployment.confirmed_at, Deployment.last_seen_at)
            .join(App, App.id == Deployment.app_id).join(Publisher, Publisher.id == App.publisher_id)
            .where(*where).order_by(retired, func.lower(App.name), Deployment.environment, Deployment.id)
            .limit(SECTION_LIMIT))
    items = []
    since = heartbeat.observed_since()
    for row in (db.session.execute(stmt).all() if total else []):
        *fields, confirmed_at, last_seen_at = row
        evidence = (confirmed_at is not None, last_seen_at is not None and last_seen_at >= since, last_seen_at)
        if fields[5] == dv.DeploymentStatus.RETIRED.value:  # what no longer runs lags behind nothing
            fields = [*fields[:9], None, None, None, None]
        items.append(UsedApp(*fields, *evidence))
    return Section(items, total, 1, SECTION_LIMIT)


def _forks(org_id: int, page: int) -> Section[ForkDrift]:
    where = (Fork.organization_id == org_id, App.state.not_in(HIDDEN_APP_STATES))
    total = _count(db.select(Fork.id).join(App, App.id == Fork.app_id).where(*where))
    page = max(1, min(page, page_count(total, SECTION_LIMIT)))
    stmt = (db.select(Fork.id, Fork.name, App.slug, App.name, Fork.ahead, Fork.behind, Fork.files_changed,
                      Fork.files_differing_from_upstream, Fork.computed_at)
            .join(App, App.id == Fork.app_id).where(*where)
            .order_by(func.lower(App.name), Fork.id).limit(SECTION_LIMIT).offset((page - 1) * SECTION_LIMIT))
    items = [ForkDrift(*row) for row in db.session.execute(stmt).all()] if total else []
    return Section(items, total, page, SECTION_LIMIT)


def _people(org_id: int) -> Section[Person]:
    where = (User.organization_id == org_id, User.active.is_(True), User.role.in_(CONTACT_ROLES))
    total = _count(db.select(User.id).where(*where))
    stmt = (db.select(User.name, User.role).where(*where)
            .order_by(User.role.desc(), func.lower(User.name), User.id).limit(SECTION_LIMIT))
    return Section([Person(*row) for row in db.session.execute(stmt).all()] if total else [], total, 1, SECTION_LIMIT)


def _rollup(province_id: int) -> list[RegionRollup]:
    """Per kab/kota of the province: three grouped counts over its children, not one per child."""
    children = list(db.session.execute(
        db.select(Organization.id, Organization.code, Organization.name, Organization.kind)
        .where(Organization.parent_id == province_id).order_by(Organization.code)).all())
    if not children:
        return []
    ids = [c.id for c in children]
    publishes = _grouped(App.publisher_id, db.select(App.id).where(App.publisher_id.in_(ids), App.state == PUBLISHED))
    deployments = _grouped(Deployment.organization_id, db.select(Deployment.id).join(App, App.id == Deployment.app_id)
                           .where(Deployment.organization_id.in_(ids), Deployment.status.in_(dv.ACTIVE_STATUSES),
                                  App.state.not_in(HIDDEN_APP_STATES)))
    observed = _grouped(Deployment.organization_id, db.select(Deployment.id).join(App, App.id == Deployment.app_id)
                        .where(Deployment.organization_id.in_(ids), Deployment.status.in_(dv.ACTIVE_STATUSES),
                               App.state.not_in(HIDDEN_APP_STATES), heartbeat.observed_clause()))
    forks = _grouped(Fork.organization_id, db.select(Fork.id).join(App, App.id == Fork.app_id)
                     .where(Fork.organization_id.in_(ids), App.state.not_in(HIDDEN_APP_STATES)))
    return [RegionRollup(c.code, c.name, c.kind, publishes.get(c.id, 0), deployments.get(c.id, 0),
                         forks.get(c.id, 0), observed.get(c.id, 0)) for c in children]


def organization_profile(code: str, *, forks_page: int = 1) -> OrganizationProfile:
    """The public profile of the organization with this Kemendagri or agency code; `forks_page`
    pages its forks, SECTION_LIMIT at a time. Raises NotFound."""
    org = organizations.get_by_code(str(code).strip()[:32])
    return OrganizationProfile(
        org, _published_apps(org.id), _deployments(org.id), _forks(org.id, forks_page), _people(org.id),
        _rollup(org.id) if org.kind == OrgKind.PROVINCE.value else [])
