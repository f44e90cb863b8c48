"""Keep the search index in step with committed rows through an append-only change log.

Writers add a change log row in the same transaction as the change (`mark_dirty`); each node's
follower (`index_follower`) applies the log to that node's own index. On one machine the
worker's `index.apply` job, queued after every such commit, is that follower: `make run` and
existing single-server installs start nothing new, and a change is searchable as soon as the
worker takes the job (no 0.5 s poll added). With several nodes each also runs `flask catalog
follow-index`, since Huey hands a job to one worker only, on one node; the job and the loop take
turns on an index through a file lock in its directory.
"""
from __future__ import annotations

from ...extensions import db
from ...models import App, AppState, IndexChange
from ...models.types import utcnow
from . import index_follower
from .index_documents import backend, published_documents, to_document

__all__ = ["apply_soon", "backend", "drain", "index_out_of_date", "mark_dirty", "published_documents",
           "reindex_all", "sweep", "to_document"]


def mark_dirty(*app_ids: int) -> None:
    """Log index updates inside the caller's transaction (so a crash cannot lose them).

    Only INSERTs: a writer never reads a log row and updates it (a read-modify-update raced into
    StaleDataError with two workers on PostgreSQL when rows were deleted as they were applied)."""
    now = utcnow()
    for app_id in dict.fromkeys(app_ids):
        db.session.add(IndexChange(app_id=app_id, queued_at=now))


def drain() -> int:
    """Apply everything logged to this node's index; the number of apps applied. Another
    process applying to the same index meanwhile (the node's follower): it applies the rest."""
    try:
        return index_follower.catch_up().apps
    except index_follower.FollowerBusy:
        return 0


def sweep() -> int:
    """The worker's minute: catch up, then prune what every live node has applied."""
    applied = drain()
    index_follower.prune()
    return applied


def apply_soon() -> None:
    """After a commit: ask the worker to apply the log (inline in immediate mode).
    Indexing never breaks the write: the log keeps the work for the next pass."""
    from ...jobs.queue import enqueue

    enqueue("index.apply")


def index_out_of_date() -> bool:
    """True when the index was (re)created empty or holds a different number of apps."""
    published = db.session.execute(
        db.select(db.func.count()).select_from(App).where(App.state == AppState.PUBLISHED.value)).scalar_one()
    index = backend()
    return bool(getattr(index, "needs_rebuild", False)) or index.doc_count() != published


def reindex_all() -> int:
    """Rebuild this node's index from the database (the source of truth); it then follows the
    log from where the rebuild began. The log itself is kept: other nodes may still need it."""
    return index_follower.rebuild()
