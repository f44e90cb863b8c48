"""One organization's SPBE evidence: its deployments, copies and their histories, read as columns,
the change stamps its page is kept by, and the audit seal printed on it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, or_
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import App, Deployment, DeploymentEvent, Fork, Organization, User
from ...models.types import utcnow
from ..accounts import organizations
from ..deployments import heartbeat
from ..deployments.rows import EvidenceLine, Publisher, read_rows, select_rows
from ..errors import Conflict, require
from ..permissions import can_view_evidence
from .checkpoints import verified_head
from .reports import clean_strength

_ActorOrg = aliased(Organization)


@dataclass(frozen=True)
class EvidenceFork:
    app_name: str
    name: str
    ahead: int | None
    behind: int | None
    files_changed: int | None
    computed_at: datetime | None


@dataclass(frozen=True)
class EvidenceEvent:
    deployment_id: int
    at: datetime
    kind: str
    field: str
    from_value: str
    to_value: str
    actor_org_name: str | None  # None: done by the catalog itself (a heartbeat, the worker)


# Built once: the evidence is read on every auditor's visit, and a statement built per call
# spends as much on its construction and cache key as on its rows.
_LINES = (select_rows(EvidenceLine, lambda stmt: stmt.join(Publisher, Publisher.id == App.publisher_id)
                      .outerjoin(Fork, Fork.id == Deployment.fork_id))
          .where(Deployment.organization_id == bindparam("org_id"))
          .order_by(func.lower(App.name), Deployment.environment, Deployment.id))
_FORKS = (db.select(App.name, Fork.name, Fork.ahead, Fork.behind, Fork.files_changed, Fork.computed_at)
          .join(App, App.id == Fork.app_id).where(Fork.organization_id == bindparam("org_id"))
          .order_by(func.lower(App.name), Fork.id))
_EVENTS = (db.select(DeploymentEvent.deployment_id, DeploymentEvent.at, DeploymentEvent.kind, DeploymentEvent.field,
                     DeploymentEvent.from_value, DeploymentEvent.to_value, _ActorOrg.name)
           .join(Deployment, Deployment.id == DeploymentEvent.deployment_id)
           .outerjoin(User, User.id == DeploymentEvent.actor_id)
           .outerjoin(_ActorOrg, _ActorOrg.id == User.organization_id)
           .where(Deployment.organization_id == bindparam("org_id"))
           .order_by(DeploymentEvent.at, DeploymentEvent.id))


def _of_org(column, model):
    return db.select(column).where(model.organization_id == bindparam("org_id")).scalar_subquery()


_ORG_APPS = or_(App.id.in_(db.select(Deployment.app_id).where(Deployment.organization_id == bindparam("org_id"))),
                App.id.in_(db.select(Fork.app_id).where(Fork.organization_id == bindparam("org_id"))))
_MARKS = db.select(
    _of_org(func.count(Deployment.id), Deployment), _of_org(func.max(Deployment.updated_at), Deployment),
    _of_org(func.max(Deployment.confirmed_at), Deployment), _of_org(func.max(Deployment.last_seen_at), Deployment),
    _of_org(func.max(Deployment.lag_computed_at), Deployment),
    db.select(func.max(DeploymentEvent.id)).join(Deployment, Deployment.id == DeploymentEvent.deployment_id)
    .where(Deployment.organization_id == bindparam("org_id")).scalar_subquery(),
    _of_org(func.count(Fork.id), Fork), _of_org(func.max(Fork.computed_at), Fork),
    _of_org(func.max(Fork.created_at), Fork),
    db.select(func.max(App.updated_at)).where(_ORG_APPS).scalar_subquery())


def evidence_marks(org_id: int) -> tuple:
    """Stamps that move whenever something the organization's evidence shows changes: its
    deployments (count, last change of status, version, source or any edited field, last
    confirmation, heartbeat and lag computation), their newest event (whatever else a service
    records), its copies (count, last divergence, last made) and the last edit of the apps they
    name. One query, so that the evidence page is kept across the rest of the catalog's writes
    (web/fragments.py, `own_version`)."""
    return tuple(db.session.execute(_MARKS, {"org_id": org_id}).one())


@dataclass(frozen=True)
class AuditSeal:
    """The audit chain's verified head when the evidence was shown: printed on every page, so a
    reader can later check with `audit-verify --checkpoint` that nothing before it was rewritten."""

    seq: int | None = None
    hash: str | None = None
    problem: str | None = None  # why there is no head to vouch for (an empty or a broken chain)


def audit_seal() -> AuditSeal:
    """The newest verified audit event (a bounded check, as for the public checkpoint). It may
    move the stored marker and commit, which expires the rows the session has loaded."""
    try:
        head = verified_head()
    except Conflict as exc:
        return AuditSeal(problem=exc.message)
    return AuditSeal(head.head_seq, head.head_hash)


@dataclass(frozen=True)
class Evidence:
    """One organization's SPBE evidence: shared apps used, statuses, dates, confirmations."""

    org: Organization
    generated_at: datetime
    deployments: list[EvidenceLine]
    forks: list[EvidenceFork]
    events: dict[int, list[EvidenceEvent]]
    strength: str | None = None  # the lines shown are only those of this evidence strength

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


def org_evidence(org_code: str, *, actor: User | None, strength: str | None = None) -> Evidence:
    """Raises NotFound (unknown organization), PermissionDenied (outside the actor's scope),
    ValidationFailed (unknown strength). Writes nothing: the page adds its seal (`audit_seal`)."""
    org = evidence_org(org_code, actor=actor)
    strength = clean_strength(strength)
    now = utcnow()
    lines = read_rows(EvidenceLine, _LINES, {"org_id": org.id})
    lines = [d for d in lines if heartbeat.matches_strength(d, strength, now)]
    events: dict[int, list[EvidenceEvent]] = {}
    if lines:
        shown = {d.id for d in lines}
        for row in db.session.execute(_EVENTS, {"org_id": org.id}):
            if row[0] in shown:
                events.setdefault(row[0], []).append(EvidenceEvent(*row))
    forks = [EvidenceFork(*row) for row in db.session.execute(_FORKS, {"org_id": org.id})]
    return Evidence(org, now, lines, forks, events, strength)
