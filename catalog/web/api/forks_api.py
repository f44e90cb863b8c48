"""Mirrors and forks in the API: refresh a mirror, create and read forks, refresh and sync them."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from ...services.catalog import apps
from ...services.errors import ValidationFailed
from ...services.repos import forks, mirrors
from ...services.repos import refresh as fork_refresh
from .blueprint import bp
from .common import json_body, listing, page_args, require_actor
from .serializers import app_json, fork_json


@bp.post("/apps/<slug>/refresh")
def api_app_refresh(slug: str):
    return app_json(mirrors.request_refresh(slug, actor=require_actor())), 202


@bp.get("/apps/<slug>/forks")
def api_fork_list(slug: str):
    page, per_page = page_args()
    app = apps.get_published(slug)
    rows, total = forks.forks_of_app(app.id, page, per_page)
    return listing([fork_json(f) for f in rows], total, page, per_page)


@bp.post("/apps/<slug>/forks")
def api_fork_create(slug: str):
    actor = require_actor()
    body = json_body() if request.content_length else {}
    wrong = {k: _("Harus berupa teks.") for k in ("org", "name") if not isinstance(body.get(k) or "", str)}
    if wrong:
        raise ValidationFailed(_("Periksa kembali isian yang ditandai."), wrong)
    fork = forks.create_fork(slug, actor=actor, org_code=body.get("org") or None, name=body.get("name") or None)
    return fork_json(fork), 201


@bp.get("/forks/<int:fork_id>")
def api_fork_detail(fork_id: int):
    fork = forks.get_shown_fork(fork_id)
    return fork_json(fork, fork_refresh.fork_details(fork))


@bp.post("/forks/<int:fork_id>/refresh")
def api_fork_refresh(fork_id: int):
    return fork_json(forks.request_refresh(fork_id, actor=require_actor()))


@bp.post("/forks/<int:fork_id>/sync")
def api_fork_sync(fork_id: int):
    fork, outcome = forks.sync_fork(fork_id, actor=require_actor())
    return {**fork_json(fork), "outcome": outcome}
