"""Audit checkpoints: the chain head exported for auditors to keep off the server, and checked later."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import AuditEvent, Organization, User
from ...models.types import utcnow
from ...vocab import audit as audit_vocab
from .. import audit, tx
from ..errors import Conflict, ValidationFailed, require
from ..permissions import auditor_province_id, can_view_reports, is_auditor
from .audit_names import object_names

HASH_RE = re.compile(r"^[0-9a-f]{64}$")
FIELDS = ("seq", "hash", "at", "generated_at", "catalog_url")


def _checksum(body: dict[str, Any]) -> str:
    return hashlib.sha256(audit.canonical_json({k: body.get(k) for k in FIELDS}).encode()).hexdigest()


def verify_recent() -> audit.ChainReport:
    """The bounded check of what came after the marker; moves the marker when it got further."""
    report = audit.verify_incremental()
    if report.ok and report.marker is not None and report.marker[0] != report.head_seq:
        with tx.write():
            audit.advance_marker(report)
    return report


def verify_full() -> audit.ChainReport:
    """The auditor's full check from event 1, its outcome recorded in the marker."""
    report = audit.verify()
    with tx.write():
        audit.mark_full_check(report)
    return report


def verified_head() -> audit.ChainReport:
    """The bounded check of `verify_recent`, for something that vouches for its head (a checkpoint,
    the seal of the SPBE evidence). Raises Conflict when the chain is empty or broken."""
    report = verify_recent()
    if not report.ok:
        raise Conflict(_("Rantai audit rusak pada peristiwa %(first_bad_seq)s; checkpoint tidak dibuat.",
                         first_bad_seq=report.first_bad_seq))
    if report.head_seq == 0:
        raise Conflict(_("Belum ada peristiwa audit untuk dijadikan checkpoint."))
    return report


def make_checkpoint(catalog_url: str) -> dict[str, Any]:
    """{seq, hash, at, generated_at, catalog_url, checksum} of the newest verified event.

    Served from the stored marker: only events after it are verified (at most AUDIT_VERIFY_BATCH
    per call), so an anonymous caller costs a bounded amount of work however long the chain is;
    after a burst of appends the checkpoint may trail the head by what is left to verify.
    A checkpoint of a broken chain would vouch for tampering. Raises Conflict when the chain is
    empty or broken.
    """
    report = verified_head()
    at = db.session.execute(db.select(AuditEvent.at).where(AuditEvent.seq == report.head_seq)).scalar_one()
    body = {"seq": report.head_seq, "hash": report.head_hash, "at": at.isoformat(timespec="microseconds"),
            "generated_at": utcnow().isoformat(timespec="seconds"), "catalog_url": catalog_url}
    body["checksum"] = _checksum(body)
    return body


@dataclass(frozen=True)
class CheckpointReport:
    ok: bool
    message: str
    seq: int | None = None


def verify_checkpoint(doc: Any) -> CheckpointReport:
    """The chain is intact and still holds event `seq` with exactly `hash`: nothing up to the
    checkpoint was rewritten, not even by someone who recomputed every hash afterwards."""
    if not isinstance(doc, dict):
        return CheckpointReport(False, "checkpoint is not a JSON object")
    seq, digest = doc.get("seq"), doc.get("hash")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1 or not isinstance(digest, str) \
            or not HASH_RE.match(digest):
        return CheckpointReport(False, "checkpoint lacks a valid seq and hash")
    if "checksum" in doc and doc["checksum"] != _checksum(doc):
        return CheckpointReport(False, "checkpoint file was altered (checksum mismatch)", seq)
    report = audit.verify()
    if not report.ok:
        return CheckpointReport(False, f"chain broken at event {report.first_bad_seq}: {report.problem}", seq)
    event = db.session.get(AuditEvent, seq)
    if event is None:
        return CheckpointReport(False, f"event {seq} of the checkpoint is no longer in the chain", seq)
    if event.hash != digest:
        return CheckpointReport(False, f"event {seq} has a different hash than the checkpoint: "
                                       "the chain was rewritten", seq)
    return CheckpointReport(True, f"checkpoint {seq} found in an intact chain of {report.checked} events", seq)


AUDITORS_ONLY = _l("Halaman audit hanya untuk auditor dan admin.")


