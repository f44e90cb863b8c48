"""Reading deployments: the filtered public list and an organization's own overview."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, or_
from sqlalchemy.orm import lazyload, load_only, selectinload

from ...extensions import db
from ...models import App, AppState, Deployment, Fork, Organization, OrgKind, User
from ...models.types import utcnow
from ...paging import Page, page_count
from ...vocab import deployments as dv
from ..accounts import organizations
from ..errors import NotFound, ValidationFailed, require
from ..permissions import can_view_evidence, is_admin
from . import heartbeat
from .rows import DeploymentRow, Province, Region, read_rows, select_rows

MAX_PER_PAGE = 100
STALLED_PILOT_DAYS = 90
MAX_APP_CHOICES = 300
SUGGESTIONS = 10  # names suggested while a person types
MAX_SUGGESTION_TEXT = 100
LIST_COUNT_LIMIT = 1000  # pages count this far, then say "more than"

# Apps whose deployments the public list hides. Written as "not in" on purpose: almost every
# app is public, and a negation lets the database walk the deployments' update-time index and
# stop after one page (SQLite otherwise starts from the app state index and sorts 27,000 rows:
# 40 ms against 0.1 ms at national scale).
HIDDEN_APP_STATES = (AppState.DRAFT.value, AppState.SUBMITTED.value, AppState.RETURNED.value)


# Lists name each deployment's or fork's app (and the API its publisher); the app's description,
# JSON columns and platforms are left to load on access (no list reads them) instead of being
# fetched and decoded for every page.
_APP_NAMING = (load_only(App.id, App.slug, App.name, App.state, App.publisher_id), lazyload(App.platform_rows))
LISTED_APP = selectinload(Deployment.app).options(*_APP_NAMING)
FORK_APP = selectinload(Fork.app).options(*_APP_NAMING)


@dataclass(frozen=True)
class DeploymentPage(Page):
    """Deployments (`Deployment` rows for the API, `DeploymentRow`s for the pages) and the filters."""

    filters: dict[str, str] = field(default_factory=dict)
    total_is_lower_bound: bool = False  # counting stopped at `count_limit`: "more than total"


def _row_select():
    """The columns of `DeploymentRow`, joined to the app, the organization and its province (if
    any), the copy (if any) and the confirming user's organization (if any)."""
    return select_rows(DeploymentRow, lambda stmt: stmt.join(Region, Region.id == Deployment.organization_id)
                       .outerjoin(Province, Province.id == Region.parent_id)
                       .outerjoin(Fork, Fork.id == Deployment.fork_id))


MAX_NAME_MATCHES = 5  # a part of a name that fits more organizations lists this many to choose from


def _org_filter(value: str, key: str, *, province: bool = False) -> Organization:
    """An organization by its code or its name as people type it ("Kota Tanjung Pinang", or
    "tanjung pinang" when only one name holds it). Raises ValidationFailed naming the choices."""
    try:
        org = organizations.get_by_code(value)
    except NotFound:
        org = None
    if org is None:
        kinds = (OrgKind.PROVINCE.value,) if province else tuple(k.value for k in OrgKind)
        named = db.select(Organization).where(Organization.kind.in_(kinds))
        exact = db.session.execute(named.where(func.lower(Organization.name) == value.lower())
                                   .limit(1)).scalars().first()
        part = value.lower().replace("\\", "").replace("%", "").replace("_", "")
        matches = [exact] if exact is not None else []
        if exact is None and len(part) >= 3:
            matches = list(db.session.execute(
                named.where(func.lower(Organization.name).like(f"%{part}%")).order_by(Organization.name)
                .limit(MAX_NAME_MATCHES)).scalars())
        if len(matches) != 1:
            if matches:
                hint = _("Maksudnya salah satu ini? %(v)s", v=", ".join(o.name for o in matches))
            elif province:
                hint = _("Pilih provinsi dari saran, misalnya Kepulauan Riau.")
            else:
                hint = _("Ketik nama (misalnya Kota Tanjung Pinang) atau kode, lalu pilih dari saran.")
            raise ValidationFailed(_("Provinsi tidak dikenal.") if province else _("Organisasi tidak dikenal."),
                                   {key: _("'%(v)s' tidak ditemukan.", v=value[:32]) + " " + hint})
        org = matches[0]
    if province and org.kind != OrgKind.PROVINCE.value:
        raise ValidationFailed(_("Bukan provinsi."), {key: _("Pilih provinsi dari saran, misalnya Kepulauan Riau.")})
    return org


def _app_ids(value: str) -> list[int]:
    """Apps by slug or by name, in any case: the filter takes what the list shows."""
    by_slug = db.session.execute(db.select(App.id).where(App.slug == value)).scalars().first()
    if by_slug is not None:
        return [by_slug]
    return list(db.session.execute(db.select(App.id).where(func.lower(App.name) == value.lower())
                                   .limit(MAX_NAME_MATCHES)).scalars())


