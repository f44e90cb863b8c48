"""Harvest upstream publiccode.yml edits as proposals the publisher accepts or rejects."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_babel import gettext as _

from ...extensions import db
from ...models import App, Proposal, ProposalStatus, User
from ...models.types import MAX_DB_ID, utcnow
from .. import audit
from ..accounts import notifications
from ..catalog import apps
from ..catalog.fields import EDITABLE
from ..errors import Conflict, NotFound, ValidationFailed, require
from ..permissions import can_edit_app
from ..repos import mirrors
from ..tx import write
from . import imports

# Fields a file may change: the slug stays the catalog's, tags have no key in the standard.
PROPOSABLE = tuple(k for k in EDITABLE if k not in ("slug", "tags"))
# Extras worth a decision; versions and dates follow the mirror's releases instead.
PROPOSABLE_EXTRAS = ("dependsOn", "localisation", "isBasedOn", "logo", "landingURL", "roadmap",
                     "usedBy", "scope", "categories")
EXTRA_PREFIX = "extras."


def _plain(value: Any) -> Any:
    """JSON-ready and comparable: dates as ISO text, tuples as lists."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return "" if value is None else value


def current_values(app: App) -> dict[str, Any]:
    """The entry's values as proposals compare them (fields and `extras.<key>`)."""
    values = {k: _plain(v) for k, v in apps.app_fields(app).items()}
    extras = app.publiccode_extras or {}
    values.update({EXTRA_PREFIX + k: _plain(extras.get(k, "")) for k in PROPOSABLE_EXTRAS})
    return values


def _changes(app: App, old_text: str, new_text: str) -> tuple[list[dict[str, Any]], Any]:
    """Keys upstream changed between the two files whose new value differs from the entry."""
    old, new = imports.read_publiccode(old_text), imports.read_publiccode(new_text)
    if not new.fields:  # unreadable file: nothing in it can be trusted, only its errors shown
        return [], new
    current = current_values(app)
    candidates = [(k, k, False) for k in PROPOSABLE] + [(EXTRA_PREFIX + k, k, True) for k in PROPOSABLE_EXTRAS]
    changes = []
    for key, source, is_extra in candidates:
        new_values, old_values = (new.extras, old.extras) if is_extra else (new.fields, old.fields)
        # Fields always map (empty when absent); a missing one had a problem. Empty extras are
        # dropped, so a missing extra is a removal unless the key has a problem.
        if source not in new_values and (not is_extra or imports.touched(imports.EXTRA_PATHS[source], new.errors)):
            continue
        proposed = _plain(new_values.get(source, ""))
        if proposed == _plain(old_values.get(source, "")) or proposed == current[key]:
            continue
        changes.append({"field": key, "current": current[key], "proposed": proposed})
    return changes, new


def propose_from_mirror(app_id: int, old_text: str | None, new_text: str | None, *,
                        head: str | None = None) -> Proposal | None:
    """Inside the mirror fetch's transaction: when upstream's publiccode.yml changed, record
    what it would change (nothing is applied) and tell the publishers. The first fetch only
    stores the file: the entry was just verified by an admin."""
    if not old_text or not new_text or old_text == new_text:
        return None
    app = db.session.get(App, app_id)
    changes, reading = _changes(app, old_text, new_text)
    if not changes and not reading.errors:
        return None
    stale = db.select(Proposal).where(Proposal.app_id == app_id, Proposal.status == ProposalStatus.PENDING.value)
    for old in db.session.execute(stale).scalars():
        old.status, old.decided_at = ProposalStatus.SUPERSEDED.value, utcnow()
    proposal = Proposal(app_id=app_id, source_head=head, changes=changes,
                        extras=dict(reading.extras),
                        errors=[{"path": p, "message": m} for p, m in reading.errors.items()],
                        warnings=[{"path": p, "message": m} for p, m in reading.warnings.items()])
    db.session.add(proposal)
    db.session.flush()
    audit.record(None, "harvest.propose", "app", app.slug, {
        "proposal": proposal.id, "fields": [c["field"] for c in changes], "errors": len(reading.errors)})
    notifications.notify_proposal(app, proposal.id, [c["field"] for c in changes], len(reading.errors))
    return proposal


