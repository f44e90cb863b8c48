"""Apps in the API: list and search, read, create, edit, submit, publish, return."""
from __future__ import annotations

from flask import request

from ...models import AppState
from ...services.catalog import apps, browse, vitality
from ...services.repos import mirrors
from .. import fragments
from .blueprint import bp
from .common import api_actor, json_body, listing, page_args, require_actor
from .serializers import app_json


@bp.get("/apps")
def api_app_list():
    page, per_page = page_args()
    q, filters = request.args.get("q", ""), {k: request.args.get(k, "") for k in browse.FILTER_KEYS}
    sort, min_vitality = browse.parse_vitality_args(request.args.get("sort"), request.args.get("min_vitality"))

    def build() -> dict:  # published apps only: the same for every caller
        result = browse.browse(q, filters, page=page, per_page=per_page, with_facets=False,
                               sort=sort, min_vitality=min_vitality)
        body = listing([app_json(a, full=False) for a in result.apps], result.total, page, per_page)
        if q:  # "partial": no app holds every word, these hold most of them (as the page marks them)
            body["partial"] = result.partial
            body["closest"] = [app_json(a, full=False) for a in result.closest]
        return body

    key = ("apps", q, tuple(sorted(filters.items())), page, per_page, sort, min_vitality)
    return fragments.shared_json(key, build)


@bp.get("/apps/<slug>")
def api_app_detail(slug: str):
    app = apps.get_app(slug, api_actor(), shell_only=True)
    if app.state != AppState.PUBLISHED.value:  # drafts answer only their publisher: never shared
        return app_json(app)
    mirror = mirrors.get_mirror(app)  # its progress moves without a change of the data version
    progress = (mirror.state, mirror.progress, mirror.fetched_at, mirror.head) if mirror else None
    scored = vitality.for_app(app.id)  # recomputed by the worker without an edit of the app
    key = ("app", app.id, app.updated_at, progress, scored.computed_at if scored else None)
    return fragments.shared_json(key, lambda: app_json(app))


@bp.post("/apps")
def api_app_create():
    actor = require_actor()
    data = _flatten_short(json_body())
    org = data.pop("org", None)
    return app_json(apps.create_app(data, actor=actor, org_code=org)), 201


def _flatten_short(data: dict) -> dict:
    """The contract's {short_description: {id, en}} to the entry's two fields."""
    short = data.pop("short_description", None)
    if isinstance(short, dict):
        if "id" in short:
            data["short_description_id"] = short["id"]
        if "en" in short:
            data["short_description_en"] = short["en"] or ""
    elif short is not None:
        data["short_description_id"] = short
    return data


@bp.patch("/apps/<slug>")
def api_app_update(slug: str):
    actor = require_actor()
    return app_json(apps.update_app(slug, _flatten_short(json_body()), actor=actor))


@bp.post("/apps/<slug>/submit")
def api_app_submit(slug: str):
    return app_json(apps.submit_app(slug, actor=require_actor()))


@bp.post("/apps/<slug>/publish")
def api_app_publish(slug: str):
    body = request.get_json(silent=True)
    note = body.get("note", "") if isinstance(body, dict) else ""  # the note is optional, any body is
    return app_json(apps.publish_app(slug, actor=require_actor(), note=str(note)))


@bp.post("/apps/<slug>/return")
def api_app_return(slug: str):
    return app_json(apps.return_app(slug, actor=require_actor(), note=str(json_body().get("note", ""))))
