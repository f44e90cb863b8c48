"""Contributions in the API: offer a fork's commits upstream, list and read them, download the
patch series or bundle, accept or decline (the app's publisher); what forks change in common."""
from __future__ import annotations

from typing import Any

from flask import Response, request, url_for

from ...models import Contribution
from ...services.repos import contributions, hosted, hotspots
from .blueprint import bp
from .common import json_body, listing, page_args, require_actor


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def contribution_json(row: Contribution) -> dict[str, Any]:
    return {
        "id": row.id, "state": row.state, "title": row.title, "description": row.description,
        "app": row.app.slug, "fork": {"id": row.fork.id, "name": row.fork.name, "org": row.fork.organization.code},
        "commits": [dict(c) for c in row.commits], "upstream_commit": row.upstream_commit,
        "created_at": _iso(row.created_at), "decided_at": _iso(row.decided_at),
        "decision_note": row.decision_note or None, "merged_at": _iso(row.merged_at),
        "merged_release": row.merged_release or None,
        "url": url_for("ui.contribution_detail", contribution_id=row.id, _external=True),
        "patch_url": url_for("api.api_contribution_patch", contribution_id=row.id, _external=True),
        "bundle_url": url_for("api.api_contribution_bundle", contribution_id=row.id, _external=True),
    }


@bp.post("/forks/<int:fork_id>/contributions")
def api_contribution_create(fork_id: int):
    actor = require_actor()
    body = json_body()
    row = contributions.create_contribution(fork_id, actor=actor, title=body.get("title"),
                                            description=body.get("description"), commits=body.get("commits"),
                                            notes=body.get("notes"))
    return contribution_json(row), 201


@bp.get("/apps/<slug>/contributions")
def api_contribution_list(slug: str):
    page, per_page = page_args()
    rows, total = contributions.contributions_of_app(slug, request.args.get("state") or None, page, per_page)
    return listing([contribution_json(r) for r in rows], total, page, per_page)


@bp.get("/contributions/<int:contribution_id>")
def api_contribution_detail(contribution_id: int):
    return contribution_json(contributions.get_contribution(contribution_id))


@bp.get("/contributions/<int:contribution_id>.patch")
def api_contribution_patch(contribution_id: int):
    data = contributions.patch_series(contribution_id)
    return Response(data, mimetype="application/mbox", headers={
        "Content-Disposition": f"attachment; filename=usulan-{contribution_id}.patch"})


@bp.get("/contributions/<int:contribution_id>.bundle")
def api_contribution_bundle(contribution_id: int):
    data = contributions.bundle(contribution_id)
    return Response(data, mimetype="application/octet-stream", headers={
        "Content-Disposition": f"attachment; filename=usulan-{contribution_id}.bundle"})


def _note() -> Any:
    return json_body().get("note") if request.content_length else None


@bp.post("/contributions/<int:contribution_id>/accept")
def api_contribution_accept(contribution_id: int):
    return contribution_json(contributions.accept(contribution_id, actor=require_actor(), note=_note()))


@bp.post("/contributions/<int:contribution_id>/decline")
def api_contribution_decline(contribution_id: int):
    return contribution_json(contributions.decline(contribution_id, actor=require_actor(), note=_note()))


@bp.post("/contributions/<int:contribution_id>/merge")
def api_contribution_merge(contribution_id: int):
    """Hosted upstreams only: 409 with `conflicts` when files conflict (nothing is written)."""
    row, outcome = hosted.merge(contribution_id, actor=require_actor())
    return {**contribution_json(row), "outcome": outcome}


@bp.get("/apps/<slug>/hotspots")
def api_app_hotspots(slug: str):
    return hotspots.hotspots_json(slug)