@mirrors.publiccode_changed.connect
def _on_publiccode_changed(app_id: int, *, old_text: str | None, new_text: str | None,
                           head: str | None) -> None:
    propose_from_mirror(app_id, old_text, new_text, head=head)


def get_proposal(proposal_id: int, actor: User | None) -> Proposal:
    """Raises NotFound (also for proposals of apps the actor may not edit)."""
    return _get(proposal_id, actor)


def _get(proposal_id: int, actor: User | None) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id) if 0 < proposal_id <= MAX_DB_ID else None
    if proposal is None or not can_edit_app(actor, proposal.app):
        raise NotFound(_("Usulan perubahan tidak ditemukan."))
    return proposal


def proposals_for_app(slug: str, *, actor: User | None, limit: int = 10,
                      page: int = 1) -> tuple[App, list[Proposal]]:
    """Pending proposals first, then the latest decided ones. Raises NotFound, PermissionDenied."""
    app = apps.get_app(slug, actor)
    require(can_edit_app(actor, app), _("Hanya penerbit aplikasi ini yang dapat meninjau usulan perubahan."))
    stmt = (db.select(Proposal).where(Proposal.app_id == app.id)
            .order_by((Proposal.status == ProposalStatus.PENDING.value).desc(), Proposal.id.desc())
            .limit(limit).offset((page - 1) * limit))
    return app, list(db.session.execute(stmt).scalars())


def proposal_count(app_id: int) -> int:
    stmt = db.select(db.func.count(Proposal.id)).where(Proposal.app_id == app_id)
    return db.session.execute(stmt).scalar_one()


def pending_count(app_id: int) -> int:
    stmt = db.select(db.func.count(Proposal.id)).where(Proposal.app_id == app_id,
                                                       Proposal.status == ProposalStatus.PENDING.value)
    return db.session.execute(stmt).scalar_one()


def _pending(proposal: Proposal) -> None:
    if not proposal.pending:
        raise Conflict(_("Usulan ini sudah diputuskan atau digantikan usulan yang lebih baru."))


def accept_proposal(proposal_id: int, *, actor: User, fields: Iterable[str] | None = None) -> Proposal:
    """Apply the chosen changes through apps.update_app (same validation and audit as the form),
    then close the proposal. Raises NotFound, Conflict, ValidationFailed."""
    proposal = _get(proposal_id, actor)
    _pending(proposal)
    wanted = None if fields is None else set(fields)
    chosen = [c for c in proposal.changes if wanted is None or c["field"] in wanted]
    if not chosen:
        raise ValidationFailed(_("Pilih minimal satu perubahan."), {"fields": _("Pilih minimal satu perubahan.")})
    edits = {c["field"]: c["proposed"] for c in chosen if not c["field"].startswith(EXTRA_PREFIX)}
    slug = proposal.app.slug
    if edits:
        apps.update_app(slug, edits, actor=actor)
    return _decide(proposal_id, actor, ProposalStatus.ACCEPTED, chosen)


def reject_proposal(proposal_id: int, *, actor: User, note: str = "") -> Proposal:
    """Keep the entry as it is. Raises NotFound, Conflict."""
    proposal = _get(proposal_id, actor)
    _pending(proposal)
    return _decide(proposal_id, actor, ProposalStatus.REJECTED, [], note=(note or "").strip()[:2000])


def _decide(proposal_id: int, actor: User, status: ProposalStatus, chosen: list[dict[str, Any]],
            note: str = "") -> Proposal:
    with write():
        proposal = _get(proposal_id, actor)
        _pending(proposal)
        extras = dict(proposal.app.publiccode_extras or {})
        for change in chosen:
            if change["field"].startswith(EXTRA_PREFIX):
                key = change["field"][len(EXTRA_PREFIX):]
                if change["proposed"] in ("", [], {}, None):
                    extras.pop(key, None)
                else:
                    extras[key] = change["proposed"]
        proposal.app.publiccode_extras = extras
        proposal.status, proposal.decided_by_id, proposal.decided_at = status.value, actor.id, utcnow()
        proposal.decision_note = note
        audit.record(actor, f"harvest.{'accept' if status == ProposalStatus.ACCEPTED else 'reject'}", "app",
                     proposal.app.slug, {"proposal": proposal.id, "fields": [c["field"] for c in chosen]})
    return proposal
