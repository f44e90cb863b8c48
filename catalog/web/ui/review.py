"""Admin verification queue: publish a submitted entry or return it with a note."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...services.catalog import apps, similar
from ...services.errors import ValidationFailed
from .. import page_cache
from .blueprint import bp, page_arg


@bp.get("/admin/review")
@login_required
def review_list():
    page_cache.keep_for_session()
    queue = apps.review_queue(actor=current_user, page=page_arg())
    return render_template("admin/review.html", queue=queue, similar=similar.similar_apps)


@bp.post("/admin/review/<slug>/publish")
@login_required
def review_publish(slug: str):
    app = apps.publish_app(slug, actor=current_user, note=request.form.get("note", ""))
    flash(_("%(name)s diterbitkan dan kini tampil di katalog.", name=app.name), "success")
    return redirect(url_for("ui.review_list"))


@bp.post("/admin/review/<slug>/return")
@login_required
def review_return(slug: str):
    try:
        app = apps.return_app(slug, actor=current_user, note=request.form.get("note", ""))
    except ValidationFailed as exc:
        flash(exc.fields.get("note", exc.message), "error")
        return redirect(url_for("ui.review_list"))
    flash(_("%(name)s dikembalikan ke penerbit dengan catatan.", name=app.name), "info")
    return redirect(url_for("ui.review_list"))
