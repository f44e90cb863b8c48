"""Light reads of an app's forks for pages: only the columns a table shows, a page at a time.

An app shared by hundreds of regions has hundreds of forks; loading each as a full `Fork` (joined
app, publisher and organization, two JSON columns decoded) cost 60–80 ms per app page for 500.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, func

from ...extensions import db
from ...models import Fork, Organization
from ...paging import Page, page_count

PER_PAGE = 50


@dataclass(frozen=True)
class ForkRow:
    id: int
    organization_id: int
    organization_name: str
    ahead: int
    behind: int
    files_changed: int
    organization_code: str = ""  # for the link to the organization's page
    name: str = ""  # the fork's own name (its repository)


@dataclass(frozen=True)
class OwnCopy:
    """A region's own copy of an app, as the app page and the adoption guide link it."""
    id: int
    name: str
    relpath: str
    organization_name: str


@dataclass(frozen=True)
class ForkPage(Page[ForkRow]):
    @property
    def rows(self) -> list[ForkRow]:
        """The name the fork tables use."""
        return self.items


# Built once (with their cache keys): every app page and adoption guide reads these.
_FORK_COUNT = db.select(func.count(Fork.id)).where(Fork.app_id == bindparam("app_id"))
_FORK_PAGE = (db.select(Fork.id, Fork.organization_id, Organization.name, Fork.ahead, Fork.behind,
                        Fork.files_changed, Organization.code, Fork.name)
              .join(Organization, Organization.id == Fork.organization_id)
              .where(Fork.app_id == bindparam("app_id")).order_by(Fork.created_at, Fork.id)
              .limit(bindparam("limit")).offset(bindparam("offset")))
_OWN_COPY = (db.select(Fork.id, Fork.name, Fork.relpath, Organization.name)
             .join(Organization, Organization.id == Fork.organization_id)
             .where(Fork.app_id == bindparam("app_id"), Fork.organization_id == bindparam("org_id"))
             .order_by(Fork.created_at, Fork.id).limit(1))


def fork_count(app_id: int) -> int:
    return db.session.execute(_FORK_COUNT, {"app_id": app_id}).scalar_one()


def fork_page(app_id: int, page: int = 1, per_page: int = PER_PAGE) -> ForkPage:
    """Forks of an app, oldest first (the order regions copied it), `per_page` at a time."""
    total = fork_count(app_id)
    page = max(1, min(page, page_count(total, per_page)))
    params = {"app_id": app_id, "limit": per_page, "offset": (page - 1) * per_page}
    rows = [ForkRow(*r) for r in db.session.execute(_FORK_PAGE, params)] if total else []
    return ForkPage(rows, total, page, per_page)


def fork_of_organization(app_id: int, org_id: int | None) -> OwnCopy | None:
    """The organization's own copy of the app, if it made one (the oldest, should it have several).
    Four columns, not a `Fork` with its joins: it is read on every signed-in adopter's app page."""
    if org_id is None:
        return None
    row = db.session.execute(_OWN_COPY, {"app_id": app_id, "org_id": org_id}).first()
    return OwnCopy(*row) if row is not None else None


def forking_organization_ids(app_id: int) -> set[int]:
    stmt = db.select(Fork.organization_id).where(Fork.app_id == app_id).distinct()
    return set(db.session.execute(stmt).scalars())
