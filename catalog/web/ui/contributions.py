"""Usulan perubahan (contributions): a region offers its fork's commits to upstream; the
publisher reviews per-commit diffs, downloads, accepts or declines; what forks change in common."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...services.catalog import apps
from ...services.errors import Conflict, ValidationFailed
from ...services.repos import contributions, hosted, hotspots
from .blueprint import bp


def _new_form(fork_id: int, errors: dict | None = None, status: int = 200, message: str = ""):
    fork, offered, problem = contributions.offer_form(fork_id, actor=current_user)
    return render_template("contributions/new.html", fork=fork, candidates=offered, problem=message or problem,
                           errors=errors or {}, form=request.form), status


@bp.get("/forks/<int:fork_id>/contributions/new")
@login_required
def contribution_new(fork_id: int):
    return _new_form(fork_id)


@bp.post("/forks/<int:fork_id>/contributions")
@login_required
def contribution_create(fork_id: int):
    chosen = request.form.getlist("commits")
    notes = {sha: request.form.get(f"note-{sha}", "") for sha in chosen}
    try:
        row = contributions.create_contribution(fork_id, actor=current_user, title=request.form.get("title"),
                                                description=request.form.get("description"),
                                                commits=chosen or None, notes=notes)
    except (ValidationFailed, Conflict) as exc:
        return _new_form(fork_id, exc.fields, exc.status, exc.message)
    flash(_("Usulan perubahan sudah dikirim ke penerbit aplikasi."), "success")
    return redirect(url_for("ui.contribution_detail", contribution_id=row.id))


@bp.get("/contributions/<int:contribution_id>")
def contribution_detail(contribution_id: int):
    row = contributions.get_contribution(contribution_id)
    return render_template("contributions/detail.html", row=row, diffs=contributions.commit_diffs(row))


def _decide(contribution_id: int, decide, done: str):
    try:
        decide(contribution_id, actor=current_user, note=request.form.get("note", ""))
    except (ValidationFailed, Conflict) as exc:
        flash(exc.fields.get("note", exc.message), "error")
    else:
        flash(done, "success")
    return redirect(url_for("ui.contribution_detail", contribution_id=contribution_id))


@bp.post("/contributions/<int:contribution_id>/accept")
@login_required
def contribution_accept(contribution_id: int):
    return _decide(contribution_id, contributions.accept,
                   _("Usulan diterima. Usulan tertutup sebagai 'sudah masuk induk' begitu rilis induk memuatnya."))


@bp.post("/contributions/<int:contribution_id>/decline")
@login_required
def contribution_decline(contribution_id: int):
    return _decide(contribution_id, contributions.decline, _("Usulan ditolak; daerah pengusul diberi tahu."))


@bp.post("/contributions/<int:contribution_id>/merge")
@login_required
def contribution_merge(contribution_id: int):
    try:
        hosted.merge(contribution_id, actor=current_user)
    except Conflict as exc:
        conflicts = exc.extra.get("conflicts", [])
        flash(exc.message + (" " + ", ".join(conflicts[:20]) if conflicts else ""), "error")
    else:
        flash(_("Usulan digabungkan ke repositori induk."), "success")
    return redirect(url_for("ui.contribution_detail", contribution_id=contribution_id))


@bp.get("/apps/<slug>/contributions")
def contribution_list(slug: str):
    state = request.args.get("state") or None
    try:
        rows, total = contributions.contributions_of_app(slug, state)
    except ValidationFailed:
        rows, total, state = *contributions.contributions_of_app(slug), None
    app = apps.get_published(slug)
    return render_template("contributions/list.html", app=app, rows=rows, total=total, state=state,
                           hot=hotspots.stored(app.id), states=contributions.STATES)
