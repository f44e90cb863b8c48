"""Reuse reports for auditors: scope, reuse per app and per kab/kota, adoption over time."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, case, distinct, func, or_

from ...extensions import db
from ...models import App, AppState, Deployment, Fork, Organization, OrgKind, User
from ...models.types import utcnow
from ...vocab import deployments as dv
from ..accounts import organizations
from ..deployments import heartbeat
from ..deployments.rows import Region, RegionDeployment, read_rows, select_rows
from ..errors import NotFound, PermissionDenied, ValidationFailed, require
from ..permissions import auditor_province_id, can_view_reports, is_admin

MAX_MONTHS = 36


@dataclass(frozen=True)
class Scope:
    """What an auditor may see: one province (with its kab/kota) or, when None, the whole country;
    with `strength`, only deployments backed by that evidence (heartbeat.strength_clause)."""

    province: Organization | None
    strength: str | None = None

    def deployments(self):
        """A clause on Deployment: the evidence strength asked for, true when none."""
        return heartbeat.strength_clause(self.strength)

    def where(self, org_entity=Region):
        """A clause on the deploying/forking organization; true everywhere for national scope."""
        if self.province is None:
            return db.true()
        return or_(org_entity.id == self.province.id, org_entity.parent_id == self.province.id)


def clean_strength(strength: str | None) -> str | None:
    """None, or one of heartbeat.STRENGTH_FILTERS. Raises ValidationFailed."""
    strength = (strength or "").strip() or None
    if strength is not None and strength not in heartbeat.STRENGTH_FILTERS:
        raise ValidationFailed(_("Kekuatan bukti tidak dikenal."),
                               {"strength": _("Pilih observed, confirmed atau declared.")})
    return strength


def report_scope(actor: User | None, province_code: str | None = None, strength: str | None = None) -> Scope:
    """Raises PermissionDenied (not an auditor/admin, or another province), ValidationFailed."""
    require(can_view_reports(actor), _("Laporan pemakaian hanya untuk auditor dan admin."))
    strength = clean_strength(strength)
    own = None if is_admin(actor) else auditor_province_id(actor)
    if province_code:
        try:
            prov = organizations.get_by_code(str(province_code).strip()[:32])
        except NotFound:
            prov = None
        if prov is None or prov.kind != OrgKind.PROVINCE.value:
            raise ValidationFailed(_("Provinsi tidak dikenal."), {"province": _("Isi kode provinsi, misalnya 21.")})
        if own is not None and prov.id != own:
            raise PermissionDenied(_("Anda hanya dapat melihat laporan provinsi Anda sendiri."))
        return Scope(prov, strength)
    return Scope(db.session.get(Organization, own) if own else None, strength)


@dataclass(frozen=True)
class ReportedApp:
    """The columns of an app that a reuse report shows. Plain rows, not ORM objects: the national
    table lists 27,000 apps, whose ORM objects were half of its CPU (1.0 of 1.9 s) and most of a
    90 MB peak in the worker (tracemalloc), which the worker then kept as RSS."""

    id: int
    slug: str
    name: str
    category: str
    state: str
    publisher: Organization


@dataclass(frozen=True)
class AppReuse:
    app: ReportedApp
    forks: int
    by_status: dict[str, int]
    confirmed: int
    organizations: int
    observed: int = 0  # a heartbeat within 30 days (can also be confirmed)
    declared_only: int = 0  # neither confirmed nor observed

    @property
    def deployments(self) -> int:
        return sum(self.by_status.values())

    @property
    def self_declared(self) -> int:
        return self.deployments - self.confirmed


def reuse_by_app(scope: Scope, limit: int | None = None) -> list[AppReuse]:
    """Every published app, and archived ones still forked or deployed in scope, most used first:
    an app nobody in scope uses is a finding too, listed last with zeros (four GROUP BY queries);
    with `limit`, only the first rows load their app."""
    in_scope = scope.where()
    by_status: dict[int, dict[str, int]] = {}
    confirmed: dict[int, int] = {}
    observed: dict[int, int] = {}
    declared_only: dict[int, int] = {}
    seen = heartbeat.observed_clause()
    n_observed = func.sum(case((seen, 1), else_=0))
    n_declared = func.sum(case((and_(Deployment.confirmed_at.is_(None), or_(Deployment.last_seen_at.is_(None),
                                                                              ~seen)), 1), else_=0))
    stmt = (db.select(Deployment.app_id, Deployment.status, func.count(), func.count(Deployment.confirmed_at),
                      n_observed, n_declared)
            .join(Region, Region.id == Deployment.organization_id).where(in_scope, scope.deployments())
            .group_by(Deployment.app_id, Deployment.status))
    for app_id, status, n, n_confirmed, n_seen, n_decl in db.session.execute(stmt):
        by_status.setdefault(app_id, {})[status] = n
        confirmed[app_id] = confirmed.get(app_id, 0) + n_confirmed
        observed[app_id] = observed.get(app_id, 0) + int(n_seen or 0)
        declared_only[app_id] = declared_only.get(app_id, 0) + int(n_decl or 0)
    orgs = dict(db.session.execute(
        db.select(Deployment.app_id, func.count(distinct(Deployment.organization_id)))
        .join(Region, Region.id == Deployment.organization_id).where(in_scope, scope.deployments())
        .group_by(Deployment.app_id)).all())
    forks = dict(db.session.execute(
        db.select(Fork.app_id, func.count()).join(Region, Region.id == Fork.organization_id)
        .where(in_scope).group_by(Fork.app_id)).all())
    names = dict(db.session.execute(db.select(App.id, func.lower(App.name)).where(
        _listed_apps(set(by_status) | set(forks)))).all())
    ranked = sorted(names, key=lambda i: (-sum(by_status.get(i, {}).values()), -forks.get(i, 0), names[i]))
    ranked = ranked if limit is None else ranked[:limit]
    apps = _reported_apps(ranked)
    return [AppReuse(apps[i], forks.get(i, 0), {s: by_status.get(i, {}).get(s, 0) for s in dv.STATUSES},
                     confirmed.get(i, 0), orgs.get(i, 0), observed.get(i, 0), declared_only.get(i, 0))
            for i in ranked]


def _reported_apps(ids: list[int]) -> dict[int, ReportedApp]:
    columns = db.select(App.id, App.slug, App.name, App.category, App.state, App.publisher_id).where(App.id.in_(ids))
    rows = db.session.execute(columns).all()
    publishers = {o.id: o for o in db.session.execute(
        db.select(Organization).where(Organization.id.in_({r.publisher_id for r in rows}))).scalars()}
    return {r.id: ReportedApp(r.id, r.slug, r.name, r.category, r.state, publishers[r.publisher_id]) for r in rows}


def _listed_apps(used):
    """The apps of the per-app table: published ones, and archived ones that are in `used` (ids or a select)."""
    return or_(App.state == AppState.PUBLISHED.value, and_(App.state == AppState.ARCHIVED.value, App.id.in_(used)))


def count_used_apps(scope: Scope) -> int:
    """How many rows `reuse_by_app(scope)` has."""
    deployed = (db.select(Deployment.app_id).join(Region, Region.id == Deployment.organization_id)
                .where(scope.where(), scope.deployments()))
    forked = db.select(Fork.app_id).join(Region, Region.id == Fork.organization_id).where(scope.where())
    return db.session.execute(db.select(func.count()).select_from(App).where(
        _listed_apps(deployed.union(forked)))).scalar_one()


@dataclass(frozen=True)
class RegionUsage:
    org: Organization
    deployments: list[RegionDeployment] = field(default_factory=list)
    forks: int = 0


def _regions_in(scope: Scope) -> list[Organization]:
    """A province's own rows and all its kab/kota, so regions that use nothing show too."""
    stmt = db.select(Organization).where(scope.where(Organization)).order_by(Organization.code)
    return list(db.session.execute(stmt).scalars())


