"""Fork pages: "Salin ke daerah saya", drift from upstream, sync, notes, per-file diffs."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...services.errors import Conflict, ValidationFailed
from ...services.repos import contributions, forks, mirrors
from .. import page_cache
from ..links import clone_url
from .blueprint import bp
from .diff_lines import diff_lines


@bp.post("/apps/<slug>/forks")
@login_required
def fork_create(slug: str):
    try:
        fork = forks.create_fork(slug, actor=current_user, org_code=request.form.get("org") or None,
                                 name=request.form.get("name") or None)
    except (Conflict, ValidationFailed) as exc:
        flash(exc.fields.get("name", exc.message), "error")
        return redirect(url_for("ui.app_detail", slug=slug))
    flash(_("Salinan untuk daerah Anda sudah dibuat. Clone dengan perintah di bawah ini."), "success")
    return redirect(url_for("ui.fork_detail", fork_id=fork.id))


@bp.get("/forks/<int:fork_id>")
def fork_detail(fork_id: int):
    fork = forks.get_shown_fork(fork_id)
    details, changes = forks.fork_overview(fork)
    if not (details.error or changes.error):  # a git failure (a timeout under load) is not kept
        page_cache.keep_for_session()  # it follows the fork's divergence stamp too (session_pages.page_stamp)
    return render_template("forks/detail.html", fork=fork, details=details, changes=changes,
                           contributions=contributions.contributions_of_fork(fork.id))


@bp.get("/forks/<int:fork_id>/diff")
def fork_diff(fork_id: int):
    fork = forks.get_shown_fork(fork_id)
    path = request.args.get("path", "")
    diff = forks.fork_file_diff(fork, path)
    page_cache.keep_for_session()  # as the fork page
    return render_template("forks/diff.html", fork=fork, path=path, diff=diff,
                           diff_lines=diff_lines)


@bp.post("/forks/<int:fork_id>/sync")
@login_required
def fork_sync(fork_id: int):
    try:
        _fork, outcome = forks.sync_fork(fork_id, actor=current_user)
    except Conflict as exc:
        conflicts = exc.extra.get("conflicts", [])
        if conflicts:
            flash(_("Sinkronisasi dibatalkan karena berkas berikut bentrok: ") + ", ".join(conflicts[:20]), "error")
            flash(_resolve_by_hand(forks.get_fork(fork_id)), "info")
        else:
            flash(exc.message, "error")
        return redirect(url_for("ui.fork_detail", fork_id=fork_id))
    messages = {"up_to_date": _("Salinan sudah mutakhir; tidak ada yang perlu diambil."),
                "fast_forward": _("Pembaruan dari induk sudah diambil (fast-forward)."),
                "merged": _("Pembaruan dari induk sudah digabungkan dengan perubahan daerah Anda.")}
    flash(messages[outcome], "success")
    return redirect(url_for("ui.fork_detail", fork_id=fork_id))


def _resolve_by_hand(fork) -> str:
    """The next step after a refused sync: nothing was written; the region merges on its own
    computer, where it can choose what each conflicting file keeps."""
    mirror = mirrors.get_mirror(fork.app)
    command = f"git pull --no-rebase {clone_url(mirror.relpath)} {mirror.default_branch}"
    return _("Tidak ada yang diubah. Gabungkan di komputer Anda: di folder salinan jalankan perintah berikut, "
             "perbaiki berkas yang bentrok, lalu commit dan push dengan token akses Anda. Perintah: %(command)s",
             command=command)


@bp.post("/forks/<int:fork_id>/refresh")
@login_required
def fork_refresh(fork_id: int):
    forks.request_refresh(fork_id, actor=current_user)
    flash(_("Perbandingan dengan induk diperbarui."), "info")
    return redirect(url_for("ui.fork_detail", fork_id=fork_id))


@bp.post("/forks/<int:fork_id>/note")
@login_required
def fork_note(fork_id: int):
    try:
        forks.annotate_fork(fork_id, request.form.get("note", ""), actor=current_user)
    except ValidationFailed as exc:
        flash(exc.fields.get("note", exc.message), "error")
    else:
        flash(_("Catatan perubahan disimpan."), "success")
    return redirect(url_for("ui.fork_detail", fork_id=fork_id))
