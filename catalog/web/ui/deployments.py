"""Deployment pages: the list with its record form, one deployment with its history, and
"Aplikasi di daerah saya"."""
from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...services.deployments import change_marks
from ...services.deployments import lifecycle as deployments
from ...services.deployments import queries as deployment_queries
from ...services.deployments.fields import EDITABLE
from ...services.errors import Conflict, NotFound, ValidationFailed
from ...services.permissions import can_record_deployment
from ...vocab import deployments as deployment_vocab
from .. import fragments, page_cache
from ..auth import current_actor
from ..i18n import viewer_zone
from . import heartbeat_pages
from .blueprint import bp, page_arg

FILTERS = ("org", "app", "status", "province", "strength")


@bp.record_once
def _template_globals(state) -> None:
    """Deployment vocabularies for templates and the macros they import."""
    state.app.jinja_env.globals["dv"] = deployment_vocab


def _form_data(*, creating: bool) -> dict:
    keys = EDITABLE + (("status",) if creating else ())
    return {k: request.form.get(k, "") for k in keys}


def _own_forks(actor, values: dict) -> list:
    """The region's copies to offer as the source: of the chosen app only, when one is chosen
    (a copy of another app can never be the source), with the region's own copy preselected."""
    if actor is None or not can_record_deployment(actor, actor.organization):
        return []
    forks = deployment_queries.fork_choices(actor.organization_id)
    chosen = values.get("app")
    if chosen and any(f.app_slug == chosen for f in forks):
        forks = [f for f in forks if f.app_slug == chosen]
        if not values.get("fork_id"):
            values["fork_id"] = str(forks[0].id)
    elif chosen:
        forks = []
    return forks


def _list_body(filters: dict, page: int) -> tuple[str, int]:
    """The table of deployments: public, so one rendering serves everyone who asks for the same
    filters and page while the data stands (a shared fragment), signed in or not."""
    def render() -> tuple[str, int]:
        try:
            result, error = deployment_queries.list_deployments(
                page=page, count_limit=deployment_queries.LIST_COUNT_LIMIT, **filters), None
        except ValidationFailed as exc:
            result, error = deployment_queries.DeploymentPage([], 0, 1, 20), exc
        return render_template("deployments/_list_body.html", result=result, filter_error=error), 400 if error else 200

    key = ("deployments", str(get_locale()), viewer_zone(), tuple(sorted(filters.items())), page)
    return fragments.cached(key, render)


def _suggestions() -> str:
    """The filters' datalists: names only, public, one rendering for everyone (a shared fragment)."""
    def render() -> tuple[str, int]:
        return render_template("deployments/_suggestions.html",
                               suggestions=deployment_queries.filter_suggestions()), 200

    return fragments.cached(("deployment-suggestions", deployment_queries.MAX_APP_CHOICES), render)[0]


@bp.get("/deployments/saran-aplikasi")
def deployment_app_suggestions():
    """Apps whose name starts with `q`: the app filter's suggestions while typing, when the
    catalog has too many to list in the page (static/js/suggest.js). Public names, JSON."""
    response = jsonify({"items": deployment_queries.app_names_starting(request.args.get("q", ""))})
    response.cache_control.public = True
    response.cache_control.max_age = 60
    return response


def _render_list(values: dict, errors: dict, status: int = 200):
    actor = current_actor()
    filters = {k: request.args.get(k, "") for k in FILTERS}
    body, body_status = _list_body(filters, page_arg())
    can_record = actor is not None and can_record_deployment(actor, actor.organization)
    page = render_template("deployments/list.html", body=body, filters=filters, suggestions=_suggestions(),
                           can_record=can_record, values=values, errors=errors,
                           app_choices=deployment_queries.app_choices() if can_record else [],
                           forks=_own_forks(actor, values), actor=actor,
                           record_open=bool(errors or request.args.get("new_app") or request.args.get("catat")))
    return page, (body_status if status == 200 else status)


@bp.get("/deployments")
def deployment_list():
    page_cache.keep_for_session()
    return _render_list({"environment": "production", "status": "planned", "app": request.args.get("new_app", "")}, {})


