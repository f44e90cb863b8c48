"""Rows to JSON-ready dicts, in the shapes of the contract."""
from __future__ import annotations

from typing import Any

from flask import url_for

from ...models import App, Fork, Mirror, Organization, Release
from ..links import clone_url


def organization_json(org: Organization) -> dict[str, Any]:
    return {"code": org.code, "name": org.name, "kind": org.kind, "slug": org.slug,
            "parent": org.parent.code if org.parent else None}


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def app_json(app: App, *, full: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "slug": app.slug, "name": app.name,
        "short_description": {"id": app.short_description_id, "en": app.short_description_en or None},
        "category": app.category, "tags": list(app.tags), "license": app.license,
        "repo_url": app.public_repo_url, "publisher": organization_json(app.publisher),
        "development_status": app.development_status, "state": app.state,
        "url": url_for("ui.app_detail", slug=app.slug, _external=True),
        "updated_at": _iso(app.updated_at), "published_at": _iso(app.published_at),
        "vitality": vitality_json(app),
    }
    if full:
        data.update({
            "description": app.description, "features": list(app.features),
            "software_type": app.software_type, "platforms": app.platforms,
            "documentation_url": app.documentation_url or None,
            "maintenance": {"type": app.maintenance_type, "contacts": list(app.maintenance_contacts),
                            "contractor": app.contractor_name or None, "contract_end": _iso(app.contract_end)},
            "review_note": app.review_note or None, "created_at": _iso(app.created_at),
            **repository_summary(app),
        })
    return data


def vitality_json(app: App) -> dict[str, Any] | None:
    """The stored vitality index (docs/vitality.md); None until the worker first computed it."""
    row = app.vitality
    if row is None:
        return None
    return {"score": row.score, "components": row.components, "series": list(row.series),
            "computed_at": _iso(row.computed_at)}


def mirror_json(mirror: Mirror | None) -> dict[str, Any] | None:
    if mirror is None:
        return None
    return {"state": mirror.state, "progress": mirror.progress, "progress_text": mirror.progress_text or None,
            "error": mirror.error or None, "fetched_at": _iso(mirror.fetched_at), "head": mirror.head,
            "default_branch": mirror.default_branch,
            "clone_url": clone_url(mirror.relpath) if mirror.head else None}


def release_json(release: Release | None) -> dict[str, Any] | None:
    if release is None:
        return None
    return {"name": release.name, "commit": release.commit, "date": _iso(release.date)}


def repository_summary(app: App) -> dict[str, Any]:
    from ...services.deployments import lifecycle as deployments
    from ...services.repos import listing as fork_listing
    from ...services.repos import mirrors

    return {"mirror": mirror_json(mirrors.get_mirror(app)),
            "latest_release": release_json(mirrors.latest_release(app.id)),
            "forks_count": fork_listing.fork_count(app.id), "deployments_count": deployments.active_count(app.id)}


def fork_json(fork: Fork, details=None) -> dict[str, Any]:
    """`details` (fork_refresh.fork_details) for one fork's entry; lists use the stored ones."""
    d = details or fork
    return {
        "id": fork.id, "app": fork.app.slug, "org": organization_json(fork.organization), "name": fork.name,
        "clone_url": clone_url(fork.relpath),
        "default_branch": fork.default_branch, "base_commit": fork.base_commit,
        "created_at": _iso(fork.created_at), "note": fork.note or None,
        "url": url_for("ui.fork_detail", fork_id=fork.id, _external=True),
        "divergence": {
            "ahead": fork.ahead, "behind": fork.behind, "merge_base": d.merge_base,
            "files_changed": fork.files_changed, "insertions": fork.insertions, "deletions": fork.deletions,
            "files_differing_from_upstream": d.files_differing_from_upstream,
            "upstream_head": fork.upstream_head, "fork_head": fork.fork_head,
            "computed_at": _iso(fork.computed_at), "error": fork.divergence_error or None,
            "releases_since_base": list(d.releases_since_base),
            # own commits less those upstream holds by patch-id (issue 20), and those it holds
            "own_commits": len(d.own_commits), "upstreamed_commits": list(d.upstreamed_commits or []),
        },
    }
