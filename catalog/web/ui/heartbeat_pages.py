"""Heartbeat controls on a deployment page (issue 19): issue or rotate the token (shown once, on
the page that answers the POST, never stored in the session), revoke it after a confirmation, and
take over the reported version in one click."""
from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...services.deployments import heartbeat
from ...services.deployments import lifecycle as deployments
from ...services.errors import Conflict, ValidationFailed
from .. import heartbeat_snippets
from ..auth import current_actor
from .blueprint import bp


@bp.record_once
def _template_globals(state) -> None:
    """Evidence strengths and flags for every template that lists deployments."""
    state.app.jinja_env.globals["hb"] = heartbeat


def snippets_for(dep, token: str | None):
    url = url_for("api.api_heartbeat", deployment_id=dep.id, _external=True)
    return heartbeat_snippets.build(url, token, f"/var/www/{dep.app.slug}")


def render_detail(dep, *, token: str | None = None, code: int = 200):
    response = make_response(render_template(
        "deployments/detail.html", dep=dep, history=deployments.history(dep), actor=current_actor(),
        status_values={}, status_errors={}, heartbeat_token=token, snippets=snippets_for(dep, token)), code)
    if token:
        response.headers["Cache-Control"] = "no-store"  # the page holds the token, shown this once
    return response


@bp.post("/deployments/<int:deployment_id>/heartbeat-token")
@login_required
def deployment_heartbeat_token(deployment_id: int):
    try:
        dep, plain = heartbeat.issue_token(deployment_id, actor=current_user)
    except Conflict as exc:
        flash(exc.message, "error")
        return redirect(url_for("ui.deployment_detail", deployment_id=deployment_id))
    flash(_("Token heartbeat dibuat. Salin sekarang: token ini hanya ditampilkan sekali."), "success")
    return render_detail(dep, token=plain, code=201)


@bp.post("/deployments/<int:deployment_id>/heartbeat-token/revoke")
@login_required
def deployment_heartbeat_revoke(deployment_id: int):
    if request.form.get("confirmed") != "1":  # say what stops, ask once more
        dep = heartbeat.revoke_preview(deployment_id, actor=current_user)
        return render_template("deployments/confirm_heartbeat_revoke.html", dep=dep)
    try:
        heartbeat.revoke_token(deployment_id, actor=current_user)
    except Conflict as exc:
        flash(exc.message, "error")
    else:
        flash(_("Token heartbeat dicabut. Laporan dari server dengan token lama kini ditolak."), "success")
    return redirect(url_for("ui.deployment_detail", deployment_id=deployment_id))


@bp.post("/deployments/<int:deployment_id>/adopt-observed-version")
@login_required
def deployment_adopt_observed_version(deployment_id: int):
    try:
        dep = heartbeat.adopt_observed_version(deployment_id, actor=current_user)
    except (Conflict, ValidationFailed) as exc:
        flash(" ".join([exc.message, *exc.fields.values()]), "error")
    else:
        flash(_("Versi tercatat kini %(v)s, sesuai laporan sistem yang berjalan.", v=dep.version), "success")
    return redirect(url_for("ui.deployment_detail", deployment_id=deployment_id))
