"""Every report as a plain table (column keys + rows): one source for the screen and the CSV."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from ...models import Deployment, Organization, User
from ...vocab import apps as vocab
from ...vocab import deployments as dv
from ..accounts import organizations
from ..errors import NotFound
from ..permissions import auditor_province_id, is_admin
from .findings import Evidence, duplicate_candidates, fork_drift, lagging_deployments
from .reports import Scope, adoption_over_time, report_scope, reuse_by_app, reuse_by_region

TABLES = ("apps", "regions", "adoption", "forks", "lagging", "duplicates")
SELF_DECLARED = "Mandiri (belum dikonfirmasi)"


@dataclass(frozen=True)
class ReportTable:
    key: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def confirmation_text(dep: Deployment) -> str:
    if dep.confirmed_at is None:
        return SELF_DECLARED
    who = dep.confirmed_by.organization.name if dep.confirmed_by else "?"
    role = dv.ROLE_LABELS.get(dep.confirmed_role or "", dep.confirmed_role or "")
    return f"Dikonfirmasi {role} ({who}) {dep.confirmed_at.date().isoformat()}"


def _apps(scope: Scope) -> ReportTable:
    columns = ("app", "publisher", "category", "forks", *dv.STATUSES, "confirmed", "self_declared", "organizations")
    rows = [(r.app.name, r.app.publisher.name, vocab.category_label(r.app.category), r.forks,
             *(r.by_status[s] for s in dv.STATUSES), r.confirmed, r.self_declared, r.organizations)
            for r in reuse_by_app(scope)]
    return ReportTable("apps", columns, rows)


def _regions(scope: Scope) -> ReportTable:
    columns = ("org_code", "org", "app", "environment", "status", "version", "confirmation", "forks")
    rows = []
    for usage in reuse_by_region(scope):
        if not usage.deployments:
            rows.append((usage.org.code, usage.org.name, "", "", "", "", "", usage.forks))
        for dep in usage.deployments:
            rows.append((usage.org.code, usage.org.name, dep.app.name, dv.environment_label(dep.environment),
                         dv.status_label(dep.status), dep.version, confirmation_text(dep), usage.forks))
    return ReportTable("regions", columns, rows)


def _adoption(scope: Scope) -> ReportTable:
    rows = [(m.month, m.went_live, m.forks, m.cumulative) for m in adoption_over_time(scope)]
    return ReportTable("adoption", ("month", "went_live", "forks_made", "cumulative"), rows)


def _forks(scope: Scope) -> ReportTable:
    columns = ("org", "app", "fork", "ahead", "behind", "files_changed", "insertions", "deletions",
               "files_differing", "computed_at")
    rows = [(f.organization.name, f.app.name, f.name, f.ahead, f.behind, f.files_changed, f.insertions,
             f.deletions, f.files_differing_from_upstream, f.computed_at) for f in fork_drift(scope)]
    return ReportTable("forks", columns, rows)


def _lagging(scope: Scope) -> ReportTable:
    columns = ("org", "app", "status", "version", "latest_release", "lag_releases", "lag_commits",
               "confirmation", "computed_at")
    rows = [(d.organization.name, d.app.name, dv.status_label(d.status), d.version, d.lag_latest_release,
             d.lag_releases, d.lag_commits, confirmation_text(d), d.lag_computed_at)
            for d in lagging_deployments(scope)]
    return ReportTable("lagging", columns, rows)


def _duplicates(scope: Scope) -> ReportTable:
    rows = [(vocab.category_label(c.app.category), c.app.name, c.app.publisher.name, c.active_deployments)
            for c in duplicate_candidates(scope)]
    return ReportTable("duplicates", ("category", "app", "publisher", "active_deployments"), rows)


BUILDERS: dict[str, Callable[[Scope], ReportTable]] = {
    "apps": _apps, "regions": _regions, "adoption": _adoption, "forks": _forks,
    "lagging": _lagging, "duplicates": _duplicates,
}


def build_table(key: str, scope: Scope) -> ReportTable | None:
    """The named table in scope, or None for an unknown name."""
    builder = BUILDERS.get(key)
    return builder(scope) if builder else None


def evidence_table(evidence: Evidence) -> ReportTable:
    columns = ("app", "publisher", "source", "environment", "status", "status_since", "version", "go_live_on",
               "hosting", "opd_units", "confirmation", "lag_releases", "lag_commits")
    rows = [(d.app.name, d.app.publisher.name, f"salinan {d.fork.name}" if d.fork else "induk",
             dv.environment_label(d.environment), dv.status_label(d.status), d.status_changed_at, d.version,
             d.go_live_on, dv.hosting_label(d.hosting), ", ".join(d.opd_units), confirmation_text(d),
             d.lag_releases, d.lag_commits) for d in evidence.deployments]
    return ReportTable("evidence", columns, rows)


@dataclass(frozen=True)
class Dashboard:
    scope: Scope
    tables: dict[str, ReportTable]
    provinces: list[Organization]  # what the actor may switch to; empty for a province's auditor


def dashboard(actor: User | None, province_code: str | None = None) -> Dashboard:
    """Every table of the auditor dashboard in the actor's scope. Raises PermissionDenied, ValidationFailed."""
    scope = report_scope(actor, province_code)
    national = is_admin(actor) or auditor_province_id(actor) is None
    return Dashboard(scope, {key: BUILDERS[key](scope) for key in TABLES},
                     organizations.provinces() if national else [])


def table_for(actor: User | None, key: str, province_code: str | None = None) -> tuple[Scope, ReportTable]:
    """One table (for CSV). Raises NotFound for an unknown table, PermissionDenied, ValidationFailed."""
    scope = report_scope(actor, province_code)
    if key not in BUILDERS:
        raise NotFound(_("Tabel laporan tidak dikenal. Pilihan: %(v)s.", v=', '.join(TABLES)))
    return scope, BUILDERS[key](scope)