@bp.post("/deployments")
@login_required
def deployment_create():
    values = _form_data(creating=True)
    values["app"], values["org"] = request.form.get("app", ""), request.form.get("org", "")
    data = {k: v for k, v in values.items() if k not in ("app", "org")}
    try:
        dep = deployments.create_deployment(data, actor=current_user, app_slug=values["app"],
                                            org_code=values["org"] or None)
    except (ValidationFailed, Conflict) as exc:
        flash(exc.message, "error")
        return _render_list(values, exc.fields or {"form": exc.message}, exc.status)
    except NotFound as exc:
        flash(exc.message, "error")
        return _render_list(values, {"org": exc.message}, 422)
    flash(_("Pemakaian %(name)s oleh %(name2)s tercatat.", name=dep.app.name, name2=dep.organization.name), "success")
    return redirect(url_for("ui.deployment_detail", deployment_id=dep.id))


def _render_detail(dep, *, status_values=None, status_errors=None, code: int = 200):
    return render_template("deployments/detail.html", dep=dep, history=deployments.history(dep),
                           actor=current_actor(), status_values=status_values or {},
                           status_errors=status_errors or {}, heartbeat_token=None,
                           snippets=heartbeat_pages.snippets_for(dep, None)), code


@bp.get("/deployments/<int:deployment_id>")
def deployment_detail(deployment_id: int):
    return _render_detail(deployments.get_deployment(deployment_id, current_actor()))


@bp.post("/deployments/<int:deployment_id>/status")
@login_required
def deployment_status(deployment_id: int):
    values = {"status": request.form.get("status", ""), "note": request.form.get("note", ""),
              "expected": request.form.get("expected", "")}
    if values["status"] == "retired" and request.form.get("confirmed") != "1":
        dep = deployments.get_changeable(deployment_id, current_user)  # a final step: say so, ask once more
        return render_template("deployments/confirm_retire.html", dep=dep, values=values)
    try:
        dep = deployments.change_status(deployment_id, values["status"], actor=current_user, note=values["note"],
                                        expected=values["expected"] or None)
    except (ValidationFailed, Conflict) as exc:
        flash(exc.message, "error")
        dep = deployments.get_deployment(deployment_id, current_user)
        return _render_detail(dep, status_values=values, status_errors=exc.fields or {"status": exc.message},
                              code=exc.status)
    flash(_("Status diubah menjadi %(v)s.", v=deployment_vocab.status_label(dep.status)), "success")
    return redirect(url_for("ui.deployment_detail", deployment_id=dep.id))


@bp.post("/deployments/<int:deployment_id>/confirm")
@login_required
def deployment_confirm(deployment_id: int):
    deployments.confirm_deployment(deployment_id, actor=current_user, note=request.form.get("note", ""))
    flash(_("Pemakaian dikonfirmasi. Laporan kini menandainya sebagai terkonfirmasi."), "success")
    return redirect(url_for("ui.deployment_detail", deployment_id=deployment_id))


def _edit_values(dep) -> dict:
    return {"environment": dep.environment, "version": dep.version, "url": dep.url, "hosting": dep.hosting,
            "opd_units": "\n".join(dep.opd_units), "note": dep.note, "fork_id": str(dep.fork_id or ""),
            "go_live_on": dep.go_live_on.isoformat() if dep.go_live_on else ""}


@bp.route("/deployments/<int:deployment_id>/edit", methods=["GET", "POST"])
@login_required
def deployment_edit(deployment_id: int):
    dep = deployments.get_changeable(deployment_id, current_user)
    forks = [f for f in deployment_queries.fork_choices(dep.organization_id) if f.app_id == dep.app_id]
    if request.method == "GET":
        return render_template("deployments/edit.html", dep=dep, values=_edit_values(dep), errors={}, forks=forks)
    values = _form_data(creating=False)
    try:
        deployments.update_deployment(deployment_id, values, actor=current_user)
    except (ValidationFailed, Conflict) as exc:
        flash(exc.message, "error")
        return render_template("deployments/edit.html", dep=dep, values=values, errors=exc.fields,
                               forks=forks), exc.status
    flash(_("Perubahan tersimpan dan tercatat di riwayat."), "success")
    return redirect(url_for("ui.deployment_detail", deployment_id=deployment_id))


@bp.get("/my/region")
@login_required
def my_region():
    page_cache.keep_for_session()
    org = deployment_queries.region_of(current_user, request.args.get("org") or None)

    def render() -> tuple[str, int]:  # the same for everyone of the organization
        return render_template("deployments/_mine_body.html", overview=deployment_queries.overview_of(org)), 200

    # Kept until the organization's own rows change, whatever is written elsewhere (own_version).
    key = ("my-region", org.id, str(get_locale()), viewer_zone(), change_marks.region_change_marks(org.id))
    body, _status = fragments.cached(key, render, own_version=True)
    return render_template("deployments/mine.html", org=org, body=body)
