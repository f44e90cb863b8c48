"""Guided adoption ("Adopsi aplikasi"): one page per app, from what it needs to recording where it
runs, and the mirror's progress as JSON for the page script (the page refreshes without script)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import jsonify, render_template
from flask_babel import lazy_gettext as _l

from ...services.catalog import apps, change_marks
from ...services.catalog.adoption import LICENCE_KINDS, dependencies, install_section, licence_kind
from ...services.deployments import queries as deployment_queries
from ...services.permissions import can_fork, can_record_deployment
from ...services.repos import listing as fork_listing
from ...services.repos import mirrors
from ...vocab import deployments as deployment_vocab
from .. import page_cache
from ..auth import current_actor
from ..i18n import translate
from .blueprint import bp

SOFTWARE_TYPES = {
    "standalone/web": _l("Aplikasi web: dipasang di server, dibuka lewat peramban"),
    "standalone/mobile": _l("Aplikasi ponsel (Android/iOS)"),
    "standalone/desktop": _l("Aplikasi desktop yang dipasang di tiap komputer"),
    "standalone/backend": _l("Layanan latar (backend/API) tanpa tampilan sendiri"),
    "standalone/iot": _l("Perangkat lunak untuk perangkat IoT"),
    "standalone/other": _l("Aplikasi mandiri jenis lain"),
    "addon": _l("Tambahan (add-on) untuk aplikasi lain"),
    "library": _l("Pustaka (library) untuk pengembang"),
    "configurationFiles": _l("Berkas konfigurasi"),
}
@bp.get("/apps/<slug>/adopsi")
def adoption_guide(slug: str):
    page_cache.keep_for_session()
    actor = current_actor()
    app = apps.get_app(slug, actor)
    mirror = mirrors.get_mirror(app)
    org = actor.organization if actor is not None else None
    kind = licence_kind(app.license)
    own_deployments = deployment_queries.organization_app_deployments(org.id, app.id) if org is not None else []
    # Who uses it and the install notes are loaded only when their shared fragments are rendered.
    return render_template(
        "adoption/guide.html", app=app, mirror=mirror, releases=mirrors.releases(app.id, limit=5),
        load_usage=lambda: _usage(app), marks=change_marks.app_change_marks(app.id),
        depends=dependencies(app.publiccode_extras),
        software_type=SOFTWARE_TYPES.get(app.software_type, app.software_type), licence=LICENCE_KINDS[kind],
        licence_kind=kind, load_install_docs=lambda: install_section(mirror.readme if mirror else ""),
        own_fork=fork_listing.fork_of_organization(app.id, org.id if org is not None else None),
        may_fork=actor is not None and org is not None and can_fork(actor, org),
        may_record=actor is not None and org is not None and can_record_deployment(actor, org),
        own_deployments=own_deployments)


@dataclass(frozen=True)
class Usage:
    used: deployment_queries.DeploymentPage
    status_counts: list[tuple[str, int]]
    region_count: int


def _usage(app) -> Usage:
    """Step 2, the same for everyone: deployments of the app, counted by status, and how many
    organizations copied or run it."""
    used = deployment_queries.list_deployments(app=app.slug, per_page=50,
                                               count_limit=deployment_queries.LIST_COUNT_LIMIT)
    counts: dict[str, int] = {}
    for dep in used.items:
        counts[dep.status] = counts.get(dep.status, 0) + 1
    regions = fork_listing.forking_organization_ids(app.id) | {d.organization_id for d in used.items}
    return Usage(used, [(s, counts[s]) for s in deployment_vocab.STATUSES if s in counts], len(regions))


@bp.get("/apps/<slug>/mirror.json")
def mirror_progress(slug: str):
    """State and progress of the app's upstream copy, for the page script that polls it."""
    app = apps.get_app(slug, current_actor())
    mirror = mirrors.get_mirror(app)
    if mirror is None:
        body = {"state": "none", "progress": 0, "text": "", "error": "", "done": False}
    else:
        body = {"state": mirror.state, "progress": mirror.progress, "text": mirror.progress_text,
                "error": translate(mirror.error), "done": mirror.state in ("ready", "failed"),
                "head": mirror.head, "fetched_at": mirror.fetched_at.isoformat() if mirror.fetched_at else None}
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response
