"""Look up organizations: provinces, kab/kota and national agencies."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, or_

from ...extensions import db
from ...models import Organization, OrgKind
from ..errors import NotFound, ValidationFailed

KINDS = tuple(k.value for k in OrgKind)


def get_by_code(code: str) -> Organization:
    """Raises NotFound."""
    org = db.session.execute(db.select(Organization).where(Organization.code == code)).scalar_one_or_none()
    if org is None:
        raise NotFound(_("Organisasi dengan kode '%(code)s' tidak ditemukan.", code=code))
    return org


def list_organizations(*, kind: str | None = None, parent: str | None = None,
                       q: str | None = None, page: int = 1, per_page: int = 50
                       ) -> tuple[list[Organization], int]:
    """Filtered, paginated organizations; raises ValidationFailed for an unknown kind."""
    stmt = db.select(Organization)
    if kind:
        if kind not in KINDS:
            raise ValidationFailed(_("Jenis organisasi tidak dikenal."),
                                   {"kind": _("Pilih salah satu: %(v)s.", v=', '.join(KINDS))})
        stmt = stmt.where(Organization.kind == kind)
    if parent:
        parent_org = get_by_code(parent)
        stmt = stmt.where(Organization.parent_id == parent_org.id)
    if q:
        like = f"%{q.strip().lower()[:100]}%"
        stmt = stmt.where(or_(func.lower(Organization.name).like(like), Organization.code.like(like)))
    total = db.session.execute(db.select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = db.session.execute(stmt.order_by(Organization.code).limit(per_page).offset((page - 1) * per_page)).scalars()
    return list(rows), total


def provinces() -> list[Organization]:
    stmt = db.select(Organization).where(Organization.kind == OrgKind.PROVINCE.value).order_by(Organization.name)
    return list(db.session.execute(stmt).scalars())
