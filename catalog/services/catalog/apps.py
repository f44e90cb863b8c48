"""Application entries and their publishing flow: draft → submitted → published (or returned)."""
from __future__ import annotations

import socket
from collections.abc import Mapping
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.orm import lazyload, load_only

from ...extensions import db
from ...models import App, AppState, Organization, User
from ...models.types import utcnow
from ...paging import Page, page_count
from .. import audit
from ..accounts import notifications, organizations
from ..errors import Conflict, NotFound, PermissionDenied, ValidationFailed, require
from ..permissions import can_archive_app, can_create_app, can_edit_app, can_review_app, can_view_app, is_admin
from ..tx import write
from . import indexing, mirror_requests
from .fields import EDITABLE, bounded_resolver, clean_app_fields, missing_for_submission, slugify

# Built once (their cache keys with them): the app page, the adoption guide and the API read an
# entry by its slug on every request.
_BY_SLUG = select(App).where(App.slug == bindparam("slug"))
_BY_SLUG_SHELL = _BY_SLUG.options(lazyload(App.publisher), lazyload(App.platform_rows))


def get_app(slug: str, actor: User | None = None, *, shell_only: bool = False) -> App:
    """The entry if the actor may see it. Raises NotFound (also for hidden drafts).

    shell_only: for a page or an answer whose body is a shared fragment (rendered once per data
    version): the publisher and the platforms are read only if that fragment is rendered, not
    with every request (a join and a second query: a fifth of the app page's CPU in-process)."""
    stmt = _BY_SLUG_SHELL if shell_only else _BY_SLUG
    app = db.session.execute(stmt, {"slug": str(slug)[:64]}).scalar_one_or_none()
    if app is None or not can_view_app(actor, app):
        raise NotFound(_("Aplikasi tidak ditemukan."))
    return app


def get_published(slug: str) -> App:
    app = get_app(slug)
    if app.state != AppState.PUBLISHED.value:
        raise NotFound(_("Aplikasi belum diterbitkan."))
    return app


def app_fields(app: App) -> dict[str, Any]:
    """The editable values of an entry, as a form or PATCH starts from them."""
    return {key: getattr(app, key) for key in EDITABLE}


def require_can_register(actor: User | None, org_code: str | None = None) -> Organization:
    """The organization the actor may list apps for. Raises PermissionDenied, NotFound."""
    if not actor:
        raise PermissionDenied(_("Silakan masuk terlebih dahulu."))
    org = organizations.get_by_code(org_code) if org_code else actor.organization
    require(can_create_app(actor, org), _("Hanya penerbit dari organisasi ini yang dapat mendaftarkan aplikasi."))
    return org


def _allow_local(actor: User) -> bool:
    return bool(current_app.config.get("ALLOW_LOCAL_REPOS")) and is_admin(actor)


def _resolver():
    """The configured resolver, bounded in time: a save never waits long on DNS."""
    return bounded_resolver(current_app.config.get("DNS_RESOLVER") or socket.getaddrinfo)


def _slug_taken(slug: str, exclude_id: int | None = None) -> bool:
    stmt = db.select(App.id).where(App.slug == slug)
    if exclude_id:
        stmt = stmt.where(App.id != exclude_id)
    return db.session.execute(stmt).first() is not None


def create_app(data: Mapping[str, Any], *, actor: User, org_code: str | None = None) -> App:
    """Create a draft for the actor's organization (admins may name another).

    Raises PermissionDenied, ValidationFailed, Conflict, NotFound (unknown organization).
    """
    org = require_can_register(actor, org_code)
    hosted = is_hosted_choice(data.get("hosted_upstream"))
    data = {k: v for k, v in data.items() if k != "hosted_upstream"}
    if hosted:
        data["repo_url"] = ""  # the repository is created here; there is no address to fetch
    values = clean_app_fields(data, allow_local_repo=_allow_local(actor), resolver=_resolver(),
                              repo_required=not hosted)
    with write():
        slug = values.pop("slug", None) or slugify(values["name"])
        if not slug:
            raise ValidationFailed(_("Periksa kembali isian yang ditandai."), {"slug": _("Isi slug secara manual.")})
        if _slug_taken(slug):
            raise Conflict(_("Slug sudah dipakai aplikasi lain."),
                           {"slug": _("'%(slug)s' sudah dipakai; pilih slug lain.", slug=slug)})
        app = App(slug=slug, publisher_id=org.id, created_by_id=actor.id, state=AppState.DRAFT.value,
                  hosted_upstream=hosted)
        _assign(app, values)
        app.local_repo_url = app.repo_url if _allow_local(actor) else ""
        db.session.add(app)
        db.session.flush()
        audit.record(actor, "app.create", "app", app.slug, {"publisher": org.code, "name": app.name,
                                                             **({"hosted_upstream": True} if hosted else {})})
    return app


