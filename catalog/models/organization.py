"""Organizations: provinces, regencies, cities (Kemendagri codes) and national agencies."""
from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class OrgKind(str, enum.Enum):
    PROVINCE = "province"
    REGENCY = "regency"
    CITY = "city"
    AGENCY = "agency"


class Organization(db.Model):
    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), index=True)
    # Off: this organization's people sign in through single sign-on only (set by the platform admin)
    password_login: Mapped[bool] = mapped_column(default=True, server_default=true())

    parent: Mapped[Organization | None] = relationship(remote_side=[id], lazy="joined")

    @property
    def province(self) -> Organization | None:
        """The province this organization belongs to (itself for a province, None for agencies)."""
        if self.kind == OrgKind.PROVINCE.value:
            return self
        return self.parent

    @property
    def is_region(self) -> bool:
        return self.kind in (OrgKind.REGENCY.value, OrgKind.CITY.value)

    def __repr__(self) -> str:
        return f"<Organization {self.code} {self.name}>"
