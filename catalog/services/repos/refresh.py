"""Stored divergence of forks, refreshed in bulk (after an upstream fetch) or per fork (a push).

Lists need five numbers per fork; computing everything per fork (13 git processes and one
commit each) was 8× a plain-git loop. So the refresh is split:

1. counts: for each fork whose fork head or upstream head moved since the stored numbers, two
   git commands (vcs.drift_counts); every row of the batch written in one transaction.
2. details (merge base, files differing from upstream, own commits, missed releases): a
   second job queued after the first; releases are listed once per distinct merge base.
   Until it ran (`Fork.details_pending`), the fork's own page and API entry compute them
   themselves (fork_details), so they are never stale there; afterwards they read the row.

A fork whose repository is broken gets its error recorded and never stops the batch.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Literal

from flask import current_app
from sqlalchemy import bindparam

from ... import vcs
from ...extensions import db
from ...models import Fork, Mirror
from ...models.types import MAX_DB_ID, utcnow
from ...vcs import contributions as contrib_git
from ...vcs.errors import N_, RevisionNotFound, VcsError
from .. import repo_paths
from ..tx import write

log = logging.getLogger(__name__)
MAX_OWN_COMMITS = 50
CHUNK = 500  # ids per IN (...) clause
BROKEN_REPO = N_("Repositori salinan tidak dapat dibaca.")
COUNT_FIELDS = ("ahead", "behind", "files_changed", "insertions", "deletions", "upstream_head", "fork_head")
Details = Literal["later", "now", "skip"]


@dataclass
class BatchResult:
    """Fork ids recomputed, how many were unchanged, and errors by fork id."""

    refreshed: list[int] = field(default_factory=list)
    skipped: int = 0
    failed: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ForkDetails:
    """The fork page's extra facts, as stored or freshly computed; `error` if that failed."""

    merge_base: str | None
    files_differing_from_upstream: int
    own_commits: list[dict]
    releases_since_base: list[dict]
    upstreamed_commits: list[dict] = field(default_factory=list)
    error: str = ""


@dataclass(frozen=True)
class _Target:
    id: int
    path: Path
    branch: str
    fork_head: str | None
    upstream_head: str | None
    error: str
    computed_at: datetime | None
    mirror_path: Path
    mirror_head: str | None
    counts: vcs.DriftCounts | None  # the stored numbers, when complete


def diff_limits() -> dict:
    """Time and memory caps of one diff command (a fork may hold a "git bomb")."""
    cfg = current_app.config
    return {"timeout": cfg["GIT_DIFF_TIMEOUT"], "max_memory": cfg["GIT_DIFF_MAX_MEMORY"]}


def refresh_forks_of_app(app_id: int, *, force: bool = False) -> BatchResult:
    """The worker's job after an upstream fetch: every fork of the app in one batch."""
    ids = db.session.execute(db.select(Fork.id).where(Fork.app_id == app_id).order_by(Fork.id)).scalars()
    return refresh_batch(list(ids), force=force)


def refresh_batch(fork_ids: Iterable[int], *, force: bool = False, details: Details = "later") -> BatchResult:
    """Recompute the stored counts of forks whose heads moved (all of them with `force`).

    details="later" queues the details job for the forks recomputed, "now" computes them in
    this pass (one fork on request), "skip" leaves them (benchmarks, tests, the push job that computes them next).
    """
    targets = _load(fork_ids)
    db.session.rollback()  # no read transaction held while git runs
    result, rows, seen = BatchResult(), {}, {}
    limits, releases = diff_limits(), {}
    for t in targets:
        if t.mirror_head is None:  # mirror not fetched yet: nothing to compare with
            result.skipped += 1
            continue
        try:
            head = vcs.read_branch_head(t.path, t.branch)
            if head is None:
                raise RevisionNotFound()
            if (not force and not t.error and t.computed_at is not None
                    and head == t.fork_head and t.mirror_head == t.upstream_head):
                result.skipped += 1
                continue
            counts = vcs.drift_counts(t.path, head, t.mirror_head, **limits)
            row = {name: getattr(counts, name) for name in COUNT_FIELDS}
            row["details_pending"] = details != "now"
            if details == "now":
                row.update(_details_row(t.path, t.mirror_path, counts, limits, releases))
        except (VcsError, OSError) as exc:
            result.failed[t.id] = _record_failure(t, exc, rows)
        else:
            rows[t.id] = {**row, "divergence_error": ""}
        seen[t.id] = t.computed_at
    result.refreshed = _write(rows, seen, result.failed)
    if details == "later" and result.refreshed:
        from ...jobs.queue import enqueue
        enqueue("fork.details", fork_ids=result.refreshed)
    return result