def is_hosted_choice(value: Any) -> bool:
    """The registration's "repositori induk di katalog" choice, from JSON (true) or a form ("1", "on")."""
    return value is True or (isinstance(value, str) and value.lower() in ("1", "on", "true", "yes"))


def _assign(app: App, values: Mapping[str, Any]) -> None:
    for key, value in values.items():
        setattr(app, key, value)


def get_editable(slug: str, actor: User | None) -> App:
    """Raises NotFound, PermissionDenied."""
    app = get_app(slug, actor)
    require(can_edit_app(actor, app), _("Anda hanya dapat mengubah aplikasi milik organisasi Anda."))
    return app


def update_app(slug: str, changes: Mapping[str, Any], *, actor: User) -> App:
    """Apply changed fields; the whole entry is re-validated. Published entries stay published."""
    app = get_editable(slug, actor)
    merged = app_fields(app)
    merged["slug"] = app.slug
    merged.update(changes)
    unchanged = merged["repo_url"] == app.repo_url  # the exact address saved before stays allowed
    if app.hosted_upstream:
        merged["repo_url"] = ""
    values = clean_app_fields(merged, allow_local_repo=_allow_local(actor) or unchanged,
                              resolver=None if unchanged else _resolver(), repo_required=not app.hosted_upstream)
    if app.state not in (AppState.DRAFT.value, AppState.RETURNED.value):
        # an entry past the draft keeps what submission asked for
        missing = missing_for_submission(values)
        if missing:
            raise ValidationFailed(_("Periksa kembali isian yang ditandai."), missing)
    with write():
        app = get_app(slug, actor)
        new_slug = values.pop("slug", app.slug)
        if new_slug != app.slug:
            if app.state == AppState.PUBLISHED.value:
                raise ValidationFailed(_("Slug aplikasi terbit tidak dapat diubah."),
                                       {"slug": _("Slug aplikasi terbit tidak dapat diubah.")})
            if _slug_taken(new_slug, app.id):
                raise Conflict(_("Slug sudah dipakai aplikasi lain."),
                               {"slug": _("'%(new_slug)s' sudah dipakai.", new_slug=new_slug)})
            app.slug = new_slug
        changed = sorted(k for k, v in values.items() if getattr(app, k) != v)
        _assign(app, values)
        if not unchanged:
            app.local_repo_url = app.repo_url if _allow_local(actor) else ""
        app.updated_at = utcnow()
        refetch = "repo_url" in changed and app.state == AppState.PUBLISHED.value
        if refetch:
            mirror_requests.ensure_mirror(app)
        audit.record(actor, "app.update", "app", app.slug, {"fields": changed})
        indexing.mark_dirty(app.id)
    indexing.apply_soon()
    if refetch:
        mirror_requests.queue_fetch(app.id)
    return app


def _transition(slug: str, actor: User, *, may, from_states: tuple[AppState, ...], to: AppState,
                action: str, refusal: str, note: str = "") -> App:
    """Move an entry to another state: 403 for the wrong person, 409 for the wrong state,
    422 when an entry sent for verification lacks what a draft may leave out (the category)."""
    with write():
        app = get_app(slug, actor)
        require(may(actor, app), refusal)
        if app.state not in {s.value for s in from_states}:
            raise Conflict(_("Entri berstatus '%(state)s' tidak dapat diubah menjadi '%(value)s'.",
                             state=app.state, value=to.value))
        if to == AppState.SUBMITTED and (missing := missing_for_submission({"category": app.category})):
            raise ValidationFailed(_("Lengkapi entri sebelum mengajukannya."), missing)
        old = app.state
        app.state = to.value
        app.updated_at = utcnow()
        if to == AppState.PUBLISHED and app.published_at is None:
            app.published_at = app.updated_at
        if to in (AppState.RETURNED, AppState.PUBLISHED):
            app.review_note = note
        if to == AppState.PUBLISHED:
            mirror_requests.ensure_mirror(app)
        audit.record(actor, action, "app", app.slug, {"from": old, "to": app.state, "note": note})
        if to in (AppState.RETURNED, AppState.PUBLISHED):
            notifications.notify_review(app, actor)
        indexing.mark_dirty(app.id)
    indexing.apply_soon()
    if to == AppState.PUBLISHED:
        mirror_requests.queue_fetch(app.id)
    return app