def filter_suggestions() -> dict[str, list[str]]:
    """Names to suggest in the /deployments filters: the organizations that have a deployment
    (bounded by the regions of the country) and every province; the apps that have one only up
    to MAX_APP_CHOICES (counted that far first): past it the list is empty and the page asks
    `app_names_starting` as the person types (a national catalog's 13,500 names were 612 KB of
    the page's 655 KB)."""
    used_orgs = db.select(Deployment.organization_id).distinct()
    orgs = db.session.execute(db.select(Organization.name).where(Organization.id.in_(used_orgs))
                              .order_by(Organization.name)).scalars()
    used = db.select(App.id).where(App.id.in_(db.select(Deployment.app_id).distinct()),
                                   App.state.not_in(HIDDEN_APP_STATES))
    counted = db.session.execute(db.select(func.count()).select_from(used.limit(MAX_APP_CHOICES + 1).subquery()))
    app_names: list[str] = []
    if counted.scalar_one() <= MAX_APP_CHOICES:
        app_names = list(db.session.execute(db.select(App.name).where(App.id.in_(used))
                                            .order_by(func.lower(App.name))).scalars())
    return {"org": list(orgs), "province": [p.name for p in organizations.provinces()], "app": app_names}


def app_names_starting(text: str, limit: int = SUGGESTIONS) -> list[str]:
    """The first names (by lower case) of listed apps that start with `text`, for a box that
    suggests as people type; nothing under 2 characters. A range on `ix_app_name_lower`, so a
    request costs the same at any size of the catalog (anyone may ask)."""
    low = text.strip().lower()[:MAX_SUGGESTION_TEXT]
    if len(low) < 2:
        return []
    above = low[:-1] + chr(ord(low[-1]) + 1)
    stmt = (db.select(App.name).where(func.lower(App.name) >= low, func.lower(App.name) < above,
                                      App.state.not_in(HIDDEN_APP_STATES))
            .order_by(func.lower(App.name)).limit(limit))
    return [name for name in db.session.execute(stmt).scalars() if name.lower().startswith(low)]


def list_deployment_records(*, org: str = "", app: str = "", status: str = "", province: str = "",
                            strength: str = "", page: int = 1, per_page: int = 20,
                            count_limit: int | None = None) -> DeploymentPage:
    """Deployments of public apps, newest change first, as `Deployment` rows (the API writes
    their private fields for those who may read them). With `count_limit`, counting stops
    there and the page number stays within it, so a page costs the same at any size of the data.
    `strength`: observed, confirmed or declared (heartbeat.strength_clause).
    Raises ValidationFailed for a bad filter."""
    listed = _listed(org=org, app=app, status=status, province=province, strength=strength,
                     page=page, per_page=per_page, count_limit=count_limit)
    rows = {d.id: d for d in db.session.execute(
        db.select(Deployment).where(Deployment.id.in_(listed.items)).options(LISTED_APP)).scalars()}
    return replace(listed, items=[rows[i] for i in listed.items if i in rows])


def list_deployments(*, org: str = "", app: str = "", status: str = "", province: str = "", strength: str = "",
                     page: int = 1, per_page: int = 20, count_limit: int | None = None) -> DeploymentPage:
    """The same page as `list_deployment_records`, as `DeploymentRow`s: what the /deployments
    table shows.
    Raises ValidationFailed for a bad filter."""
    listed = _listed(org=org, app=app, status=status, province=province, strength=strength,
                     page=page, per_page=per_page, count_limit=count_limit)
    shown = read_rows(DeploymentRow, _row_select().where(Deployment.id.in_(listed.items))) if listed.items else []
    rows = {r.id: r for r in shown}
    return replace(listed, items=[rows[i] for i in listed.items if i in rows])


