"""What "Aplikasi di daerah saya" and the API's list of one organization's deployments show of an
organization changes only with these stamps: read them in one query and name them in the
fragment's key, so the fragment is kept until the organization's own rows change
(web/fragments.py, `own_version`), not dropped at every write anywhere in the catalog (several
a second on a working day)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, or_

from ...extensions import db
from ...models import App, Deployment, Fork, Organization


def _region_marks(org_id) -> Any:
    """The stamps' statement for the organization whose id is the expression `org_id`."""
    def of_org(model, *columns) -> Any:
        return db.select(*columns).where(model.organization_id == org_id).scalar_subquery()

    return db.select(
        # deployments: how many, last changed (status, version, source, details), last confirmed,
        # last lag computation, last heartbeat, tokens issued or revoked (the attention list's)
        of_org(Deployment, func.count(Deployment.id)), of_org(Deployment, func.max(Deployment.updated_at)),
        of_org(Deployment, func.max(Deployment.confirmed_at)), of_org(Deployment, func.count(Deployment.confirmed_at)),
        of_org(Deployment, func.max(Deployment.lag_computed_at)), of_org(Deployment, func.max(Deployment.last_seen_at)),
        of_org(Deployment, func.max(Deployment.heartbeat_token_issued_at)),
        of_org(Deployment, func.count(Deployment.heartbeat_token_issued_at)),
        # copies: how many, last counted, details still due (the details job clears it), last made
        of_org(Fork, func.count(Fork.id)), of_org(Fork, func.max(Fork.computed_at)),
        of_org(Fork, func.count(Fork.id).filter(Fork.details_pending)), of_org(Fork, func.max(Fork.created_at)),
        # the apps they are of: names, publication (every change of an entry sets its updated_at)
        db.select(func.max(App.updated_at)).where(or_(
            App.id.in_(db.select(Deployment.app_id).where(Deployment.organization_id == org_id)),
            App.id.in_(db.select(Fork.app_id).where(Fork.organization_id == org_id)))).scalar_subquery(),
        # the organization itself (None: no organization has that code)
        db.select(Organization.id).where(Organization.id == org_id).scalar_subquery(),
    )


# Built once: their cache keys are memoized, where a statement built per call is keyed afresh.
_BY_ID = _region_marks(bindparam("org_id"))
_BY_CODE = _region_marks(db.select(Organization.id).where(Organization.code == bindparam("code")).scalar_subquery())


def region_change_marks(org_id: int) -> tuple:
    """The stamps of everything an organization's overview shows, as one hashable tuple."""
    return tuple(db.session.execute(_BY_ID, {"org_id": org_id}).one())


def region_change_marks_by_code(code: str) -> tuple | None:
    """The same for the organization with this exact code; None when there is none."""
    marks = tuple(db.session.execute(_BY_CODE, {"code": code}).one())
    return marks if marks[-1] is not None else None
