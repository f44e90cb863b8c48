"""The vitality index per app: measured by the worker, stored, read by pages, lists and the API.

When: after every mirror fetch (services/repos/mirrors.py queues `vitality.compute`) and once
a day for every published app (`vitality.sweep`). What: docs/vitality.md; the points come from
`vitality_score`. Bounded: git reads only the last 180 days with a commit cap and a time limit
per command (vcs/activity.py), and at most MAX_FORKS forks are read.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ...extensions import db
from ...jobs.queue import enqueue
from ...models import App, AppState, AppVitality, Deployment, Fork, Mirror, Release
from ...models.types import utcnow
from ...vcs.activity import CommitStamp, first_commit_time, own_recent_commits, recent_commits
from ...vcs.errors import VcsError
from .. import audit, repo_paths
from ..tx import write
from . import indexing
from .vitality_score import LONG_DAYS, OBSERVED_DAYS, SHORT_DAYS, Facts, score

log = logging.getLogger(__name__)
MAX_FORKS = 300          # forks read per app, most recently refreshed first
SERIES_MONTHS = 6
RUNNING_STATUSES = ("pilot", "production")  # a planned or stopped deployment is not use
SWEEP_AGE = timedelta(hours=20)  # the daily sweep recomputes rows older than this
SWEEP_BATCH = 5000


@dataclass(frozen=True)
class _Inputs:
    mirror_path: Path | None
    mirror_head: str | None
    forks: list[tuple[Path, str]]
    release_dates: list[datetime]
    deployments: list[tuple[datetime | None, datetime | None]]  # (confirmed_at, last_seen_at)


def month_starts(now: datetime, months: int = SERIES_MONTHS) -> list[datetime]:
    """First instant (UTC) of each of the last `months` calendar months, oldest first."""
    year, month = now.year, now.month
    starts = []
    for _ in range(months):
        starts.append(datetime(year, month, 1, tzinfo=UTC))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def _load(app_id: int) -> _Inputs | None:
    if db.session.get(App, app_id) is None:
        return None
    mirror = db.session.execute(db.select(Mirror).where(Mirror.app_id == app_id)).scalar_one_or_none()
    ready = mirror is not None and mirror.head
    forks = db.session.execute(
        db.select(Fork.relpath, Fork.default_branch).where(Fork.app_id == app_id)
        .order_by(Fork.computed_at.desc(), Fork.id.desc()).limit(MAX_FORKS)).all() if ready else []
    releases = db.session.execute(db.select(Release.date).where(Release.app_id == app_id)).scalars().all()
    deployments = db.session.execute(
        db.select(Deployment.confirmed_at, Deployment.last_seen_at)
        .where(Deployment.app_id == app_id, Deployment.status.in_(RUNNING_STATUSES))).all()
    return _Inputs(repo_paths.absolute(mirror.relpath) if ready else None, mirror.head if ready else None,
                   [(repo_paths.absolute(p), b) for p, b in forks],
                   [d for d in releases if d is not None], [tuple(row) for row in deployments])


def _count_since(stamps: tuple[CommitStamp, ...], since: datetime) -> tuple[int, int]:
    recent = [s for s in stamps if s.at >= since]
    return len(recent), len({s.author for s in recent})


def measure(inputs: _Inputs, now: datetime) -> tuple[Facts, list[dict], dict]:
    """(facts, six-month series, notes): git and rows to numbers; notes say what was capped or
    could not be read, so the page can say so instead of showing a silent zero."""
    short, long = now - timedelta(days=SHORT_DAYS), now - timedelta(days=LONG_DAYS)
    months = month_starts(now)
    notes: dict = {"capped": False, "errors": []}
    stamps: tuple[CommitStamp, ...] = ()
    age_days = 0
    active_60 = active_180 = 0
    if inputs.mirror_path is not None:
        try:
            activity = recent_commits(inputs.mirror_path, min(long, months[0]))
            stamps, notes["capped"] = activity.commits, activity.capped
            first = first_commit_time(inputs.mirror_path)
            age_days = max(0, (now - first).days) if first else 0
        except (VcsError, OSError) as exc:
            notes["errors"].append("mirror")
            log.warning("vitality: mirror history unreadable: %s", exc)
        for path, branch in inputs.forks:
            try:
                own = own_recent_commits(path, f"refs/heads/{branch}", inputs.mirror_head or "", long)
            except (VcsError, OSError) as exc:
                notes["errors"].append("fork")
                log.warning("vitality: fork %s unreadable: %s", path, exc)
                continue
            if own.commits:
                active_180 += 1
                active_60 += any(s.at >= short for s in own.commits)
    commits_60, authors_60 = _count_since(stamps, short)
    commits_180, authors_180 = _count_since(stamps, long)
    declared = confirmed = observed = 0
    for confirmed_at, last_seen_at in inputs.deployments:
        if last_seen_at is not None and last_seen_at >= now - timedelta(days=OBSERVED_DAYS):
            observed += 1
        elif confirmed_at is not None:
            confirmed += 1
        else:
            declared += 1
    facts = Facts(
        commits_60=commits_60, commits_180=commits_180, authors_60=authors_60, authors_180=authors_180,
        releases_60=sum(1 for d in inputs.release_dates if short <= d <= now),
        releases_180=sum(1 for d in inputs.release_dates if long <= d <= now),
        age_days=age_days, active_forks_60=active_60, active_forks_180=active_180,
        deployments_declared=declared, deployments_confirmed=confirmed, deployments_observed=observed)
    bounds = [*months[1:], None]
    series = [{"month": start.strftime("%Y-%m"),
               "commits": sum(1 for s in stamps if s.at >= start and (end is None or s.at < end))}
              for start, end in zip(months, bounds, strict=True)]
    notes["errors"] = sorted(set(notes["errors"]))
    return facts, series, notes


def compute(app_id: int, *, now: datetime | None = None) -> AppVitality | None:
    """Worker job: measure the app, score it and store the row (one write); None if no app.

    When what pages show changed, a system audit event records it; that moves the data version,
    so cached lists, searches and app pages show the new score."""
    now = now or utcnow()
    inputs = _load(app_id)
    db.session.rollback()  # no read transaction held while git runs
    if inputs is None:
        return None
    facts, series, notes = measure(inputs, now)
    total, components = score(facts)
    components.update(notes)
    with write():
        app = db.session.get(App, app_id)
        if app is None:  # deleted while git ran: nothing to store
            return None
        row = db.session.get(AppVitality, app_id) or AppVitality(app_id=app_id)
        before = _visible(row.score, row.components, row.series) if row.computed_at else None
        row.score, row.components, row.series, row.computed_at = total, components, series, now
        row.error = ", ".join(notes["errors"])
        db.session.add(row)
        if before != _visible(total, components, series):
            # A system event, like the mirror fetch: the figure an auditor may quote has a history,
            # and the data version moves, so cached lists and pages show the new score.
            audit.record(None, "app.vitality", "app", app.slug,
                         {"score": total, "previous": before[0] if before else None})
            if app.state == AppState.PUBLISHED.value:
                indexing.mark_dirty(app_id)
    indexing.apply_soon()
    return db.session.get(AppVitality, app_id)


def _visible(total: int | None, components: dict | None, series: list | None) -> tuple:
    """What lists and pages show, less the project's age in days (it grows every day; its points
    change the score, which is compared)."""
    facts = {k: v for k, v in ((components or {}).get("facts") or {}).items() if k != "age_days"}
    return total, facts, list(series or [])


def queue_after_fetch(app_id: int) -> None:
    """Called by the mirror fetch: recompute with the new history (after the fetch commits)."""
    enqueue("vitality.compute", app_id=app_id)


def queue_daily(now: datetime | None = None) -> int:
    """Periodic: queue every published app whose index is missing or older than SWEEP_AGE."""
    cutoff = (now or utcnow()) - SWEEP_AGE
    stmt = (db.select(App.id).outerjoin(AppVitality, AppVitality.app_id == App.id)
            .where(App.state == AppState.PUBLISHED.value,
                   db.or_(AppVitality.app_id.is_(None), AppVitality.computed_at < cutoff))
            .order_by(AppVitality.computed_at.is_not(None), AppVitality.computed_at, App.id).limit(SWEEP_BATCH))
    ids = list(db.session.execute(stmt).scalars())
    db.session.rollback()
    for app_id in ids:
        enqueue("vitality.compute", app_id=app_id)
    return len(ids)


def for_app(app_id: int) -> AppVitality | None:
    """The stored index of one app (one primary-key read), None before the first computation."""
    return db.session.get(AppVitality, app_id)

