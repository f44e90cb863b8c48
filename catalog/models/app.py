"""Applications listed in the catalog, with their publishing state."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, false, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .organization import Organization
from .types import JSONList, UTCDateTime, utcnow


class AppState(str, enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class App(db.Model):
    __tablename__ = "app"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    short_description_id: Mapped[str] = mapped_column(String(300))
    short_description_en: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    features: Mapped[list] = mapped_column(JSONList, default=list)
    category: Mapped[str] = mapped_column(String(64), index=True)
    tags: Mapped[list] = mapped_column(JSONList, default=list)
    publisher_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    repo_url: Mapped[str] = mapped_column(String(500), default="")
    # The exact address an admin saved with CATALOG_ALLOW_LOCAL_REPOS on: only this one may reach a
    # local folder or loopback at fetch time, so a name a publisher saved cannot be rebound to it.
    local_repo_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # "Repositori induk di katalog" (issue 20): the canonical repository lives here; the app's
    # publishers push to /git/upstream/<slug>.git and the mirror is never fetched from elsewhere.
    hosted_upstream: Mapped[bool] = mapped_column(default=False, server_default=false())
    license: Mapped[str] = mapped_column(String(100), index=True)
    development_status: Mapped[str] = mapped_column(String(16), index=True)
    software_type: Mapped[str] = mapped_column(String(40), default="standalone/web")
    documentation_url: Mapped[str] = mapped_column(String(500), default="")
    maintenance_type: Mapped[str] = mapped_column(String(16), default="internal")
    maintenance_contacts: Mapped[list] = mapped_column(JSONList, default=list)
    contractor_name: Mapped[str] = mapped_column(String(200), default="")
    contract_end: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), index=True, default=AppState.DRAFT.value)
    review_note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # publiccode.yml keys the entry has no field for (dependsOn, localisation, isBasedOn, ...),
    # kept from an import so that the export writes them back.
    publiccode_extras: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))

    publisher: Mapped[Organization] = relationship(lazy="joined")
    platform_rows: Mapped[list[AppPlatform]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="AppPlatform.platform"
    )

    @property
    def public_repo_url(self) -> str | None:
        """The repository address shown to others. A server path (a local repository an admin
        registered for an offline install) means nothing elsewhere and maps the server's disk for
        an attacker; the mirror's clone URL stands for it instead."""
        return self.repo_url if self.repo_url.startswith(("https://", "http://")) else None

    @property
    def platforms(self) -> list[str]:
        return [row.platform for row in self.platform_rows]

    @platforms.setter
    def platforms(self, names: list[str]) -> None:
        wanted = list(dict.fromkeys(names))
        self.platform_rows = [r for r in self.platform_rows if r.platform in wanted] + [
            AppPlatform(platform=n) for n in wanted if n not in self.platforms
        ]

    def __repr__(self) -> str:
        return f"<App {self.slug} {self.state}>"


# Apps of one category in name order, walked a few at a time (services/catalog/similar.py):
# without it each category's apps were all read and sorted (13 ms a call at 27,000 apps).
Index("ix_app_category_name", App.category, func.lower(App.name))
# Names that start with what a person typed (services/deployments/queries.py, app_names_starting):
# a range on this index, so a suggestion costs the same at any size of the catalog.
Index("ix_app_name_lower", func.lower(App.name))


class AppPlatform(db.Model):
    """One row per platform of an app, so the catalog can facet on platforms in SQL."""

    __tablename__ = "app_platform"

    app_id: Mapped[int] = mapped_column(ForeignKey("app.id", ondelete="CASCADE"), primary_key=True)
    platform: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)