def refresh_details(fork_ids: Iterable[int]) -> int:
    """The second, lower-priority pass: details for the stored heads of each fork; returns
    how many rows were written. Skips forks with a recorded error (their heads are old)."""
    targets = [t for t in _load(fork_ids) if t.counts is not None and not t.error]
    db.session.rollback()
    rows, seen, failed = {}, {}, {}
    limits, releases = diff_limits(), {}
    for t in targets:
        try:
            rows[t.id] = {**_details_row(t.path, t.mirror_path, t.counts, limits, releases),
                          "details_pending": False}
        except (VcsError, OSError) as exc:
            failed[t.id] = _record_failure(t, exc, rows)
        seen[t.id] = t.computed_at
    return len(_write(rows, seen, failed))


def fork_details(fork: Fork) -> ForkDetails:
    """Merge base, files differing from upstream, own commits and missed releases for the
    fork's stored heads: as stored once the details job ran, else computed now (a few git
    commands: one fork's page or API entry). The stored values when the last refresh failed."""
    stored = ForkDetails(fork.merge_base, fork.files_differing_from_upstream, list(fork.own_commits or []),
                         list(fork.releases_since_base or []), list(fork.upstreamed_commits or []))
    counts = _pending_counts(fork)
    if counts is None:
        return stored
    mirror = db.session.execute(db.select(Mirror).where(Mirror.app_id == fork.app_id)).scalar_one_or_none()
    if mirror is None:
        return stored
    try:
        row = _details_row(repo_paths.absolute(fork.relpath), repo_paths.absolute(mirror.relpath), counts,
                           diff_limits(), {})
    except (VcsError, OSError) as exc:
        log.warning("details of fork %s failed: %s", fork.id, getattr(exc, "detail", "") or exc)
        return replace(stored, error=getattr(exc, "message", BROKEN_REPO))
    return ForkDetails(**row)


_STAMP = db.select(Fork.computed_at).where(Fork.id == bindparam("fork_id"))


def divergence_stamp(executor, fork_id: int) -> datetime | None:
    """When the fork's stored divergence was last written (None: never, or no such fork), read
    through `executor` (the page cache's own connection). The refresh writes it with no audit
    event, so a fork page kept for a session follows this as well as the data version."""
    if not 0 < fork_id <= MAX_DB_ID:
        return None
    return executor.execute(_STAMP, {"fork_id": fork_id}).scalar()


def current_merge_base(fork: Fork) -> str | None:
    """Merge base of the stored heads (the stored one lags until the details job ran)."""
    counts = _pending_counts(fork)
    if counts is None:
        return fork.merge_base
    try:
        return vcs.merge_base_for(repo_paths.absolute(fork.relpath), counts)
    except (VcsError, OSError):
        return fork.merge_base


def _pending_counts(fork: Fork) -> vcs.DriftCounts | None:
    """The stored counts when the fork's details still have to be computed for them; None
    when the stored details are current (or the last refresh failed: nothing newer to use)."""
    if not fork.details_pending or not fork.fork_head or not fork.upstream_head or fork.divergence_error:
        return None
    return vcs.DriftCounts(fork.upstream_head, fork.fork_head, fork.ahead, fork.behind, fork.files_changed,
                           fork.insertions, fork.deletions)


def commit_json(c: vcs.CommitInfo) -> dict:
    return {"sha": c.sha, "author": c.author_name, "date": c.date.isoformat(), "summary": c.summary}


def release_json(r: vcs.Release) -> dict:
    return {"name": r.name, "date": r.date.isoformat(), "commit": r.commit}


