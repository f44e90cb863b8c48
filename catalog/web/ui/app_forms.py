"""Publisher pages: register an app ("Daftarkan aplikasi"), edit it, submit it, archive it."""
from __future__ import annotations

from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError, same_origin, validate_csrf
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData
from wtforms.validators import ValidationError

from ...extensions import csrf
from ...services.catalog import apps
from ...services.catalog.fields import strip_credentials
from ...services.errors import Conflict, ValidationFailed
from ...services.repos import mirrors
from ..errors import error_response
from ..i18n import translate
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
    data["hosted_upstream"] = request.form.get("hosted_upstream", "")
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
    try:
        apps.submit_app(slug, actor=current_user)
    except ValidationFailed as exc:  # what a draft may lack but a submission may not: each field, its fix
        return render_template("apps/submit_refused.html", slug=slug, message=exc.message,
                               problems=exc.fields), exc.status
    flash(_("Aplikasi diajukan. Admin akan memverifikasi lalu menerbitkannya."), "success")
    return redirect(url_for("ui.app_detail", slug=slug))


@bp.post("/apps/<slug>/archive")
@login_required
def app_archive(slug: str):
    apps.archive_app(slug, actor=current_user)
    flash(_("Aplikasi diarsipkan dan tidak lagi muncul di katalog."), "info")
    return redirect(url_for("ui.app_detail", slug=slug))


BUNDLE_CHUNK = 64 * 1024        # bytes read from the request and written to disk at a time
BUNDLE_FORM_OVERHEAD = 64 * 1024  # multipart framing and the token field around the bundle
BUNDLE_FIELD_MAX = 4 * 1024      # a text field before the bundle (the CSRF token)
BUNDLE_PARSER_BUFFER = 1024 * 1024  # unparsed bytes the multipart decoder may hold (a few chunks)


class _BundleTooLarge(Exception):
    pass


def _size_text(n: int) -> str:
    return f"{n / 1024**3:.1f} GiB" if n >= 1024**3 else f"{max(n // 1024**2, 1)} MiB"


def _bundle_too_large(limit: int):
    """413 with the limit in words; the connection closes, so the unread rest is never read."""
    response, status = error_response(
        413, "too_large", _("Berkas bundel terlalu besar. Batasnya %(limit)s; buat bundel yang lebih kecil "
                            "atau minta admin menaikkan CATALOG_BUNDLE_MAX_BYTES.", limit=_size_text(limit)))
    response = current_app.make_response((response, status))
    response.headers["Connection"] = "close"
    return response


def _check_csrf_token(token: str) -> None:
    """What CSRFProtect does for every other form: the signed token of this session, and on
    HTTPS a same-origin Referer (WTF_CSRF_SSL_STRICT). Raises CSRFError (400)."""
    try:
        validate_csrf(token)
    except ValidationError as exc:
        raise CSRFError(exc.args[0]) from None
    if request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]:
        if not request.referrer or not same_origin(request.referrer, f"https://{request.host}/"):
            raise CSRFError("The referrer does not match the host.")


def _receive_bundle(target: Path, limit: int, *, need_token: bool) -> bool:
    """Stream the multipart body into `target` in chunks; True if a file was chosen.

    The body is parsed as it arrives (werkzeug's sans-IO MultipartDecoder), so nothing larger
    than a chunk is held in memory. With CSRF on, the `csrf_token` field must come before the
    file and it is checked before a byte of the file is written. Raises CSRFError,
    ValidationFailed, _BundleTooLarge."""
    mimetype, options = parse_options_header(request.headers.get("Content-Type", ""))
    boundary = options.get("boundary", "").encode("latin-1", "replace")
    if mimetype != "multipart/form-data" or not boundary:
        raise ValidationFailed(_("Pilih berkas bundel git (.bundle) terlebih dahulu."),
                               {"bundle": _("Pilih berkas .bundle.")})
    decoder = MultipartDecoder(boundary, max_form_memory_size=BUNDLE_PARSER_BUFFER, max_parts=8)
    stream = request.stream  # limited to request.max_content_length by werkzeug as well
    part: Field | File | None = None
    field = bytearray()
    chosen, size, finished = False, 0, False
    with open(target, "wb") as out:
        while not finished:
            chunk = stream.read(BUNDLE_CHUNK)
            try:
                decoder.receive_data(chunk or None)
                event = decoder.next_event()
                while not isinstance(event, NeedData | Epilogue):
                    if isinstance(event, Field):
                        part, field = event, bytearray()
                    elif isinstance(event, File):
                        if need_token:
                            raise CSRFError("The CSRF token must come before the file.")
                        part = event
                        chosen = chosen or (event.name == "bundle" and bool(event.filename))
                    elif isinstance(event, Data) and isinstance(part, Field):
                        field += event.data
                        if len(field) > BUNDLE_FIELD_MAX:
                            raise CSRFError("The form field is too long.")
                        if not event.more_data and part.name == "csrf_token" and need_token:
                            _check_csrf_token(field.decode("ascii", "replace"))
                            need_token = False
                    elif isinstance(event, Data) and isinstance(part, File) and part.name == "bundle":
                        size += len(event.data)
                        if size > limit:
                            raise _BundleTooLarge()
                        out.write(event.data)
                    event = decoder.next_event()
            except ValueError:  # a broken multipart body
                raise ValidationFailed(_("Kiriman berkas terputus atau rusak. Coba unggah lagi."),
                                       {"bundle": _("Pilih berkas bundel git (.bundle).")}) from None
            finished = isinstance(event, Epilogue) or not chunk
    if need_token:
        raise CSRFError("The CSRF token is missing.")
    if not isinstance(event, Epilogue):
        raise ValidationFailed(_("Kiriman berkas terputus atau rusak. Coba unggah lagi."),
                               {"bundle": _("Pilih berkas bundel git (.bundle).")})
    return chosen


