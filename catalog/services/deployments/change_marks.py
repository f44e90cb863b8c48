"""What "Aplikasi di daerah saya" shows of an organization changes only with these stamps: read
them in one query and name them in the fragment's key, so the fragment is kept until the
organization's own rows change (web/fragments.py, `own_version`), not dropped at every write
anywhere in the catalog (several a second on a working day)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, or_

from ...extensions import db
from ...models import App, Deployment, Fork

_ORG = bindparam("org_id")


def _of_org(model, *columns) -> Any:
    return db.select(*columns).where(model.organization_id == _ORG).scalar_subquery()


# Built once: its cache key is memoized, where a statement built per call is keyed afresh.
_REGION_MARKS = db.select(
    # deployments: how many, last changed (status, version, source, details), last confirmed, last
    # lag computation, last heartbeat, tokens issued or revoked (the attention list reads them)
    _of_org(Deployment, func.count(Deployment.id)), _of_org(Deployment, func.max(Deployment.updated_at)),
    _of_org(Deployment, func.max(Deployment.confirmed_at)), _of_org(Deployment, func.count(Deployment.confirmed_at)),
    _of_org(Deployment, func.max(Deployment.lag_computed_at)), _of_org(Deployment, func.max(Deployment.last_seen_at)),
    _of_org(Deployment, func.max(Deployment.heartbeat_token_issued_at)),
    _of_org(Deployment, func.count(Deployment.heartbeat_token_issued_at)),
    # copies: how many, last counted, details still due (the details job clears it), last made
    _of_org(Fork, func.count(Fork.id)), _of_org(Fork, func.max(Fork.computed_at)),
    _of_org(Fork, func.count(Fork.id).filter(Fork.details_pending)), _of_org(Fork, func.max(Fork.created_at)),
    # the names of the apps they are of
    db.select(func.max(App.updated_at)).where(or_(
        App.id.in_(db.select(Deployment.app_id).where(Deployment.organization_id == _ORG)),
        App.id.in_(db.select(Fork.app_id).where(Fork.organization_id == _ORG)))).scalar_subquery(),
)


def region_change_marks(org_id: int) -> tuple:
    """The stamps of everything an organization's overview shows, as one hashable tuple."""
    return tuple(db.session.execute(_REGION_MARKS, {"org_id": org_id}).one())
