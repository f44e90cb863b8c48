"""Each node's search index follows the change log: apply what is new, rebuild when lost.

Every node keeps its own index (docs/performance.md, "Beyond one server") and so cannot take
changes off a shared queue: a change log row is read by every node, each remembering the last
id it applied in its index directory (`models/index_position.py`) and telling the node registry
(`IndexNode`), so that pruning keeps what a live node still needs.

Ids can commit out of order on PostgreSQL (a transaction that took id 10 may commit after one
that took 11), so a node cannot just ask for "ids above the last one". Ids missing below the
newest one applied are remembered as gaps and asked for again on every pass until they appear
or `INDEX_GAP_GRACE_SECONDS` has passed (a rolled back transaction leaves a gap for good). Only
the newest `GAP_WINDOW` ids of a pass are checked: a transaction still open after that many
later ones committed is not waited for. On SQLite writers are serialised, so gaps only come
from rollbacks.

A node rebuilds from the database (the source of truth) when it has no position (a new node,
an index directory deleted), when its index is empty while apps are published, when pruning
went past its position (it was away longer than `INDEX_NODE_STALE_DAYS`), or when the log is
behind its position (another database). It registers first, then reads the log's head, then
the rows, and follows from that head: a change committed meanwhile is applied twice at worst.

One process at a time applies to an index: a file lock in the index directory. The worker's
`index.apply` job and the `catalog follow-index` loop are both followers of their node's index.
"""
from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import current_app

from ...extensions import db
from ...models import IndexChange, IndexChangePruned, IndexNode
from ...models.index_position import Position, read_position, write_position
from ...models.types import utcnow
from ..tx import write
from .index_documents import apply_to_index, backend, published_documents, reopen_backend

log = logging.getLogger(__name__)

LOCK_FILE = ".follow.lock"
BATCH = 500
GAP_WINDOW = 10_000  # ids below the newest of a pass that are looked for again when missing
MAX_GAPS = 10_000
LOCK_WAIT = 30.0  # seconds a pass waits for another process applying to the same index


class FollowerBusy(RuntimeError):
    """Another process kept the node's index locked for longer than the wait."""


@dataclass(frozen=True)
class FollowResult:
    changes: int  # change log rows read
    apps: int  # distinct apps applied
    rebuilt: str | None  # why the index was rebuilt, if it was
    position: Position


def _index_dir() -> str:
    return current_app.config["SEARCH_INDEX_DIR"]


def node_id() -> str:
    return current_app.config["NODE_ID"]


