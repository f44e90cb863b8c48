"""Managing people: the platform admin for everyone, an org admin for their own organization.
List, invite, change a role, deactivate and reactivate; every change is an audit event."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, or_

from ...extensions import db
from ...jobs.queue import enqueue
from ...models import AccessToken, Organization, User
from ...models.types import MAX_DB_ID, utcnow
from ...paging import Page
from .. import audit
from ..errors import Conflict, NotFound, ValidationFailed, require
from ..permissions import can_grant_role, can_manage_account, can_manage_people, is_admin, role_fits_organization
from ..tx import write
from . import links, organizations, users

STATES = ("active", "invited", "inactive")
LAST_LOGIN = {"7d": 7, "30d": 30, "90d": 90}  # signed in within that many days
LAST_LOGIN_CHOICES = (*LAST_LOGIN, "over90d", "never")


def _scope(actor: User | None, org_code: str | None) -> Organization | None:
    """The organization the actor lists: any (None) or the one asked for, for admins; their
    own for org admins. Raises PermissionDenied, NotFound."""
    if is_admin(actor):
        return organizations.get_by_code(org_code) if org_code else None
    org = organizations.get_by_code(org_code) if org_code else (actor.organization if actor else None)
    require(org is not None and can_manage_people(actor, org),
            _("Anda hanya dapat mengelola akun organisasi Anda sendiri."))
    return org


def _filter_errors(role, state, last_login) -> dict[str, str]:
    errors = {}
    if role and role not in users.ROLES:
        errors["role"] = _("Pilih salah satu: %(v)s.", v=", ".join(users.ROLES))
    if state and state not in STATES:
        errors["state"] = _("Pilih salah satu: %(v)s.", v=", ".join(STATES))
    if last_login and last_login not in LAST_LOGIN_CHOICES:
        errors["last_login"] = _("Pilih salah satu: %(v)s.", v=", ".join(LAST_LOGIN_CHOICES))
    return errors


def list_people(actor: User | None, *, org_code: str | None = None, role: str | None = None,
                active: bool | None = None, state: str | None = None, last_login: str | None = None,
                q: str | None = None, page: int = 1, per_page: int = 50) -> Page[User]:
    """Accounts the actor manages, newest first. `active`: able to sign in (invited ones too) or
    not; `state`: active, invited (no password set and never signed in), inactive; `last_login`:
    7d/30d/90d (signed in within), over90d, never.
    Raises PermissionDenied, NotFound, ValidationFailed."""
    org = _scope(actor, org_code)
    if errors := _filter_errors(role, state, last_login):
        raise ValidationFailed(_("Saringan tidak dikenal."), errors)
    stmt = db.select(User)
    if org is not None:
        stmt = stmt.where(User.organization_id == org.id)
    if role:
        stmt = stmt.where(User.role == role)
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    invited = (User.password_hash == "") & User.last_login_at.is_(None)
    if state == "inactive":
        stmt = stmt.where(User.active.is_(False))
    elif state == "invited":
        stmt = stmt.where(User.active.is_(True), invited)
    elif state == "active":
        stmt = stmt.where(User.active.is_(True), ~invited)
    if last_login == "never":
        stmt = stmt.where(User.last_login_at.is_(None))
    elif last_login == "over90d":
        stmt = stmt.where(User.last_login_at < utcnow() - timedelta(days=90))
    elif last_login:
        stmt = stmt.where(User.last_login_at >= utcnow() - timedelta(days=LAST_LOGIN[last_login]))
    if q and q.strip():
        like = f"%{q.strip().lower()[:100]}%"
        stmt = stmt.where(or_(func.lower(User.name).like(like), User.email.like(like)))
    total = db.session.execute(db.select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = db.session.execute(stmt.order_by(User.created_at.desc(), User.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).scalars()
    return Page(list(rows), total, page, per_page)


def _check_role(actor: User, role: str, org: Organization) -> None:
    if role not in users.ROLES:
        raise ValidationFailed(_("Peran tidak dikenal."),
                               {"role": _("Pilih salah satu: %(v)s.", v=", ".join(users.ROLES))})
    if not role_fits_organization(role, org):
        raise ValidationFailed(_("Peran tidak cocok dengan organisasi."), {
            "role": _("Auditor hanya untuk provinsi (Inspektorat) atau instansi pusat, bukan kabupaten/kota.")})
    require(can_grant_role(actor, role, org), _("Pengelola akun organisasi tidak dapat memberi peran admin platform."))


def invite(actor: User, *, email: str, name: str, org_code: str | None, role: str,
           locale: str | None = None) -> User:
    """Create an account without a password and mail its invitation (after the commit). `org_code`
    defaults to the actor's organization. Raises PermissionDenied, NotFound, ValidationFailed, Conflict."""
    org = organizations.get_by_code(org_code) if org_code else actor.organization
    require(can_manage_people(actor, org), _("Anda hanya dapat mengundang orang ke organisasi Anda sendiri."))
    email = (email or "").strip().lower()
    name = (name or "").strip()
    errors = {}
    if not users.EMAIL_RE.match(email):
        errors["email"] = _("Alamat e-mail tidak valid.")
    if not name or len(name) > 200:
        errors["name"] = _("Isi nama 1–200 karakter.")
    if locale not in (None, "", *users.LOCALES):
        errors["locale"] = _("Pilih id atau en.")
    if errors:
        raise ValidationFailed(_("Data undangan belum benar."), errors)
    _check_role(actor, role, org)
    with write():
        if db.session.execute(db.select(User.id).where(User.email == email)).first():
            raise Conflict(_("E-mail sudah terdaftar."), {"email": _("E-mail sudah terdaftar.")})
        user = User(email=email, name=name, organization_id=org.id, role=role, password_hash="", active=True,
                    locale=locale or None)
        user.organization = org
        db.session.add(user)
        db.session.flush()
        audit.record(actor, "user.invite", "user", user.id, {"role": role, "org": org.code})
        enqueue("account.invite_mail", user_id=user.id)  # after the commit
    return user