def submit_app(slug: str, *, actor: User) -> App:
    """Send a draft (or returned entry) to the admins for verification."""
    app = _transition(slug, actor, may=can_edit_app, from_states=(AppState.DRAFT, AppState.RETURNED),
                      to=AppState.SUBMITTED, action="app.submit",
                      refusal=_("Hanya penerbit aplikasi ini yang dapat mengajukannya."))
    notifications.notify_submission(app, actor)
    return app


def publish_app(slug: str, *, actor: User, note: str = "") -> App:
    """Admin verification: publish a submitted entry."""
    return _transition(slug, actor, may=can_review_app, from_states=(AppState.SUBMITTED,),
                       to=AppState.PUBLISHED, action="app.publish",
                       refusal=_("Hanya admin yang dapat menerbitkan aplikasi."), note=(note or "").strip()[:2000])


def return_app(slug: str, *, actor: User, note: str) -> App:
    """Admin verification: send a submitted entry back with a note saying what to fix."""
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("Tuliskan catatan untuk penerbit."),
                               {"note": _("Catatan wajib diisi saat mengembalikan entri.")})
    return _transition(slug, actor, may=can_review_app, from_states=(AppState.SUBMITTED,),
                       to=AppState.RETURNED, action="app.return",
                       refusal=_("Hanya admin yang dapat mengembalikan entri."), note=note[:2000])


def archive_app(slug: str, *, actor: User) -> App:
    return _transition(slug, actor, may=can_archive_app, from_states=(AppState.PUBLISHED,),
                       to=AppState.ARCHIVED, action="app.archive",
                       refusal=_("Hanya penerbit atau admin yang dapat mengarsipkan aplikasi terbit."))


REVIEW_PER_PAGE = 20


def review_queue(*, actor: User, page: int = 1) -> Page[App]:
    """Submitted entries, longest waiting first, a page at a time. Raises PermissionDenied."""
    require(is_admin(actor), _("Hanya admin yang dapat melihat antrean verifikasi."))
    waiting = db.select(App).where(App.state == AppState.SUBMITTED.value)
    total = db.session.execute(db.select(db.func.count()).select_from(waiting.subquery())).scalar_one()
    page = max(1, min(int(page), page_count(total, REVIEW_PER_PAGE)))
    stmt = waiting.order_by(App.updated_at, App.id).limit(REVIEW_PER_PAGE).offset((page - 1) * REVIEW_PER_PAGE)
    return Page(list(db.session.execute(stmt).scalars()), total, page, REVIEW_PER_PAGE)


def apps_of_organization(org_id: int, page: int = 1) -> Page[App]:
    """An organization's entries, whatever their state (for its own publishers), the last changed
    first, a page at a time (past the end: the last page): the columns its list shows, without the
    long text and JSON columns, the publisher and the platforms."""
    owned = db.select(App).where(App.publisher_id == org_id)
    total = db.session.execute(db.select(db.func.count()).select_from(owned.subquery())).scalar_one()
    page = max(1, min(int(page), page_count(total, ORGANIZATION_PER_PAGE)))
    stmt = (owned.order_by(App.updated_at.desc(), App.id.desc()).options(*_ORGANIZATION_LIST)
            .limit(ORGANIZATION_PER_PAGE).offset((page - 1) * ORGANIZATION_PER_PAGE))
    return Page(list(db.session.execute(stmt).scalars()), total, page, ORGANIZATION_PER_PAGE)


ORGANIZATION_PER_PAGE = 50
_ORGANIZATION_LIST = (load_only(App.id, App.slug, App.name, App.state, App.updated_at),
                      lazyload(App.publisher), lazyload(App.platform_rows))
