"""Auditor findings: fork drift, deployments behind upstream, candidate duplicates, SPBE evidence."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import case, distinct, func, or_
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import App, AppState, Deployment, DeploymentEvent, Fork, Organization, User
from ...models.types import utcnow
from ...vocab.related_categories import GROUPS
from ..accounts import organizations
from ..deployments import heartbeat
from ..deployments.queries import organization_deployments, organization_forks
from ..errors import Conflict, require
from ..permissions import can_view_evidence
from .checkpoints import make_checkpoint
from .reports import Region, Scope, clean_strength

Publisher = aliased(Organization)


def count_rows(stmt) -> int:
    """How many rows `stmt` (a select) gives, without loading them."""
    return db.session.execute(db.select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()


def fork_drift_query(scope: Scope):
    """Forks in scope with their stored divergence, most modified first (no git here)."""
    return (db.select(Fork).join(Region, Region.id == Fork.organization_id).where(scope.where())
            .order_by(Fork.files_changed.desc(), Fork.ahead.desc(), Region.code, Fork.id))


def fork_drift(scope: Scope, limit: int | None = None) -> list[Fork]:
    return list(db.session.execute(fork_drift_query(scope).limit(limit)).scalars())


def lagging_query(scope: Scope):
    """Deployments still in use whose stored lag says upstream has newer releases or commits."""
    return (db.select(Deployment).join(Region, Region.id == Deployment.organization_id)
            .where(scope.where(), scope.deployments(), Deployment.status != "retired",
                   or_(Deployment.lag_releases > 0, Deployment.lag_commits > 0))
            .order_by(func.coalesce(Deployment.lag_releases, 0).desc(),
                      func.coalesce(Deployment.lag_commits, 0).desc(), Region.code))


def lagging_deployments(scope: Scope, limit: int | None = None) -> list[Deployment]:
    return list(db.session.execute(lagging_query(scope).limit(limit)).scalars())


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


@dataclass(frozen=True)
class AuditSeal:
    """The audit chain's verified head when the evidence was made: printed on every page, so a
    reader can later check with `audit-verify --checkpoint` that nothing before it was rewritten."""

    seq: int | None = None
    hash: str | None = None
    problem: str | None = None  # why there is no head to vouch for (an empty or a broken chain)


def audit_seal() -> AuditSeal:
    """The newest verified audit event (a bounded check, as for the public checkpoint)."""
    try:
        head = make_checkpoint("")
    except Conflict as exc:
        return AuditSeal(problem=exc.message)
    return AuditSeal(head["seq"], head["hash"])


@dataclass(frozen=True)
class Evidence:
    """One organization's SPBE evidence: shared apps used, statuses, dates, confirmations."""

    org: Organization
    generated_at: datetime
    deployments: list[Deployment]
    forks: list[Fork]
    events: dict[int, list[DeploymentEvent]]
    strength: str | None = None  # the lines shown are only those of this evidence strength
    seal: AuditSeal = AuditSeal()

    @property
    def confirmed(self) -> int:
        return sum(1 for d in self.deployments if d.confirmed)

    @property
    def observed(self) -> int:
        return sum(1 for d in self.deployments if heartbeat.is_observed(d, self.generated_at))

    @property
    def declared_only(self) -> int:
        return sum(1 for d in self.deployments if heartbeat.strengths(d, self.generated_at) == ["declared"])


def evidence_org(org_code: str, *, actor: User | None) -> Organization:
    """The organization whose evidence the actor asks for.
    Raises NotFound (unknown organization), PermissionDenied (outside the actor's scope)."""
    org = organizations.get_by_code(str(org_code)[:32])
    require(can_view_evidence(actor, org),
            _("Bukti SPBE organisasi ini hanya untuk organisasi itu, auditornya dan admin."))
    return org


def org_evidence(org_code: str, *, actor: User | None, strength: str | None = None,
                 sealed: bool = True) -> Evidence:
    """Raises NotFound (unknown organization), PermissionDenied (outside the actor's scope),
    ValidationFailed (unknown strength). `sealed=False` for the CSV, which prints no seal: the
    seal verifies the newest audit events and moves the stored marker, a write on every call."""
    org = evidence_org(org_code, actor=actor)
    strength = clean_strength(strength)
    seal = audit_seal() if sealed else AuditSeal()  # first: its marker update commits, expiring rows read below
    now = utcnow()
    deployments = [d for d in organization_deployments(org.id) if heartbeat.matches_strength(d, strength, now)]
    events: dict[int, list[DeploymentEvent]] = {}
    if deployments:
        stmt = (db.select(DeploymentEvent).where(DeploymentEvent.deployment_id.in_([d.id for d in deployments]))
                .order_by(DeploymentEvent.at, DeploymentEvent.id))
        for event in db.session.execute(stmt).scalars():
            events.setdefault(event.deployment_id, []).append(event)
    return Evidence(org, now, deployments, organization_forks(org.id), events, strength, seal)
