"""Keep the search index in step with committed rows through an outbox table."""
from __future__ import annotations

from collections.abc import Iterable

from flask import current_app

from ...extensions import db
from ...models import App, AppState, IndexOutbox
from ...models.types import utcnow
from ...search import AppDocument, SearchBackend, open_backend
from ..tx import write


def backend() -> SearchBackend:
    """One backend per Flask app, opened on first use (never at import or before forking)."""
    ext = current_app.extensions
    if "catalog_search" not in ext:
        ext["catalog_search"] = open_backend(current_app.config["SEARCH_INDEX_DIR"],
                                             current_app.config.get("SEARCH_BACKEND"))
    return ext["catalog_search"]


def to_document(app: App) -> AppDocument:
    province = app.publisher.province
    return AppDocument(
        id=app.id, slug=app.slug, name=app.name,
        short_description_id=app.short_description_id, short_description_en=app.short_description_en or "",
        description=app.description or "", features=tuple(app.features), tags=tuple(app.tags),
        category=app.category, publisher_code=app.publisher.code, publisher_name=app.publisher.name,
        province_code=province.code if province else "", province_name=province.name if province else "",
        license=app.license, development_status=app.development_status, platforms=tuple(app.platforms),
    )


def mark_dirty(*app_ids: int) -> None:
    """Queue index updates inside the caller's transaction (so a crash cannot lose them).

    Only INSERTs: the worker deletes outbox rows concurrently, so a writer must never read one
    and update it (that raced into StaleDataError with two workers on PostgreSQL)."""
    now = utcnow()
    for app_id in dict.fromkeys(app_ids):
        db.session.add(IndexOutbox(app_id=app_id, queued_at=now))


def apply_pending(limit: int = 500) -> int:
    """Apply queued changes to the index; returns how many apps were processed."""
    queued = db.session.execute(
        db.select(IndexOutbox.id, IndexOutbox.app_id).order_by(IndexOutbox.id).limit(limit)).all()
    if not queued:
        return 0
    ids = list(dict.fromkeys(app_id for _, app_id in queued))
    apps = {a.id: a for a in db.session.execute(db.select(App).where(App.id.in_(ids))).scalars()}
    live = [to_document(a) for a in apps.values() if a.state == AppState.PUBLISHED.value]
    gone = [i for i in ids if i not in apps or apps[i].state != AppState.PUBLISHED.value]
    index = backend()
    if live:
        index.upsert(live)
    if gone:
        index.remove(gone)
    with write():
        # Exactly the rows read: changes queued meanwhile are new rows and stay for the next pass.
        # Rows another worker deleted first simply match nothing.
        db.session.execute(db.delete(IndexOutbox).where(IndexOutbox.id.in_([row_id for row_id, _ in queued])))
    return len(ids)


def drain() -> int:
    """Apply everything queued; the worker is the index's single writer."""
    total = 0
    while True:
        done = apply_pending()
        if not done:
            return total
        total += done


def apply_soon() -> None:
    """After a commit: ask the worker to apply the outbox (inline in immediate mode).
    Indexing never breaks the write: the outbox keeps the work for the next sweep."""
    from ...jobs.queue import enqueue

    enqueue("index.apply")


def published_documents(batch: int = 1000) -> Iterable[AppDocument]:
    stmt = db.select(App).where(App.state == AppState.PUBLISHED.value).order_by(App.id)
    for app in db.session.execute(stmt.execution_options(yield_per=batch)).scalars():
        yield to_document(app)


def index_out_of_date() -> bool:
    """True when the index was (re)created empty or holds a different number of apps."""
    published = db.session.execute(
        db.select(db.func.count()).select_from(App).where(App.state == AppState.PUBLISHED.value)).scalar_one()
    index = backend()
    return bool(getattr(index, "needs_rebuild", False)) or index.doc_count() != published


def reindex_all() -> int:
    """Rebuild the index from the database (the source of truth)."""
    started = utcnow()
    docs = list(published_documents())
    db.session.rollback()
    backend().rebuild(docs)
    with write():
        db.session.execute(db.delete(IndexOutbox).where(IndexOutbox.queued_at <= started))
    return len(docs)
