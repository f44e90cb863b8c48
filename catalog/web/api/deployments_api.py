"""Deployments in the API: list, read with events, record, change status, edit, confirm."""
from __future__ import annotations

from flask import request

from ...services.deployments import change_marks
from ...services.deployments import lifecycle as deployments
from ...services.deployments import queries as deployment_queries
from .. import fragments
from .blueprint import bp
from .common import api_actor, json_body, listing, page_args, require_actor
from .deployment_json import deployment_json


@bp.get("/deployments")
def api_deployment_list():
    page, per_page = page_args()
    filters = {k: request.args.get(k, "") for k in ("org", "app", "status", "province", "strength")}
    actor = api_actor()

    def build() -> dict:
        result = deployment_queries.list_deployment_records(page=page, per_page=per_page, **filters)
        return listing([deployment_json(d, actor) for d in result.items], result.total, page, per_page)

    # Who may read a deployment's private fields follows from role and organization alone
    # (permissions.can_view_deployment_details): callers alike in both share one answer.
    viewer = (actor.role, actor.organization_id) if actor is not None and actor.is_active else None
    key = ("deployments", viewer, tuple(sorted(filters.items())), page, per_page)
    # One organization's list (by its code) is kept until that organization's rows change.
    marks = change_marks.region_change_marks_by_code(filters["org"]) if filters["org"] else None
    if marks is not None:
        return fragments.shared_json((*key, marks), build, own_version=True)
    return fragments.shared_json(key, build)


@bp.get("/deployments/<int:deployment_id>")
def api_deployment_detail(deployment_id: int):
    actor = api_actor()
    dep = deployments.get_deployment(deployment_id, actor)
    return deployment_json(dep, actor, history=deployments.history(dep))


@bp.post("/deployments")
def api_deployment_create():
    actor = require_actor()
    data = json_body()
    org, app = data.pop("org", None), data.pop("app", None)
    dep = deployments.create_deployment(data, actor=actor, app_slug=app, org_code=org)
    return deployment_json(dep, actor, history=deployments.history(dep)), 201


@bp.patch("/deployments/<int:deployment_id>")
def api_deployment_update(deployment_id: int):
    actor = require_actor()
    dep = deployments.update_deployment(deployment_id, json_body(), actor=actor)
    return deployment_json(dep, actor, history=deployments.history(dep))


@bp.post("/deployments/<int:deployment_id>/status")
def api_deployment_status(deployment_id: int):
    actor = require_actor()
    body = json_body()
    dep = deployments.change_status(deployment_id, body.get("status"), actor=actor, note=body.get("note", ""))
    return deployment_json(dep, actor, history=deployments.history(dep))


@bp.post("/deployments/<int:deployment_id>/confirm")
def api_deployment_confirm(deployment_id: int):
    actor = require_actor()
    body = request.get_json(silent=True) or {}
    note = body.get("note", "") if isinstance(body, dict) else ""
    dep = deployments.confirm_deployment(deployment_id, actor=actor, note=note)
    return deployment_json(dep, actor, history=deployments.history(dep))