def reuse_by_region(scope: Scope, org_limit: int | None = None) -> list[RegionUsage]:
    """Per organization, the apps it deploys. Province scope lists every kab/kota; the national
    scope only those with a deployment or fork (there are 514). With `org_limit`, the first
    organizations by code and at most that many deployments: a page's worth, not the country's."""
    deploying = (db.select(Deployment.organization_id).join(Region, Region.id == Deployment.organization_id)
                 .where(scope.where(), scope.deployments()))
    forks = dict(db.session.execute(
        db.select(Fork.organization_id, func.count()).join(Region, Region.id == Fork.organization_id)
        .where(scope.where()).group_by(Fork.organization_id)).all())
    if scope.province is not None:
        orgs = _regions_in(scope)
    else:
        used = or_(Organization.id.in_(deploying), Organization.id.in_(list(forks)))
        orgs = list(db.session.execute(db.select(Organization).where(used).order_by(Organization.code)
                                       .limit(org_limit)).scalars())
    orgs = orgs if org_limit is None else orgs[:org_limit]
    # At most org_limit deployments, in the table's order: an organization past the cut would
    # only show after as many rows, which the caller cuts off too.
    stmt = (select_rows(RegionDeployment, lambda stmt: stmt.join(Region, Region.id == Deployment.organization_id))
            .where(Deployment.organization_id.in_([o.id for o in orgs]), scope.deployments())
            .order_by(Region.code, func.lower(App.name), Deployment.environment, Deployment.id).limit(org_limit))
    by_org: dict[int, list[RegionDeployment]] = {}
    for dep in read_rows(RegionDeployment, stmt):
        by_org.setdefault(dep.organization_id, []).append(dep)
    return [RegionUsage(o, by_org.get(o.id, []), forks.get(o.id, 0)) for o in orgs]


