"""Every report as a plain table (column keys + rows): one source for the screen and the CSV."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cachetools import TTLCache, cached
from dogpile.cache import make_region
from flask import current_app
from flask_babel import gettext as _

from ...extensions import db
from ...models import Deployment, Organization, User
from ...models.types import utcnow
from ...vocab import apps as vocab
from ...vocab import deployments as dv
from ...vocab.phrase import Phrase
from ..accounts import organizations
from ..deployments.heartbeat import evidence_text
from ..deployments.rows import DeploymentFacts, EvidenceLine
from ..errors import NotFound
from ..permissions import auditor_province_id, is_admin
from .evidence import Evidence
from .findings import (
    count_rows,
    duplicate_candidates,
    duplicates_query,
    fork_drift,
    fork_drift_query,
    lagging_deployments,
    lagging_query,
)
from .reports import (
    Scope,
    adoption_over_time,
    count_region_rows,
    count_used_apps,
    report_scope,
    reuse_by_app,
    reuse_by_region,
)

TABLES = ("apps", "regions", "adoption", "forks", "lagging", "duplicates")
SELF_DECLARED = "Mandiri (belum dikonfirmasi)"
# The dashboard shows the head of each table; the CSV has every row. At national scale the
# full tables hold 27,000 deployments and as many apps: 20 MB of HTML and 34 s to render.
SCREEN_ROWS = 25
FULL_TABLES_KEPT = 6  # whole tables kept per process: the national apps table is ≈10 MB of rows
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportTable:
    key: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    total: int = -1  # rows of the whole table; -1: `rows` is the whole table
    organizations: tuple[tuple[str, str], ...] = ()  # (code, name) of the rows' organizations, for links
    # What is made from this table, such as its CSV text per viewer's zone and language: kept as
    # long as the table is (a kept whole table's CSV is rendered once, not per download).
    derived: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.total < 0:
            object.__setattr__(self, "total", len(self.rows))

    @property
    def complete(self) -> bool:
        return len(self.rows) >= self.total


def confirmation_text(dep: Deployment | DeploymentFacts) -> str:
    if dep.confirmed_at is None:
        return SELF_DECLARED
    who = dep.confirmer_org_name or "?"
    role = dv.ROLE_LABELS.get(dep.confirmed_role or "", dep.confirmed_role or "")
    return Phrase("Dikonfirmasi %(role)s (%(org)s) %(date)s", role=Phrase(role), org=who,
                  date=dep.confirmed_at.date().isoformat())


def _apps(scope: Scope, limit: int | None = None) -> ReportTable:
    columns = ("app", "publisher", "category", "forks", *dv.STATUSES, "confirmed", "self_declared", "organizations",
               "observed", "declared_only")
    rows = [(r.app.name, r.app.publisher.name, vocab.category_label(r.app.category), r.forks,
             *(r.by_status[s] for s in dv.STATUSES), r.confirmed, r.self_declared, r.organizations,
             r.observed, r.declared_only)
            for r in reuse_by_app(scope, limit)]
    return ReportTable("apps", columns, rows, -1 if limit is None else count_used_apps(scope))


def _regions(scope: Scope, limit: int | None = None) -> ReportTable:
    """One row per deployment, named by organization; an organization's fork count is given once,
    on its first row (repeated on every row it read as that many forks per app)."""
    columns = ("org", "app", "environment", "status", "version", "confirmation", "forks",
               "evidence", "last_seen_at", "observed_version")
    rows, orgs = [], []
    for usage in reuse_by_region(scope, org_limit=limit):
        orgs.append((usage.org.code, usage.org.name))
        if not usage.deployments:
            rows.append((usage.org.name, "", "", "", "", "", usage.forks, "", None, None))
        for n, dep in enumerate(usage.deployments):
            rows.append((usage.org.name, dep.app_name, dv.environment_label(dep.environment),
                         dv.status_label(dep.status), dep.version, confirmation_text(dep),
                         usage.forks if n == 0 else "", evidence_text(dep), dep.last_seen_at, dep.observed_version))
    if limit is None:
        return ReportTable("regions", columns, rows, organizations=tuple(orgs))
    shown = rows[:limit]
    named = {r[0] for r in shown}
    return ReportTable("regions", columns, shown, count_region_rows(scope),
                       organizations=tuple(o for o in orgs if o[1] in named))


def _adoption(scope: Scope, limit: int | None = None) -> ReportTable:  # at most 36 months: no limit
    rows = [(m.month, m.went_live, m.forks, m.cumulative) for m in adoption_over_time(scope)]
    return ReportTable("adoption", ("month", "went_live", "forks_made", "cumulative"), rows)


def _forks(scope: Scope, limit: int | None = None) -> ReportTable:
    columns = ("org", "app", "fork", "ahead", "behind", "files_changed", "insertions", "deletions",
               "files_differing", "computed_at")
    total = -1 if limit is None else count_rows(fork_drift_query(scope))
    return ReportTable("forks", columns, fork_drift(scope, limit), total)


def _lagging(scope: Scope, limit: int | None = None) -> ReportTable:
    columns = ("org", "app", "status", "version", "latest_release", "lag_releases", "lag_commits",
               "confirmation", "computed_at", "evidence", "observed_version", "observed_lag_releases")
    rows = [(d.org_name, d.app_name, dv.status_label(d.status), d.version, d.lag_latest_release,
             d.lag_releases, d.lag_commits, confirmation_text(d), d.lag_computed_at, evidence_text(d),
             d.observed_version, d.observed_lag_releases)
            for d in lagging_deployments(scope, limit)]
    return ReportTable("lagging", columns, rows, -1 if limit is None else count_rows(lagging_query(scope)))


def _duplicates(scope: Scope, limit: int | None = None) -> ReportTable:
    rows = [(vocab.category_label(c.app.category), c.app.name, c.app.publisher.name, c.active_deployments)
            for c in duplicate_candidates(scope, limit)]
    total = -1 if limit is None else count_rows(duplicates_query(scope))
    return ReportTable("duplicates", ("category", "app", "publisher", "active_deployments"), rows, total)


BUILDERS: dict[str, Callable[[Scope, int | None], ReportTable]] = {
    "apps": _apps, "regions": _regions, "adoption": _adoption, "forks": _forks,
    "lagging": _lagging, "duplicates": _duplicates,
}


def build_table(key: str, scope: Scope, limit: int | None = None) -> ReportTable | None:
    """The named table in scope (its first `limit` rows when given), or None for an unknown name."""
    builder = BUILDERS.get(key)
    return builder(scope, limit) if builder else None


def _source(line: EvidenceLine) -> Phrase:
    """Where the running code comes from: the region's copy (by name) or upstream as is."""
    return Phrase("salinan %(name)s", name=line.fork_name) if line.fork_name is not None else Phrase("induk")


