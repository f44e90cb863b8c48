"""Home, catalog list with facets, and the app page."""
from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...services import permissions
from ...services.catalog import apps, browse, change_marks, similar, vitality
from ...services.deployments import queries as deployment_queries
from ...services.errors import ValidationFailed
from ...services.repos import downloads, forks, mirrors, purge
from ...services.repos import listing as fork_listing
from .. import fragments, page_cache
from ..auth import current_actor
from .blueprint import bp, page_arg


def _home_body() -> tuple[str, int]:
    result = browse.browse("", {}, page=1, per_page=6, with_facets=True, cards_only=True)
    return render_template("catalog/_home_body.html", counts=browse.counts(), latest=result.apps,
                           categories=result.facets.get("category", [])), 200  # every category with an app


def _listing(key: tuple, render) -> tuple[str, int]:
    """List, search and home show what the node's search index holds: kept under its position
    (`change_marks.index_mark`) whatever else is written, so that deployments, pushes and forks
    elsewhere do not force a render; under the data version while the position is not settled."""
    mark = change_marks.index_mark(settle=float(current_app.config["PAGE_CACHE_SETTLE"]))
    if mark is None:
        return fragments.cached(key, render)
    return fragments.cached((*key, mark), render, own_version=True)


@bp.get("/")
def home():
    page_cache.keep_for_session()
    body, _status = _listing(("home", str(get_locale())), _home_body)
    return render_template("catalog/home.html", body=body)


@bp.get("/apps")
def app_list():
    page_cache.keep_for_session()
    q = request.args.get("q", "")
    filters = {k: request.args.get(k, "") for k in browse.FILTER_KEYS}
    page = page_arg()
    sort, min_vitality = request.args.get("sort", "")[:20], request.args.get("min_vitality", "")[:10]

    def render() -> tuple[str, int]:
        try:
            vitality_args = browse.parse_vitality_args(sort, min_vitality)
            result = browse.browse(q, filters, page=page, per_page=20, sort=vitality_args[0],
                                   min_vitality=vitality_args[1], cards_only=True)
            error = None
        except ValidationFailed as exc:
            result, error = browse.BrowseResult([], 0, 1, 20, q, {}), exc.message
        return render_template("catalog/_list_body.html", result=result, error=error, q=q), 400 if error else 200

    key = ("apps", str(get_locale()), q, tuple(sorted(filters.items())), page, sort, min_vitality)
    body, status = _listing(key, render)
    return render_template("catalog/list.html", body=body), status


@bp.get("/apps/<slug>")
def app_detail(slug: str):
    page_cache.keep_for_session()
    app = apps.get_app(slug, current_actor(), shell_only=True)
    mirror = mirrors.get_mirror(app)
    if mirror is not None and mirror.state in ("queued", "fetching"):
        page_cache.max_age(0)  # progress changes every second without an audit event
    own_fork = None  # the signed-in adopter's region already has a copy: link it, offer no second one
    if current_user.is_authenticated and current_user.role in ("adopter", "admin"):
        own_fork = fork_listing.fork_of_organization(app.id, current_user.organization_id)
    # An entry not yet published: its editors see what it may duplicate (a per-person block).
    actor = current_actor()
    similar_items = (similar.similar_apps(app) if app.state in ("draft", "submitted", "returned") and actor
                     is not None and permissions.can_edit_app(actor, app) else [])
    # Releases, forks, deployments and vitality are loaded inside their shared fragments, only
    # when those are rendered.
    return render_template("catalog/detail.html", app=app, mirror=mirror, own_fork=own_fork,
                           similar_items=similar_items, marks=change_marks.app_change_marks(app.id),
                           load_vitality=lambda: vitality.for_app(app.id),
                           load_releases=lambda: mirrors.releases(app.id),
                           load_fork_page=lambda: fork_listing.fork_page(app.id),
                           load_deployments=lambda: deployment_queries.app_deployments(app.id))


@bp.get("/apps/<slug>/salinan")
def app_forks(slug: str):
    """All regional copies of an app, 50 a page (the app page shows the first 50)."""
    app = apps.get_app(slug, current_actor())
    return render_template("catalog/forks.html", app=app,
                           fork_page=fork_listing.fork_page(app.id, page_arg()))


@bp.get("/apps/<slug>/download")
def app_download(slug: str):
    """zip or tar.gz of a release or commit (?rev=v1.2.0&format=zip), for those who will not use git."""
    app = apps.get_app(slug, current_actor())
    return _archive(downloads.app_archive(app, request.args.get("rev", "HEAD"), request.args.get("format", "zip")))


@bp.get("/forks/<int:fork_id>/download")
def fork_download(fork_id: int):
    fork = forks.get_fork(fork_id)
    return _archive(downloads.fork_archive(fork, request.args.get("rev", "HEAD"), request.args.get("format", "zip")))


def _archive(archive):
    """The archive is complete (made into a temporary file, git's exit checked) before this
    answers 200; its length is known, so a client can tell a cut connection from the end."""
    response = Response(archive.chunks, mimetype=archive.content_type, direct_passthrough=True)
    response.headers["Content-Disposition"] = f'attachment; filename="{archive.filename}"'
    if archive.size is not None:
        response.headers["Content-Length"] = str(archive.size)
    return response


# A platform admin's purge of what no branch or tag reaches (a secret force-pushed away).
def _purge_page(kind: str, ident, action: str, back: str):
    relpath, _type, _id = purge.purge_target(kind, ident, actor=current_user)
    return render_template("repos/purge.html", relpath=relpath, action=action, back=back)


def _purge_done(kind: str, ident, back: str):
    purge.request_purge(kind, ident, actor=current_user, reason=request.form.get("reason", ""))
    flash(_("Pembersihan dimulai: objek yang tidak terjangkau dari cabang atau tag mana pun dihapus "
            "dalam beberapa saat. Tindakan ini tercatat di jejak audit."), "success")
    return redirect(back)


@bp.get("/forks/<int:fork_id>/purge")
@login_required
def fork_purge_form(fork_id: int):
    return _purge_page("fork", fork_id, url_for("ui.fork_purge", fork_id=fork_id),
                       url_for("ui.fork_detail", fork_id=fork_id))


@bp.post("/forks/<int:fork_id>/purge")
@login_required
def fork_purge(fork_id: int):
    return _purge_done("fork", fork_id, url_for("ui.fork_detail", fork_id=fork_id))


@bp.get("/apps/<slug>/purge")
@login_required
def app_purge_form(slug: str):
    return _purge_page("mirror", slug, url_for("ui.app_purge", slug=slug), url_for("ui.app_detail", slug=slug))


@bp.post("/apps/<slug>/purge")
@login_required
def app_purge(slug: str):
    return _purge_done("mirror", slug, url_for("ui.app_detail", slug=slug))