def _listed(*, org: str, app: str, status: str, province: str, strength: str, page: int, per_page: int,
            count_limit: int | None) -> DeploymentPage:
    """The page's deployment ids in order (newest change first) with the count and the filters."""
    filters = {k: str(v).strip()[:64] for k, v in
               (("org", org), ("app", app), ("status", status), ("province", province), ("strength", strength))
               if v}
    page, per_page = max(1, int(page)), max(1, min(int(per_page), MAX_PER_PAGE))
    stmt = (db.select(Deployment.id).join(App, App.id == Deployment.app_id)
            .join(Region, Region.id == Deployment.organization_id)
            .where(App.state.not_in(HIDDEN_APP_STATES)))
    if "status" in filters:
        if filters["status"] not in dv.STATUSES:
            raise ValidationFailed(_("Status tidak dikenal."),
                                   {"status": _("Pilih salah satu: %(v)s.",
                                                v=', '.join(_(dv.status_label(s)) for s in dv.STATUSES))})
        stmt = stmt.where(Deployment.status == filters["status"])
    if "org" in filters:
        stmt = stmt.where(Deployment.organization_id == _org_filter(filters["org"], "org").id)
    if "province" in filters:
        prov = _org_filter(filters["province"], "province", province=True)
        stmt = stmt.where(or_(Region.id == prov.id, Region.parent_id == prov.id))
    if "app" in filters:
        stmt = stmt.where(App.id.in_(_app_ids(filters["app"]) or [-1]))
    if "strength" in filters:
        if filters["strength"] not in heartbeat.STRENGTH_FILTERS:
            raise ValidationFailed(_("Kekuatan bukti tidak dikenal."),
                                   {"strength": _("Pilih observed, confirmed atau declared.")})
        stmt = stmt.where(heartbeat.strength_clause(filters["strength"]))
    if count_limit is not None:
        page = min(page, page_count(count_limit, per_page))
    counted = stmt if count_limit is None else stmt.limit(count_limit + 1)
    total = db.session.execute(db.select(func.count()).select_from(counted.subquery())).scalar_one()
    capped = count_limit is not None and total > count_limit
    ids = list(db.session.execute(stmt.order_by(Deployment.updated_at.desc(), Deployment.id.desc())
                                  .limit(per_page).offset((page - 1) * per_page)).scalars())
    return DeploymentPage(ids, min(total, count_limit) if capped else total, page, per_page, filters, capped)


APP_PAGE_ROWS = 20  # the app page lists this many deployments, the full list is one link away


@dataclass(frozen=True)
class AppDeployments:
    """Where one app runs: how many deployments in each status, and the first rows by region."""

    by_status: list[tuple[str, int]]
    rows: list[DeploymentRow]
    total: int


# The app page's two statements, built once (building them per view cost ≈ 0.7 ms of its ≈ 0.9).
_APP_COUNTS = (db.select(Deployment.status, func.count()).where(Deployment.app_id == bindparam("app_id"))
               .group_by(Deployment.status))
_APP_ROWS = (_row_select().where(Deployment.app_id == bindparam("app_id"))
             .order_by(func.coalesce(Province.name, Region.name), Region.name, Deployment.environment)
             .limit(bindparam("limit")))


def app_deployments(app_id: int, limit: int = APP_PAGE_ROWS) -> AppDeployments:
    """For the app page: counts per status (in the lifecycle's order) and up to `limit`
    deployments ordered by province then organization, so that a region's rows sit together."""
    counts = dict(db.session.execute(_APP_COUNTS, {"app_id": app_id}).all())
    by_status = [(s, counts[s]) for s in dv.STATUSES if counts.get(s)]
    rows = read_rows(DeploymentRow, _APP_ROWS, {"app_id": app_id, "limit": limit}) if counts else []
    return AppDeployments(by_status, rows, sum(counts.values()))


@dataclass(frozen=True)
class Attention:
    """Something an adopter should act on; the template phrases it from kind and numbers."""

    kind: str  # upstream_release | stalled_pilot | fork_behind | heartbeat_stale | version_mismatch
    app_name: str
    deployment: DeploymentRow | None = None
    fork: RegionFork | None = None
    days: int = 0


@dataclass(frozen=True)
class RegionFork:
    """A region's copy as "Aplikasi di daerah saya" lists it: how far it is from upstream, seven
    columns rather than a `Fork` with its app (a second query) and its four JSON columns."""

    id: int
    name: str
    app_name: str
    ahead: int
    behind: int
    files_changed: int
    releases_since_base: list


@dataclass(frozen=True)
class RegionOverview:
    org: Organization
    deployments: list[DeploymentRow]
    forks: list[RegionFork]
    attention: list[Attention]


def organization_deployments(org_id: int) -> list[Deployment]:
    """An organization's deployments as `Deployment` rows, by app and environment (the evidence
    report reads their private fields)."""
    stmt = (db.select(Deployment).join(App, App.id == Deployment.app_id).options(LISTED_APP)
            .where(Deployment.organization_id == org_id).order_by(func.lower(App.name), Deployment.environment))
    return list(db.session.execute(stmt).scalars())


def organization_deployment_rows(org_id: int) -> list[DeploymentRow]:
    """An organization's deployments as the "Aplikasi di daerah saya" table shows them, by app and
    environment."""
    return read_rows(DeploymentRow, _row_select().where(Deployment.organization_id == org_id)
                 .order_by(func.lower(App.name), Deployment.environment))


def organization_app_deployments(org_id: int, app_id: int) -> list:
    """An organization's deployments of one app as light rows (id, environment, status, version):
    what the adoption guide lists as the region's own."""
    stmt = (db.select(Deployment.id, Deployment.environment, Deployment.status, Deployment.version)
            .where(Deployment.organization_id == org_id, Deployment.app_id == app_id)
            .order_by(Deployment.environment, Deployment.id))
    return list(db.session.execute(stmt))


