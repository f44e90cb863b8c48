"""Publisher pages: register an app ("Daftarkan aplikasi"), edit it, submit it, archive it."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...services.catalog import apps
from ...services.catalog.fields import strip_credentials
from ...services.errors import Conflict, ValidationFailed
from ...services.repos import mirrors
from .blueprint import bp

LIST_FIELDS = ("features", "tags", "maintenance_contacts")
URL_FIELDS = ("repo_url", "documentation_url")


def shown_back(data: dict) -> dict:
    """Submitted values to put back in the form after a refusal, minus any password in a URL."""
    return {k: strip_credentials(v) if k in URL_FIELDS else v for k, v in data.items()}


def form_data() -> dict:
    """Form fields → the same shape the API sends; lists arrive as text lines."""
    data = {k: request.form.get(k, "") for k in apps.EDITABLE if k not in ("platforms",)}
    data["platforms"] = request.form.getlist("platforms")
    return data


def _contacts_text(contacts) -> str:
    lines = []
    for c in contacts or []:
        line = c.get("name", "")
        if c.get("email"):
            line += f" <{c['email']}>"
        if c.get("phone"):
            line += f" {c['phone']}"
        lines.append(line)
    return "\n".join(lines)


def form_values(app) -> dict:
    """An existing entry as form values (lists joined into lines)."""
    values = apps.app_fields(app)
    values["slug"] = app.slug
    values["features"] = "\n".join(values["features"])
    values["tags"] = ", ".join(values["tags"])
    values["maintenance_contacts"] = _contacts_text(values["maintenance_contacts"])
    values["contract_end"] = values["contract_end"].isoformat() if values["contract_end"] else ""
    return values


@bp.route("/apps/new", methods=["GET", "POST"])
@login_required
def app_new():
    apps.require_can_register(current_user)
    if request.method == "GET":
        values = {"software_type": "standalone/web", "maintenance_type": "internal", "platforms": ["web"]}
        return render_template("apps/form.html", values=values, errors={}, app=None)
    data = form_data()
    try:
        app = apps.create_app(data, actor=current_user)
    except (ValidationFailed, Conflict) as exc:
        flash(exc.message, "error")
        return render_template("apps/form.html", values=shown_back(data), errors=exc.fields, app=None), exc.status
    flash(_("Draf aplikasi tersimpan. Periksa lagi, lalu ajukan untuk verifikasi."), "success")
    return redirect(url_for("ui.app_detail", slug=app.slug))


@bp.route("/apps/<slug>/edit", methods=["GET", "POST"])
@login_required
def app_edit(slug: str):
    app = apps.get_editable(slug, current_user)
    if request.method == "GET":
        return render_template("apps/form.html", values=form_values(app), errors={}, app=app)
    data = form_data()
    try:
        app = apps.update_app(slug, data, actor=current_user)
    except (ValidationFailed, Conflict) as exc:
        flash(exc.message, "error")
        return render_template("apps/form.html", values=shown_back(data), errors=exc.fields, app=app), exc.status
    flash(_("Perubahan tersimpan."), "success")
    return redirect(url_for("ui.app_detail", slug=app.slug))


@bp.post("/apps/<slug>/submit")
@login_required
def app_submit(slug: str):
    apps.submit_app(slug, actor=current_user)
    flash(_("Aplikasi diajukan. Admin akan memverifikasi lalu menerbitkannya."), "success")
    return redirect(url_for("ui.app_detail", slug=slug))


@bp.post("/apps/<slug>/archive")
@login_required
def app_archive(slug: str):
    apps.archive_app(slug, actor=current_user)
    flash(_("Aplikasi diarsipkan dan tidak lagi muncul di katalog."), "info")
    return redirect(url_for("ui.app_detail", slug=slug))


@bp.post("/apps/<slug>/bundle")
@login_required
def app_bundle_upload(slug: str):
    """A git bundle instead of a fetch, for offices whose link cannot carry a long clone."""
    request.max_content_length = current_app.config["MIRROR_MAX_BYTES"]
    upload = request.files.get("bundle")
    try:
        mirrors.stage_bundle(slug, upload, actor=current_user)
    except (ValidationFailed, Conflict) as exc:
        flash(exc.message, "error")
    else:
        flash(_("Bundel diterima dan sedang diimpor. Pantau kemajuannya di bagian Kode sumber."), "success")
    return redirect(url_for("ui.app_detail", slug=slug, _anchor="kode-sumber"))


@bp.post("/apps/<slug>/refresh")
@login_required
def app_refresh(slug: str):
    mirrors.request_refresh(slug, actor=current_user)
    flash(_("Pembaruan dari repositori induk dijadwalkan."), "info")
    return redirect(url_for("ui.app_detail", slug=slug, _anchor="kode-sumber"))
