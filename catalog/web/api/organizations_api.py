"""GET /api/v1/organizations."""
from __future__ import annotations

from flask import request

from ...services.accounts import organizations
from .blueprint import bp
from .common import listing, page_args
from .serializers import organization_json


@bp.get("/organizations")
def organization_list():
    page, per_page = page_args()
    rows, total = organizations.list_organizations(
        kind=request.args.get("kind") or None, parent=request.args.get("parent") or None,
        q=request.args.get("q") or None, page=page, per_page=per_page)
    return listing([organization_json(o) for o in rows], total, page, per_page)