@contextmanager
def index_lock(wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the node's index for one pass; raises FollowerBusy after `wait` seconds."""
    directory = Path(_index_dir())
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise FollowerBusy(f"search index {directory} is being written by another process") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing releases the lock


# ---- the log -------------------------------------------------------------------------------

def pruned_through() -> int:
    return db.session.execute(db.select(IndexChangePruned.through_id).where(IndexChangePruned.id == 1)).scalar() or 0


def log_head() -> int:
    """The newest id the log has ever handed out as far as rows show (pruned ones included)."""
    newest = db.session.execute(db.select(db.func.max(IndexChange.id))).scalar() or 0
    return max(newest, pruned_through())


def _rows(where: Any, limit: int | None = None) -> list[tuple[int, int]]:
    stmt = db.select(IndexChange.id, IndexChange.app_id).where(where).order_by(IndexChange.id)
    return [tuple(row) for row in db.session.execute(stmt if limit is None else stmt.limit(limit)).all()]


def _gap_rows(gaps: dict[int, float]) -> list[tuple[int, int]]:
    ids = sorted(gaps)
    return [row for i in range(0, len(ids), 500) for row in _rows(IndexChange.id.in_(ids[i:i + 500]))]


def _missing(ids: set[int], low: int, high: int, now: float) -> dict[int, float]:
    """Ids in (low, high] not among `ids`, within the newest GAP_WINDOW."""
    return {i: now for i in range(max(low, high - GAP_WINDOW) + 1, high + 1) if i not in ids}


# ---- one pass --------------------------------------------------------------------------------

def rebuild_reason(position: Position | None) -> str | None:
    """Why this node's index cannot simply follow on from `position`, or None."""
    if position is None:
        return "no position file in the index directory: a new node, or the index was deleted"
    index = backend()
    if getattr(index, "needs_rebuild", False) or not Path(getattr(index, "index_dir", _index_dir())).exists():
        return "the index was created empty"
    if position.docs and index.doc_count() == 0:
        return "the index is empty, yet it held documents at this position (it was replaced)"
    if position.applied < pruned_through():
        return "changes this node had not applied were pruned (it was away too long)"
    if position.high > log_head():
        return "the change log is behind the index (another or a restored database)"
    return None


def follow_once(limit: int = BATCH, wait: float = LOCK_WAIT) -> FollowResult:
    """Apply the next changes to this node's index (or rebuild it); raises FollowerBusy."""
    with index_lock(wait):
        position = read_position(_index_dir())
        reason = rebuild_reason(position)
        if reason is not None:
            return _rebuild(reason)
        assert position is not None
        return _apply(position, limit)


def _apply(position: Position, limit: int) -> FollowResult:
    now = time.time()
    grace = float(current_app.config["INDEX_GAP_GRACE_SECONDS"])
    gaps = {i: t for i, t in position.gaps.items() if now - t < grace}
    expired = len(gaps) != len(position.gaps)
    found = _gap_rows(gaps) if gaps else []
    new = _rows(IndexChange.id > position.high, limit)
    high = max([position.high, *(i for i, _ in new)])
    for i, _ in found:
        gaps.pop(i, None)
    gaps.update(_missing({i for i, _ in new}, position.high, high, now))
    if len(gaps) > MAX_GAPS:
        gaps = dict(sorted(gaps.items())[-MAX_GAPS:])
    rows = found + new
    app_ids = list(dict.fromkeys(app_id for _, app_id in rows))
    if app_ids:
        apply_to_index(app_ids)
    db.session.rollback()
    if rows or expired or gaps != position.gaps:
        position = write_position(_index_dir(), high, gaps, backend().doc_count())
    report(position)
    return FollowResult(changes=len(rows), apps=len(app_ids), rebuilt=None, position=position)


def _rebuild(reason: str) -> FollowResult:
    log.info("search index of node %s: rebuilding (%s)", node_id(), reason)
    index = backend()
    if not Path(getattr(index, "index_dir", _index_dir())).exists():
        index = reopen_backend()
    while True:
        now = time.time()
        head = log_head()
        floor = pruned_through()
        recent = {i for i, in db.session.execute(
            db.select(IndexChange.id).where(IndexChange.id > max(floor, head - GAP_WINDOW))).all()}
        gaps = _missing(recent, floor, head, now)
        # Registered before the rows are read: pruning keeps every change from here on for this
        # node. Unless another node pruned past it before it was registered: then look again.
        start = Position(high=head, gaps=gaps)
        report(start, rebuilt=True)
        if pruned_through() <= start.applied:
            break
    docs = list(published_documents())
    db.session.rollback()
    index.rebuild(docs)
    position = write_position(_index_dir(), head, gaps, len(docs))
    report(position, force=True)
    return FollowResult(changes=0, apps=len(docs), rebuilt=reason, position=position)


def rebuild() -> int:
    """Rebuild this node's index from the database now, whatever its state; the number of apps."""
    with index_lock():
        return _rebuild("asked for").apps


def catch_up(wait: float = LOCK_WAIT) -> FollowResult:
    """Passes until nothing new is left; the total of what was applied."""
    changes = apps = 0
    rebuilt = None
    while True:
        result = follow_once(wait=wait)
        changes, apps = changes + result.changes, apps + result.apps
        rebuilt = rebuilt or result.rebuilt
        if not result.changes and not result.rebuilt:
            return FollowResult(changes=changes, apps=apps, rebuilt=rebuilt, position=result.position)


# ---- the node registry and pruning ----------------------------------------------------------

def report(position: Position, *, rebuilt: bool = False, force: bool = False) -> None:
    """Tell the registry how far this node's index is, at most every INDEX_REPORT_SECONDS
    (a lower figure than the truth is safe: pruning only keeps more)."""
    ext = current_app.extensions.setdefault("catalog_index_report", {})
    now = time.monotonic()
    interval = float(current_app.config["INDEX_REPORT_SECONDS"])
    if not (rebuilt or force) and "at" in ext and now - ext["at"] < interval:
        return
    with write():
        row = db.session.get(IndexNode, node_id())
        if row is None:
            row = IndexNode(node_id=node_id())
            db.session.add(row)
        row.applied_id, row.high_id, row.last_seen_at = position.applied, position.high, utcnow()
        if rebuilt:
            row.rebuilt_at = utcnow()
    ext["at"] = now


def _stale_before():
    return utcnow() - timedelta(days=float(current_app.config["INDEX_NODE_STALE_DAYS"]))


def prune() -> int:
    """Delete the changes every live node has applied; the number of rows deleted. A node not
    seen for INDEX_NODE_STALE_DAYS no longer holds the log back (it rebuilds when it returns)."""
    through = db.session.execute(db.select(db.func.min(IndexNode.applied_id)).where(
        IndexNode.last_seen_at >= _stale_before())).scalar()
    if not through or through <= pruned_through():
        db.session.rollback()
        return 0
    with write():
        mark = db.session.get(IndexChangePruned, 1)
        if mark is None:
            mark = IndexChangePruned(id=1, through_id=0)
            db.session.add(mark)
        if through <= mark.through_id:
            return 0
        deleted = db.session.execute(db.delete(IndexChange).where(IndexChange.id <= through)).rowcount
        mark.through_id, mark.pruned_at = through, utcnow()
    return deleted


@dataclass(frozen=True)
class NodeLag:
    node_id: str
    applied_id: int
    behind: int  # changes kept in the log that the node has not applied
    last_seen_at: Any
    live: bool


def node_lags() -> list[NodeLag]:
    """Every registered node with how many changes it has yet to apply (fsck, the operators)."""
    stale = _stale_before()
    lags = []
    for node in db.session.execute(db.select(IndexNode).order_by(IndexNode.node_id)).scalars():
        behind = db.session.execute(db.select(db.func.count()).select_from(IndexChange).where(
            IndexChange.id > node.applied_id)).scalar_one()
        lags.append(NodeLag(node.node_id, node.applied_id, behind, node.last_seen_at, node.last_seen_at >= stale))
    return lags


def pending_here() -> int | None:
    """Changes this node's index has not applied yet (by its own position file); None without one."""
    position = read_position(_index_dir())
    if position is None:
        return None
    newer = db.select(db.func.count()).select_from(IndexChange).where(IndexChange.id > position.high)
    count = db.session.execute(newer).scalar_one()
    if position.gaps:
        count += len(_gap_rows(position.gaps))
    return count


# ---- the loop ------------------------------------------------------------------------------

PRUNE_EVERY = 60.0  # seconds between prunes by a follower loop
IDLE_AFTER = 60.0  # seconds without changes before the loop looks less often


class StopFlag:
    """Set from a signal handler: a plain flag polled while sleeping. (threading.Event.set in a
    handler can deadlock: the handler runs in the main thread, which may hold the Event's lock
    inside Event.wait; seen once as a follower that ignored SIGTERM.)"""

    def __init__(self) -> None:
        self._set = False

    def set(self) -> None:
        self._set = True

    def is_set(self) -> bool:
        return self._set

    def wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self._set and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.05))


def follow_until(stop: StopFlag, *, interval: float = 0.5, idle_interval: float = 1.0) -> None:
    """`catalog follow-index`: passes until `stop` is set; a pass in progress finishes first.
    An error is logged and retried after a pause, never fatal: the database restarting must not
    leave a node's index behind for good."""
    last_change = last_prune = time.monotonic()
    while not stop.is_set():
        pause = interval
        try:
            if catch_up().changes:
                last_change = time.monotonic()
            if time.monotonic() - last_prune >= PRUNE_EVERY:
                prune()
                last_prune = time.monotonic()
            if time.monotonic() - last_change >= IDLE_AFTER:
                pause = idle_interval
        except FollowerBusy:
            pass  # the worker is applying to this index: it takes the same changes
        except Exception:  # noqa: BLE001 - logged; the next pass tries again
            log.exception("index follower of node %s: pass failed", node_id())
            pause = max(idle_interval, 5.0)
        finally:
            db.session.remove()
        stop.wait(pause)