@bp.post("/apps/<slug>/bundle")
@csrf.exempt  # checked below, from the body as it streams in: see the docstring
@login_required
def app_bundle_upload(slug: str):
    """A git bundle instead of a fetch, for offices whose link cannot carry a long clone.

    Bundles may be as large as BUNDLE_MAX_BYTES (2 GiB), far past the 16 MiB every other request
    may send, so this route never parses the form as a whole (the global CSRF check would, and
    answer 413 at 16 MiB): it streams the body in chunks to the uploads folder beside the
    repositories (`mirrors.incoming_dir`), which every node and worker can read.

    CSRF stays enforced, in this order, before a byte of the file reaches the disk:
    - permission first (403/404/409 without reading the body), then the size from Content-Length
      (413 without reading it);
    - an `X-CSRFToken` header (scripts, curl), or else the `csrf_token` hidden field, which must
      come before the file in the multipart body. Browsers send parts in the form's order and
      the template puts the token first, so a person's upload always has it there. The token
      stays in the body: in the URL it would land in access logs, proxies and browser history.
      A body whose file comes before a valid token is refused (400) at once, nothing written.
    """
    try:
        mirrors.require_bundle_upload(slug, actor=current_user)
    except Conflict as exc:
        flash(exc.message, "error")
        return redirect(url_for("ui.app_detail", slug=slug, _anchor="kode-sumber"))
    limit = current_app.config["BUNDLE_MAX_BYTES"]
    request.max_content_length = limit + BUNDLE_FORM_OVERHEAD
    if (request.content_length or 0) > limit + BUNDLE_FORM_OVERHEAD:
        return _bundle_too_large(limit)
    need_token = bool(current_app.config.get("WTF_CSRF_ENABLED", True))
    if need_token and request.headers.get("X-CSRFToken"):
        _check_csrf_token(request.headers["X-CSRFToken"])
        need_token = False
    target = mirrors.new_upload_path(slug)
    try:
        chosen = _receive_bundle(target, limit, need_token=need_token)
    except (_BundleTooLarge, RequestEntityTooLarge):
        target.unlink(missing_ok=True)
        return _bundle_too_large(limit)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    try:
        mirrors.stage_bundle(slug, target if chosen else None, actor=current_user)
    except (ValidationFailed, Conflict) as exc:
        flash(exc.message, "error")
        return redirect(url_for("ui.app_detail", slug=slug, _anchor="kode-sumber"))
    finally:
        if not chosen:
            target.unlink(missing_ok=True)
    mirror = mirrors.get_mirror_by_slug(slug)
    if mirror is not None and mirror.state == "failed":  # the job ran at once (JOBS_IMMEDIATE)
        flash(translate(mirror.error), "error")
    else:
        flash(_("Bundel diterima dan sedang diimpor. Pantau kemajuannya di bagian Kode sumber."), "success")
    return redirect(url_for("ui.app_detail", slug=slug, _anchor="kode-sumber"))


@bp.post("/apps/<slug>/refresh")
@login_required
def app_refresh(slug: str):
    mirrors.request_refresh(slug, actor=current_user)
    flash(_("Pembaruan dari repositori induk dijadwalkan."), "info")
    return redirect(url_for("ui.app_detail", slug=slug, _anchor="kode-sumber"))