def organization_forks(org_id: int) -> list[Fork]:
    stmt = (db.select(Fork).join(App, App.id == Fork.app_id).where(Fork.organization_id == org_id)
            .options(FORK_APP).order_by(func.lower(App.name)))
    return list(db.session.execute(stmt).scalars())


def organization_fork_rows(org_id: int) -> list[RegionFork]:
    """An organization's copies by app name, as "Aplikasi di daerah saya" lists them."""
    stmt = (db.select(Fork.id, Fork.name, App.name, Fork.ahead, Fork.behind, Fork.files_changed,
                      Fork.releases_since_base)
            .join(App, App.id == Fork.app_id).where(Fork.organization_id == org_id).order_by(func.lower(App.name)))
    return [RegionFork(*row) for row in db.session.execute(stmt)]


@dataclass(frozen=True)
class ForkChoice:
    """A region's copy as the deployment forms offer it as the source of the code."""
    id: int
    name: str
    app_id: int
    app_slug: str
    app_name: str


def fork_choices(org_id: int) -> list[ForkChoice]:
    """The organization's copies for the forms' "Sumber kode": five columns, not `Fork` rows with
    their apps (that was a third of the deployments page's CPU in-process)."""
    stmt = (db.select(Fork.id, Fork.name, App.id, App.slug, App.name).join(App, App.id == Fork.app_id)
            .where(Fork.organization_id == org_id).order_by(func.lower(App.name), Fork.id))
    return [ForkChoice(*row) for row in db.session.execute(stmt)]


def _attention(deployments: list[DeploymentRow], forks: list[RegionFork], now: datetime) -> list[Attention]:
    items = []
    for dep in deployments:
        if dep.status == "retired":
            continue
        if dep.lag_releases:
            items.append(Attention("upstream_release", dep.app_name, deployment=dep))
        days = (now - dep.status_changed_at).days
        if dep.status == "pilot" and days > STALLED_PILOT_DAYS:
            items.append(Attention("stalled_pilot", dep.app_name, deployment=dep, days=days))
        if heartbeat.is_stale(dep, now):  # its server stopped reporting (issue 19)
            items.append(Attention("heartbeat_stale", dep.app_name, deployment=dep,
                                   days=(now - (dep.last_seen_at or dep.heartbeat_token_issued_at)).days))
        if heartbeat.version_mismatch(dep):
            items.append(Attention("version_mismatch", dep.app_name, deployment=dep))
    for fork in forks:
        if fork.behind or fork.releases_since_base:
            items.append(Attention("fork_behind", fork.app_name, fork=fork))
    return items


def region_of(actor: User | None, org_code: str | None = None) -> Organization:
    """The organization whose "Aplikasi di daerah saya" the actor may open: their own, or any
    for an admin who names one. Raises PermissionDenied, NotFound (unknown organization)."""
    if actor is None:
        raise NotFound(_("Organisasi tidak ditemukan."))
    org = organizations.get_by_code(org_code) if org_code and is_admin(actor) else actor.organization
    require(can_view_evidence(actor, org), _("Anda hanya dapat melihat aplikasi organisasi Anda sendiri."))
    return org


def overview_of(org: Organization, now: datetime | None = None) -> RegionOverview:
    """Deployments, forks and what needs attention, for an organization `region_of` allowed."""
    deployments, forks = organization_deployment_rows(org.id), organization_fork_rows(org.id)
    return RegionOverview(org, deployments, forks, _attention(deployments, forks, now or utcnow()))


def region_overview(actor: User | None, org_code: str | None = None,
                    now: datetime | None = None) -> RegionOverview:
    """"Aplikasi di daerah saya": deployments, forks and what needs attention.

    Raises PermissionDenied, NotFound (unknown organization).
    """
    return overview_of(region_of(actor, org_code), now)


def app_choices() -> list[tuple[str, str]]:
    """(slug, name) of published apps for a select box; empty when there are too many to list
    (counted up to the limit first, so a national catalog sorts nothing)."""
    published = db.select(App.id).where(App.state == AppState.PUBLISHED.value).limit(MAX_APP_CHOICES + 1)
    if db.session.execute(db.select(func.count()).select_from(published.subquery())).scalar_one() > MAX_APP_CHOICES:
        return []
    stmt = (db.select(App.slug, App.name).where(App.state == AppState.PUBLISHED.value)
            .order_by(func.lower(App.name)).limit(MAX_APP_CHOICES + 1))
    rows = [(slug, name) for slug, name in db.session.execute(stmt)]
    return [] if len(rows) > MAX_APP_CHOICES else rows
