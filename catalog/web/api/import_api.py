"""POST /api/v1/apps/import: a draft from a publiccode.yml, pasted or read from a repository."""
from __future__ import annotations

from ...services.interop import imports
from .blueprint import bp
from .common import json_body, require_actor
from .serializers import app_json


@bp.post("/apps/import")
def api_app_import():
    """201 with the draft and `warnings` per key; 422 lists every problem against its key path
    (and names the draft when one could still be saved)."""
    actor = require_actor()
    body = json_body()
    app, warnings = imports.import_app(text=body.get("publiccode_yml"), repo_url=body.get("repo_url"),
                                       actor=actor, org_code=body.get("org") or None, slug=body.get("slug") or None)
    return {**app_json(app), "warnings": warnings}, 201
