"""Usulan dari publiccode.yml: the publisher compares harvested changes and accepts or rejects them."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...services.errors import Conflict, ValidationFailed
from ...services.interop import harvest
from .blueprint import bp


@bp.record_once
def _template_globals(state) -> None:
    state.app.jinja_env.globals["pending_proposals"] = harvest.pending_count


def _render(slug: str, errors: dict | None = None, status: int = 200):
    app, proposals = harvest.proposals_for_app(slug, actor=current_user)
    return render_template("proposals/list.html", app=app, proposals=proposals,
                           current=harvest.current_values(app), errors=errors or {}), status


@bp.get("/apps/<slug>/proposals")
@login_required
def proposal_list(slug: str):
    return _render(slug)


@bp.post("/proposals/<int:proposal_id>/accept")
@login_required
def proposal_accept(proposal_id: int):
    try:
        proposal = harvest.accept_proposal(proposal_id, actor=current_user, fields=request.form.getlist("fields"))
    except (ValidationFailed, Conflict) as exc:
        flash(exc.message, "error")
        return _render(harvest.get_proposal(proposal_id, current_user).app.slug, exc.fields, exc.status)
    flash(_("Perubahan diterapkan ke entri dan tercatat di jejak audit."), "success")
    return redirect(url_for("ui.app_detail", slug=proposal.app.slug))


@bp.post("/proposals/<int:proposal_id>/reject")
@login_required
def proposal_reject(proposal_id: int):
    proposal = harvest.reject_proposal(proposal_id, actor=current_user, note=request.form.get("note", ""))
    flash(_("Usulan ditolak; entri tetap seperti semula."), "info")
    return redirect(url_for("ui.proposal_list", slug=proposal.app.slug))