def evidence_table(evidence: Evidence) -> ReportTable:
    """Every line states its evidence strength, when the running system last reported, and what."""
    columns = ("app", "publisher", "source", "environment", "status", "status_since", "version", "go_live_on",
               "hosting", "opd_units", "confirmation", "lag_releases", "lag_commits", "evidence", "last_seen_at",
               "observed_version")
    rows = [(d.app_name, d.publisher_name, _source(d),
             dv.environment_label(d.environment), dv.status_label(d.status), d.status_changed_at, d.version,
             d.go_live_on, dv.hosting_label(d.hosting), ", ".join(d.opd_units), confirmation_text(d),
             d.lag_releases, d.lag_commits, evidence_text(d), d.last_seen_at, d.observed_version)
            for d in evidence.deployments]
    return ReportTable("evidence", columns, rows)


@dataclass(frozen=True)
class Dashboard:
    scope: Scope
    tables: dict[str, ReportTable]
    provinces: list[Organization]  # what the actor may switch to; empty for a province's auditor
    computed_at: datetime  # the figures are as of this time (at most REPORT_MAX_AGE old)


def _scope_key(scope: Scope) -> str:
    return f"{scope.province.id if scope.province else 'national'}:{scope.strength or ''}"


def _screen_tables(scope: Scope) -> tuple[datetime, dict[str, ReportTable]]:
    """The dashboard's tables, kept per scope for REPORT_MAX_AGE seconds in this process.

    Why: the national aggregates read every deployment and app (≈1 s at 27,000 of each), and
    in a working day some deployment changes every few seconds, so a cache that follows every
    change would rarely hit. Auditors read figures that are at most a minute old (a little more
    while they are recomputed), and the page says as of when. The rows hold plain values only,
    never rows of a session."""
    region = _kept_dashboards()
    if region is None:
        return _build_screen_tables(scope)
    return region.get_or_create(_scope_key(scope), _in_app_context(_build_screen_tables, scope))