def count_region_rows(scope: Scope) -> int:
    """Rows of the full per-region table: one per deployment, one per listed organization
    that deploys nothing."""
    in_scope = (db.select(Deployment.organization_id).join(Region, Region.id == Deployment.organization_id)
                .where(scope.where(), scope.deployments()))
    deployments = db.session.execute(db.select(func.count()).select_from(in_scope.subquery())).scalar_one()
    if scope.province is not None:
        listed = Organization.id.in_(db.select(Organization.id).where(scope.where(Organization)))
    else:
        listed = Organization.id.in_(db.select(Fork.organization_id))
    idle = db.session.execute(db.select(func.count()).select_from(Organization).where(
        listed, Organization.id.not_in(in_scope))).scalar_one()
    return deployments + idle


@dataclass(frozen=True)
class AdoptionMonth:
    month: str  # YYYY-MM
    went_live: int
    forks: int
    cumulative: int


def _month(column):
    if db.engine.dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _month_range(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def adoption_over_time(scope: Scope, today: date | None = None) -> list[AdoptionMonth]:
    """Deployments going live (by go-live date) and forks made, per month, at most 36 months."""
    live_month, fork_month = _month(Deployment.go_live_on), _month(Fork.created_at)
    live = dict(db.session.execute(
        db.select(live_month, func.count()).join(Region, Region.id == Deployment.organization_id)
        .where(scope.where(), scope.deployments(), Deployment.go_live_on.is_not(None)).group_by(live_month)).all())
    forks = dict(db.session.execute(
        db.select(fork_month, func.count()).join(Region, Region.id == Fork.organization_id)
        .where(scope.where()).group_by(fork_month)).all())
    months = sorted(set(live) | set(forks))
    if not months:
        return []
    last = max(months[-1], (today or utcnow().date()).strftime("%Y-%m"))
    span = _month_range(months[0], last)
    before = sum(n for m, n in live.items() if m < span[-MAX_MONTHS:][0])
    out, total = [], before
    for m in span[-MAX_MONTHS:]:
        total += live.get(m, 0)
        out.append(AdoptionMonth(m, live.get(m, 0), forks.get(m, 0), total))
    return out
