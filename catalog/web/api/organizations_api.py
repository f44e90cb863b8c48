"""GET /api/v1/organizations and /api/v1/organizations/<code> (what one publishes, uses and runs)."""
from __future__ import annotations

from typing import Any

from flask import request, url_for

from ...services.accounts import organizations
from ...services.oversight import organization_profile as profiles
from .. import fragments
from .blueprint import bp
from .common import int_arg, listing, page_args
from .serializers import organization_json


@bp.get("/organizations")
def organization_list():
    page, per_page = page_args()
    kind, parent, q = (request.args.get(k) or None for k in ("kind", "parent", "q"))

    def build() -> dict:  # the same for every caller
        rows, total = organizations.list_organizations(kind=kind, parent=parent, q=q, page=page, per_page=per_page)
        return listing([organization_json(o) for o in rows], total, page, per_page)

    return fragments.shared_json(("organizations", kind, parent, q, page, per_page), build)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _published(a: profiles.PublishedApp) -> dict[str, Any]:
    return {"slug": a.slug, "name": a.name, "category": a.category,
            "short_description": {"id": a.short_description_id, "en": a.short_description_en or None},
            "forks_count": a.forks, "deployments_count": a.deployments,
            "contacts": [{"name": c.get("name", ""), "email": c.get("email") or "", "phone": c.get("phone") or ""}
                         for c in a.contacts],
            "url": url_for("ui.app_detail", slug=a.slug, _external=True)}


def _used(d: profiles.UsedApp) -> dict[str, Any]:
    lag = None if d.retired else {"releases": d.lag_releases, "commits": d.lag_commits,
                                  "latest_release": d.lag_latest_release, "computed_at": _iso(d.lag_computed_at)}
    return {"id": d.id, "status": d.status, "environment": d.environment, "version": d.version,
            "fork_id": d.fork_id, "lag": lag,
            "evidence": {"declared": True, "confirmed": d.confirmed, "observed": d.observed},
            "last_seen_at": _iso(d.last_seen_at),
            "app": {"slug": d.app_slug, "name": d.app_name,
                    "publisher": {"code": d.publisher_code, "name": d.publisher_name},
                    "url": url_for("ui.app_detail", slug=d.app_slug, _external=True)},
            "url": url_for("ui.deployment_detail", deployment_id=d.id, _external=True)}


def _fork(f: profiles.ForkDrift) -> dict[str, Any]:
    return {"id": f.id, "name": f.name,
            "app": {"slug": f.app_slug, "name": f.app_name, "url": url_for("ui.app_detail", slug=f.app_slug,
                                                                            _external=True)},
            "divergence": {"ahead": f.ahead, "behind": f.behind, "files_changed": f.files_changed,
                           "files_differing_from_upstream": f.files_differing_from_upstream,
                           "computed_at": _iso(f.computed_at)},
            "url": url_for("ui.fork_detail", fork_id=f.id, _external=True)}


def _region(r: profiles.RegionRollup) -> dict[str, Any]:
    return {"code": r.code, "name": r.name, "kind": r.kind, "publishes": r.publishes,
            "deployments": r.deployments, "observed": r.observed, "forks": r.forks,
            "url": url_for("ui.organization_detail", code=r.code, _external=True),
            "api_url": url_for("api.api_organization_detail", code=r.code, _external=True)}


@bp.get("/organizations/<code>")
def api_organization_detail(code: str):
    """Sections hold at most per_page rows each; `total` says how many there are and `more`
    where the whole list is (forks page with `forks_page`)."""
    profile = profiles.organization_profile(code, forks_page=int_arg("forks_page", 1))
    org, forks = profile.org, profile.forks
    more_forks = (url_for("api.api_organization_detail", code=org.code, forks_page=forks.page + 1, _external=True)
                  if forks.page < forks.pages else None)
    return {
        **organization_json(org),
        "url": url_for("ui.organization_detail", code=org.code, _external=True),
        "publishes": [_published(a) for a in profile.publishes.items],
        "uses": [_used(d) for d in profile.uses.items],
        "forks": [_fork(f) for f in forks.items],
        "contacts": [{"name": p.name, "role": p.role} for p in profile.people.items],
        "regions": [_region(r) for r in profile.regions],
        "totals": {"publishes": profile.publishes.total, "uses": profile.uses.total, "forks": forks.total,
                  "contacts": profile.people.total},
        "per_page": profiles.SECTION_LIMIT, "forks_page": forks.page,
        "more": {
            "publishes": url_for("api.api_app_list", publisher=org.code, _external=True)
            if profile.publishes.more else None,
            "uses": url_for("api.api_deployment_list", org=org.code, _external=True) if profile.uses.more else None,
            "forks": more_forks,
        },
    }