def _build_screen_tables(scope: Scope) -> tuple[datetime, dict[str, ReportTable]]:
    return utcnow(), {k: BUILDERS[k](scope, SCREEN_ROWS) for k in TABLES}


def _kept_dashboards():
    """The app's dashboards, or None when REPORT_MAX_AGE is 0. Past their age a scope's tables
    are still served while one thread of this process recomputes them in the background
    (dogpile.cache): at 27,000 deployments a national dashboard took 2.4 s to compute, and every
    auditor's request during those seconds waited for it once a minute (bench_signed_in, p99)."""
    max_age = current_app.config.get("REPORT_MAX_AGE", 0)
    if max_age <= 0:
        return None
    region = current_app.extensions.get("catalog_reports")
    if region is None or region.expiration_time != max_age:
        # A plain dict: one small entry per scope (provinces × evidence strengths).
        region = make_region(async_creation_runner=_recompute_in_background).configure(
            "dogpile.cache.memory", expiration_time=max_age)
        current_app.extensions["catalog_reports"] = region
    return region


def _in_app_context(build: Callable[[Scope], Any], scope: Scope) -> Callable[[], Any]:
    """`build(scope)` in an application context of its own, with its own database session and
    the scope's province read in it, so that it can run in a background thread, after the request
    that asked for it has ended, as well as in that request."""
    app = current_app._get_current_object()
    province_id, strength = (scope.province.id if scope.province else None), scope.strength

    def run() -> Any:
        with app.app_context():
            return build(Scope(db.session.get(Organization, province_id) if province_id else None, strength))
    return run


def _recompute_in_background(region, key: str, creator: Callable[[], Any], mutex) -> None:
    def run() -> None:
        try:
            region.set(key, creator())
        except Exception:  # noqa: BLE001 - the kept figures stay; the next request past their age retries
            log.exception("recomputing the report tables %s failed", key)
        finally:
            mutex.release()
    threading.Thread(target=run, name="report-tables", daemon=True).start()


def dashboard(actor: User | None, province_code: str | None = None, strength: str | None = None) -> Dashboard:
    """Every table of the auditor dashboard in the actor's scope, optionally only deployments of one
    evidence strength. Raises PermissionDenied, ValidationFailed."""
    scope = report_scope(actor, province_code, strength)
    national = is_admin(actor) or auditor_province_id(actor) is None
    computed_at, tables = _screen_tables(scope)
    return Dashboard(scope, tables, organizations.provinces() if national else [], computed_at)


def table_for(actor: User | None, key: str, province_code: str | None = None,
              strength: str | None = None) -> tuple[Scope, ReportTable]:
    """One table (for CSV). Raises NotFound for an unknown table, PermissionDenied, ValidationFailed."""
    scope = report_scope(actor, province_code, strength)
    if key not in BUILDERS:
        raise NotFound(_("Tabel laporan tidak dikenal. Pilihan: %(v)s.", v=', '.join(TABLES)))
    return scope, (_kept_full_tables() or _full_table)(key, scope)


def _full_table(key: str, scope: Scope) -> ReportTable:
    return BUILDERS[key](scope, None)


def _kept_full_tables() -> Callable[[str, Scope], ReportTable] | None:
    """Whole tables (the CSV downloads), kept for REPORT_MAX_AGE like the dashboard, a few at a
    time: the national apps table is 27,000 rows, 1.9 s to compute. Requests for a table being
    computed wait for that one computation instead of starting their own (cachetools' condition)."""
    max_age = current_app.config.get("REPORT_MAX_AGE", 0)
    if max_age <= 0:
        return None
    kept = current_app.extensions.get("catalog_report_csv")
    if kept is None or kept.cache.ttl != max_age:
        kept = cached(TTLCache(maxsize=FULL_TABLES_KEPT, ttl=max_age), condition=threading.Condition(),
                      key=lambda key, scope: (key, _scope_key(scope)))(_full_table)
        current_app.extensions["catalog_report_csv"] = kept
    return kept
