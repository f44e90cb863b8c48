"""The signed-in side of the API: a user's notifications and a publisher's harvested proposals,
through the same services (and permission rules) as the pages."""
from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _

from ...models import Notification, Proposal
from ...services.accounts import notifications
from ...services.errors import ValidationFailed
from ...services.interop import harvest
from .blueprint import bp
from .common import json_body, listing, page_args, require_actor


def notification_json(n: Notification) -> dict[str, Any]:
    return {"id": n.id, "kind": n.kind, "title": n.title, "body": n.body, "link": n.link,
            "created_at": n.created_at.isoformat(timespec="seconds"),
            "read_at": n.read_at.isoformat(timespec="seconds") if n.read_at else None}


def proposal_json(p: Proposal) -> dict[str, Any]:
    return {"id": p.id, "app": p.app.slug, "status": p.status, "source_head": p.source_head,
            "changes": p.changes, "errors": p.errors, "warnings": p.warnings,
            "created_at": p.created_at.isoformat(timespec="seconds"),
            "decided_at": p.decided_at.isoformat(timespec="seconds") if p.decided_at else None,
            "decision_note": p.decision_note}


@bp.get("/notifications")
def notification_list():
    user = require_actor()
    page, per_page = page_args()
    unread_only = request.args.get("unread", "").lower() in ("1", "true", "yes")
    found = notifications.list_for(user, unread_only=unread_only, page=page, per_page=per_page)
    return {**listing([notification_json(n) for n in found.items], found.total, page, per_page),
            "unread": found.unread}


@bp.post("/notifications/read")
def notification_read_all():
    """Marks every unread notification of the token's owner, or only `ids` when given."""
    user = require_actor()
    ids = None
    if request.get_data():
        ids = json_body().get("ids")
        if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise ValidationFailed(_("'ids' harus daftar bilangan bulat."), {"ids": _("Daftar bilangan bulat.")})
    return {"marked": notifications.mark_read(user, ids)}


@bp.post("/notifications/<int:notification_id>/read")
def notification_read(notification_id: int):
    return notification_json(notifications.mark_one_read(require_actor(), notification_id))


@bp.get("/apps/<slug>/proposals")
def proposal_list(slug: str):
    page, per_page = page_args()
    app, items = harvest.proposals_for_app(slug, actor=require_actor(), limit=per_page, page=page)
    return listing([proposal_json(p) for p in items], harvest.proposal_count(app.id), page, per_page)


@bp.get("/proposals/<int:proposal_id>")
def proposal_detail(proposal_id: int):
    return proposal_json(harvest.get_proposal(proposal_id, require_actor()))


@bp.post("/proposals/<int:proposal_id>/accept")
def proposal_accept(proposal_id: int):
    """Body `{fields?: [...]}`: the changes to apply; all of them when absent."""
    actor = require_actor()
    fields = json_body().get("fields") if request.get_data() else None
    if fields is not None and (not isinstance(fields, list) or not all(isinstance(f, str) for f in fields)):
        raise ValidationFailed(_("'fields' harus daftar nama isian."), {"fields": _("Daftar nama isian.")})
    return proposal_json(harvest.accept_proposal(proposal_id, actor=actor, fields=fields))


@bp.post("/proposals/<int:proposal_id>/reject")
def proposal_reject(proposal_id: int):
    actor = require_actor()
    note = json_body().get("note", "") if request.get_data() else ""
    if not isinstance(note, str):
        raise ValidationFailed(_("'note' harus teks."), {"note": _("Teks.")})
    return proposal_json(harvest.reject_proposal(proposal_id, actor=actor, note=note))