def checkpoint_for(actor: User | None, catalog_url: str) -> dict[str, Any]:
    """The download on the auditors' page. Raises PermissionDenied, Conflict."""
    require(can_view_reports(actor), AUDITORS_ONLY)
    return make_checkpoint(catalog_url)


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    actor_name: str | None
    object_name: str | None = None  # 'Simanja · Kota Tanjung Pinang' for 'deployment:9'; None once deleted


@dataclass(frozen=True)
class AuditPage:
    rows: list[EventRow]
    chain: audit.ChainReport | None  # only when a check was asked for: the incremental one, bounded
    organizations: list[Organization] = field(default_factory=list)  # whose people the viewer may filter by


@dataclass(frozen=True)
class AuditFilter:
    """What an auditor narrows the trail to: an action, the actor's organization (a code or a
    name), a time window [since, until) in UTC. Empty fields filter nothing."""

    action: str = ""
    org: str = ""
    since: datetime | None = None
    until: datetime | None = None


def _filter_org(value: str, province_id: int | None) -> Organization:
    """The organization by code or exact name (any case), within the auditor's province."""
    stmt = db.select(Organization).where((Organization.code == value)
                                         | (db.func.lower(Organization.name) == value.lower()))
    if province_id is not None:
        stmt = stmt.where((Organization.id == province_id) | (Organization.parent_id == province_id))
    org = db.session.execute(stmt.order_by(Organization.code).limit(1)).scalars().first()
    if org is None:
        raise ValidationFailed(_("Organisasi tidak dikenal."), {"org": _(
            "'%(v)s' tidak ditemukan di cakupan Anda; pilih dari saran.", v=value[:40])})
    return org


def audit_page(*, actor: User | None, before: int | None = None, limit: int = 50,
               verify: bool = False, only: AuditFilter | None = None) -> AuditPage:
    """Newest events first with the acting user's name. A province auditor sees only events done
    by people of that province (the province itself and its kabupaten/kota); national auditors and
    admins see all. `only` narrows further (action, organization, dates). Raises PermissionDenied,
    and ValidationFailed for an unknown action or organization."""
    require(can_view_reports(actor), AUDITORS_ONLY)
    chain = verify_recent() if verify else None  # first: moving the marker commits, expiring loaded rows
    stmt = (db.select(AuditEvent, User.name).outerjoin(User, User.id == AuditEvent.actor_id)
            .order_by(AuditEvent.seq.desc()).limit(max(1, min(limit, 500))))
    province_id = auditor_province_id(actor) if is_auditor(actor) else None
    if province_id is not None:
        stmt = (stmt.join(Organization, Organization.id == User.organization_id)
                .where((Organization.id == province_id) | (Organization.parent_id == province_id)))
    if before:
        stmt = stmt.where(AuditEvent.seq < before)
    only = only or AuditFilter()
    if only.action:
        if only.action not in audit_vocab.ACTION_LABELS:
            raise ValidationFailed(_("Tindakan tidak dikenal."), {"action": _("Pilih tindakan dari daftar.")})
        stmt = stmt.where(AuditEvent.action == only.action)
    if only.org:
        stmt = stmt.where(User.organization_id == _filter_org(only.org, province_id).id)
    if only.since is not None:
        stmt = stmt.where(AuditEvent.at >= only.since)
    if only.until is not None:
        stmt = stmt.where(AuditEvent.at < only.until)
    found = db.session.execute(stmt).all()
    names = object_names([ev for ev, _name in found])
    rows = [EventRow(ev, name, names.get((ev.object_type, ev.object_id))) for ev, name in found]
    return AuditPage(rows, chain, audit_organizations(actor))


def audit_organizations(actor: User | None) -> list[Organization]:
    """Suggestions for the organization filter: those with accounts, in the auditor's scope."""
    require(can_view_reports(actor), AUDITORS_ONLY)
    province_id = auditor_province_id(actor) if is_auditor(actor) else None
    stmt = db.select(Organization).where(Organization.id.in_(db.select(User.organization_id).distinct()))
    if province_id is not None:
        stmt = stmt.where((Organization.id == province_id) | (Organization.parent_id == province_id))
    return list(db.session.execute(stmt.order_by(Organization.name).limit(1000)).scalars())