def get_person(actor: User | None, user_id: int) -> User:
    """An account the actor may manage. Raises NotFound (also for accounts out of reach)."""
    target = db.session.get(User, user_id) if 0 < user_id <= MAX_DB_ID else None
    if target is None or not can_manage_people(actor, target.organization):
        raise NotFound(_("Akun tidak ditemukan."))
    return target


def _managed(actor: User, user_id: int) -> User:
    target = get_person(actor, user_id)
    if target.id == actor.id:
        raise Conflict(_("Anda tidak dapat mengubah peran atau menonaktifkan akun Anda sendiri; minta pengelola lain."))
    require(can_manage_account(actor, target), _("Akun admin platform hanya dapat dikelola admin platform."))
    return target


def change_role(actor: User, user_id: int, role: str) -> User:
    """Raises NotFound, PermissionDenied, ValidationFailed, Conflict."""
    with write():
        target = _managed(actor, user_id)
        _check_role(actor, role, target.organization)
        if target.role != role:
            audit.record(actor, "user.role", "user", target.id, {"from": target.role, "to": role})
            target.role = role
    return target


def deactivate(actor: User, user_id: int) -> User:
    """The account can no longer sign in: its sessions end, its tokens and links are revoked at
    once. Raises NotFound, PermissionDenied, Conflict."""
    with write():
        target = _managed(actor, user_id)
        if target.active:
            now = utcnow()
            target.active = False
            users.end_sessions(target)
            revoked = db.session.execute(db.update(AccessToken).where(
                AccessToken.user_id == target.id, AccessToken.revoked_at.is_(None)).values(revoked_at=now)).rowcount
            ended = links.end_open_links(target.id, now=now)
            audit.record(actor, "user.deactivate", "user", target.id, {"tokens_revoked": revoked or 0,
                                                                       "links_ended": ended})
    return target


def activate(actor: User, user_id: int) -> User:
    """Raises NotFound, PermissionDenied, Conflict. Revoked tokens stay revoked."""
    with write():
        target = _managed(actor, user_id)
        if not target.active:
            target.active = True
            audit.record(actor, "user.activate", "user", target.id, {})
    return target


def resend_invitation(actor: User, user_id: int) -> User:
    """Mail a new invitation (the earlier one ends). Raises NotFound, PermissionDenied, Conflict."""
    target = _managed(actor, user_id)
    if not target.active or not target.invitation_pending:
        raise Conflict(_("Akun ini tidak menunggu undangan: orangnya sudah memasang kata sandi, "
                         "atau akunnya nonaktif."))
    enqueue("account.invite_mail", user_id=target.id)
    return target
