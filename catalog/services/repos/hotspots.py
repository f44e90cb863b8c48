"""Changes in common: the files an app's forks change most often, and the commits two or more
forks made identically (same `git patch-id`): a change that probably belongs upstream.

The worker computes it per app (a periodic sweep, for apps whose forks were refreshed since), from each fork's
stored own commits (at most refresh.MAX_OWN_COMMITS), two git commands per fork, within a time
budget and a cap on forks and paths; pages and the API only read the stored row.
"""
from __future__ import annotations

import logging
import time
from collections import defaultdict
from typing import Any

from flask import current_app

from ...extensions import db
from ...models import AppHotspots, Fork
from ...models.types import utcnow
from ...vcs import contributions as contrib_git
from ...vcs.errors import VcsError
from .. import repo_paths
from ..catalog import apps
from ..tx import write
from . import refresh as fork_refresh

log = logging.getLogger(__name__)
MAX_FORKS = 500  # forks scanned per app (most recently computed first)
MAX_FILES = 20  # files listed
MAX_COMMON = 50  # common changes listed
PATHS_PER_FORK = 2000
DEFAULT_BUDGET = 120.0  # seconds of git per app
MAX_APPS_PER_SWEEP = 20


def compute(app_id: int, *, budget: float | None = None) -> AppHotspots:
    """Scan the app's forks and store the result (partial when the budget ran out)."""
    budget = budget if budget is not None else current_app.config.get("HOTSPOTS_BUDGET", DEFAULT_BUDGET)
    forks = db.session.execute(
        db.select(Fork.id, Fork.relpath, Fork.own_commits).where(Fork.app_id == app_id)
        .order_by(Fork.computed_at.desc(), Fork.id).limit(MAX_FORKS)).all()
    db.session.rollback()  # no read transaction held while git runs
    limits = fork_refresh.diff_limits()
    deadline = time.monotonic() + budget
    files: dict[str, set[int]] = defaultdict(set)
    changes: dict[str, dict[int, str]] = defaultdict(dict)
    summaries: dict[str, str] = {}
    scanned, partial = 0, False
    for fork_id, relpath, own in forks:
        if time.monotonic() > deadline:
            partial = True
            break
        scanned += 1
        shas = [c["sha"] for c in own or []][:contrib_git.MAX_COMMITS]
        if not shas:
            continue
        path = repo_paths.absolute(relpath)
        try:
            for p in contrib_git.changed_paths(path, shas, limit=PATHS_PER_FORK, **limits):
                files[p].add(fork_id)
            for sha, pid in contrib_git.patch_ids(path, shas, **limits).items():
                changes[pid].setdefault(fork_id, sha)
        except (VcsError, OSError) as exc:
            log.warning("hotspots: fork %s skipped: %s", fork_id, exc)
            continue
        for c in own or []:
            summaries.setdefault(c["sha"], c.get("summary", ""))
    top_files = sorted(((p, ids) for p, ids in files.items() if len(ids) >= 1),
                       key=lambda item: (-len(item[1]), item[0]))[:MAX_FILES]
    common = sorted(((pid, by_fork) for pid, by_fork in changes.items() if len(by_fork) >= 2),
                    key=lambda item: (-len(item[1]), item[0]))[:MAX_COMMON]
    row_files = [{"path": p, "forks": sorted(ids)} for p, ids in top_files]
    row_common = [{"patch_id": pid, "forks": sorted(by_fork),
                   "summary": summaries.get(next(iter(by_fork.values())), ""),
                   "commits": [{"fork": f, "sha": s} for f, s in sorted(by_fork.items())]}
                  for pid, by_fork in common]
    with write():
        row = db.session.get(AppHotspots, app_id)
        if row is None:
            row = AppHotspots(app_id=app_id)
            db.session.add(row)
        row.files, row.common_changes, row.forks_scanned = row_files, row_common, scanned
        row.partial, row.computed_at = partial, utcnow()
    return row


def due_apps(limit: int = MAX_APPS_PER_SWEEP) -> list[int]:
    """Apps with a fork refreshed after their changes in common were last computed."""
    latest = (db.select(Fork.app_id, db.func.max(Fork.computed_at).label("at"))
              .where(Fork.computed_at.is_not(None)).group_by(Fork.app_id).subquery())
    stmt = (db.select(latest.c.app_id).outerjoin(AppHotspots, AppHotspots.app_id == latest.c.app_id)
            .where(db.or_(AppHotspots.computed_at.is_(None), latest.c.at > AppHotspots.computed_at))
            .order_by(latest.c.app_id).limit(limit))
    return list(db.session.execute(stmt).scalars())


def sweep(limit: int = MAX_APPS_PER_SWEEP) -> int:
    """The worker's periodic job: recompute the apps that are due; returns how many."""
    due = due_apps(limit)
    for app_id in due:
        compute(app_id)
    return len(due)


def stored(app_id: int) -> AppHotspots | None:
    return db.session.get(AppHotspots, app_id)


def hotspots_json(slug: str) -> dict[str, Any]:
    """The contract's shape for a published app; empty lists until the worker computed them."""
    app = apps.get_published(slug)
    row = stored(app.id)
    if row is None:
        return {"files": [], "common_changes": [], "computed_at": None, "partial": False}
    return {"files": list(row.files), "common_changes": list(row.common_changes),
            "computed_at": row.computed_at.isoformat() if row.computed_at else None, "partial": row.partial}
