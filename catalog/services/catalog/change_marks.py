"""What an app page's shared fragments show changes only with these stamps: read them in one query
and name them in the fragments' keys, so a fragment is kept until its own rows change
(web/fragments.py, `own_version`) and not dropped at every write anywhere in the catalog."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func

from ...extensions import db
from ...models import AppVitality, Deployment, Fork


@dataclass(frozen=True)
class AppChangeMarks:
    forks: tuple[int, datetime | None, datetime | None]  # how many, last refreshed, last made
    # how many, last changed (every change of status, version or source sets updated_at), last
    # confirmed, last heartbeat (the evidence strength each line shows)
    deployments: tuple[int, datetime | None, datetime | None, datetime | None]
    vitality: datetime | None  # when the worker last computed it


def app_change_marks(app_id: int) -> AppChangeMarks:
    def of_app(column, model):
        return db.select(column).where(model.app_id == app_id).scalar_subquery()

    row = db.session.execute(db.select(
        of_app(func.count(Fork.id), Fork), of_app(func.max(Fork.computed_at), Fork),
        of_app(func.max(Fork.created_at), Fork), of_app(func.count(Deployment.id), Deployment),
        of_app(func.max(Deployment.updated_at), Deployment), of_app(func.max(Deployment.confirmed_at), Deployment),
        of_app(func.max(Deployment.last_seen_at), Deployment), of_app(AppVitality.computed_at, AppVitality))).one()
    return AppChangeMarks(forks=tuple(row[0:3]), deployments=tuple(row[3:7]), vitality=row[7])
