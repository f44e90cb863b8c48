"""GET /api/v1/apps/<slug>/used-by: the evidence behind each name of the exported usedBy."""
from __future__ import annotations

from flask import url_for

from ...services.catalog import apps
from ...services.deployments import used_by
from .blueprint import bp
from .common import api_actor


def _iso(value) -> str | None:
    return value.isoformat() if value else None


@bp.get("/apps/<slug>/used-by")
def api_app_used_by(slug: str):
    """One item per name in the app's publiccode.yml usedBy, with the deployment that earns it."""
    app = apps.get_app(slug, api_actor())
    items = [{
        "name": e.org_name, "org": {"code": e.org_code, "name": e.org_name},
        "deployment_id": e.deployment_id,
        "deployment_url": url_for("api.api_deployment_detail", deployment_id=e.deployment_id, _external=True),
        "evidence": {"declared": True, "confirmed": e.confirmed, "observed": e.observed},
        "confirmation": {"role": e.confirmed_role, "at": _iso(e.confirmed_at)} if e.confirmed else None,
        "last_seen_at": _iso(e.last_seen_at), "observed_version": e.observed_version,
    } for e in used_by.verified(app.id)]
    return {"app": app.slug, "items": items, "total": len(items),
            "rule": "production deployments confirmed by the publisher or an auditor, or observed "
                    "(a heartbeat within 30 days)"}
