"""What an app page's shared fragments show changes only with these stamps: read them in one query
and name them in the fragments' keys, so a fragment is kept until its own rows change
(web/fragments.py, `own_version`) and not dropped at every write anywhere in the catalog.

The catalog list, search and home show only what the search index holds and the rows it names,
and every change to those rows (an entry's fields, its state, its vitality score) goes through
the index change log: the node's index position (`index_mark`) names them all."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from time import monotonic

from flask import current_app
from sqlalchemy import bindparam, func, select

from ...extensions import db
from ...models import AppVitality, Deployment, Fork
from ...models.index_position import position_stamp


@dataclass(frozen=True)
class AppChangeMarks:
    forks: tuple[int, datetime | None, datetime | None]  # how many, last refreshed, last made
    # how many, last changed (every change of status, version or source sets updated_at), last
    # confirmed, last heartbeat (the evidence strength each line shows)
    deployments: tuple[int, datetime | None, datetime | None, datetime | None]
    vitality: datetime | None  # when the worker last computed it


def _of_app(column, model):
    return select(column).where(model.app_id == bindparam("app_id")).scalar_subquery()


# Built once: eight subqueries built afresh per page view cost more CPU (statement construction
# and its cache key) than the database spent answering them. A statement built once keeps its key.
_MARKS = select(
    _of_app(func.count(Fork.id), Fork), _of_app(func.max(Fork.computed_at), Fork),
    _of_app(func.max(Fork.created_at), Fork), _of_app(func.count(Deployment.id), Deployment),
    _of_app(func.max(Deployment.updated_at), Deployment), _of_app(func.max(Deployment.confirmed_at), Deployment),
    _of_app(func.max(Deployment.last_seen_at), Deployment), _of_app(AppVitality.computed_at, AppVitality))


def app_change_marks(app_id: int) -> AppChangeMarks:
    row = db.session.execute(_MARKS, {"app_id": app_id}).one()
    return AppChangeMarks(forks=tuple(row[0:3]), deployments=tuple(row[3:7]), vitality=row[7])


_first_seen: dict[str, tuple[tuple, float]] = {}  # index dir -> (position stamp, when this process first saw it)


def index_mark(settle: float) -> tuple | None:
    """The node's search index position, which moves whenever a listed fact may have changed; None
    when unknown, or seen for less than `settle` seconds (this process's searcher reloads a changed
    index a moment after the position file says so: a page drawn meanwhile must not be kept)."""
    index_dir = os.fspath(current_app.config["SEARCH_INDEX_DIR"])
    stamp = position_stamp(index_dir)
    if stamp[0] is None:
        return None
    now = monotonic()
    seen = _first_seen.get(index_dir)
    if seen is None or seen[0] != stamp:
        seen = _first_seen[index_dir] = (stamp, now)
    return stamp if now - seen[1] >= settle else None