def _details_row(fork_path: Path, mirror_path: Path, counts: vcs.DriftCounts, limits: dict,
                 releases: dict) -> dict:
    """Details for `counts`' heads; `releases` memoizes the mirror's answer per merge base."""
    d = vcs.drift_details(fork_path, counts, own_limit=MAX_OWN_COMMITS, **limits)
    key = (mirror_path, d.merge_base)
    if key not in releases:
        since = vcs.releases_since(mirror_path, d.merge_base) if d.merge_base else []
        releases[key] = [release_json(r) for r in since]
    own, upstreamed = _split_upstreamed(fork_path, mirror_path, counts, d, limits)
    return {"merge_base": d.merge_base, "files_differing_from_upstream": d.files_differing_from_upstream,
            "own_commits": own, "releases_since_base": releases[key], "upstreamed_commits": upstreamed}


def _split_upstreamed(fork_path: Path, mirror_path: Path, counts: vcs.DriftCounts,
                      details: vcs.DriftDetails, limits: dict) -> tuple[list[dict], list[dict]]:
    """The fork's own commits, less those upstream holds with the same patch-id (a recognised
    merge: a region's fix taken upstream is no longer its own modification). The details mark
    them; four more git commands only when some are equivalent."""
    own_commits = details.own_commits
    equivalent = [c.sha for c in own_commits if c.sha in details.upstreamed]
    if not equivalent:
        return [commit_json(c) for c in own_commits], []
    upstream_of = contrib_git.upstream_equivalents(fork_path, counts.upstream_head, counts.fork_head,
                                                   equivalent, **limits)
    own, upstreamed = [], []
    for c in own_commits:
        if c.sha not in equivalent:
            own.append(commit_json(c))
            continue
        upstream_sha = upstream_of.get(c.sha)
        release = contrib_git.first_tag_containing(mirror_path, upstream_sha) if upstream_sha else None
        upstreamed.append({**commit_json(c), "upstream_sha": upstream_sha, "release": release})
    return own, upstreamed


def _record_failure(t: _Target, exc: Exception, rows: dict) -> str:
    message = exc.message if isinstance(exc, VcsError) else BROKEN_REPO
    log.warning("divergence of fork %s failed: %s", t.id, getattr(exc, "detail", "") or exc)
    rows.pop(t.id, None)
    return message


def _load(fork_ids: Iterable[int]) -> list[_Target]:
    ids = sorted(set(fork_ids))
    targets = []
    for start in range(0, len(ids), CHUNK):
        stmt = (db.select(Fork.id, Fork.relpath, Fork.default_branch, Fork.fork_head, Fork.upstream_head,
                          Fork.divergence_error, Fork.computed_at, Fork.ahead, Fork.behind, Fork.files_changed,
                          Fork.insertions, Fork.deletions, Mirror.relpath, Mirror.head)
                .join(Mirror, Mirror.app_id == Fork.app_id).where(Fork.id.in_(ids[start:start + CHUNK])))
        for r in db.session.execute(stmt):
            counts = (vcs.DriftCounts(r[4], r[3], r[7], r[8], r[9], r[10], r[11])
                      if r[3] and r[4] and r[6] is not None else None)
            targets.append(_Target(r[0], repo_paths.absolute(r[1]), r[2], r[3], r[4], r[5] or "", r[6],
                                   repo_paths.absolute(r[12]), r[13], counts))
    return targets


def _write(rows: dict[int, dict], seen: dict[int, datetime | None], failed: dict[int, str]) -> list[int]:
    """One transaction for the batch. A row another refresh wrote since we read it (a push
    outran us) is left alone: its numbers are newer than ours. Returns the ids refreshed."""
    if not rows and not failed:
        return []
    with write():
        now, current = utcnow(), {}
        ids = sorted(seen)
        for start in range(0, len(ids), CHUNK):
            current.update(db.session.execute(db.select(Fork.id, Fork.computed_at)
                                              .where(Fork.id.in_(ids[start:start + CHUNK]))).all())
        fresh = [i for i in ids if i in current and current[i] == seen[i]]
        updates = [{"id": i, **rows[i], "computed_at": now} for i in fresh if i in rows]
        updates += [{"id": i, "divergence_error": failed[i], "computed_at": now} for i in fresh if i in failed]
        if updates:
            db.session.execute(db.update(Fork), updates)  # bulk UPDATE by primary key
    db.session.expire_all()
    return [i for i in fresh if i in rows]
