"""What the search index holds: one document per published app, and the node's open index."""
from __future__ import annotations

from collections.abc import Iterable

from flask import current_app

from ...extensions import db
from ...models import App, AppState
from ...search import AppDocument, SearchBackend, open_backend


def backend() -> SearchBackend:
    """One backend per Flask app, opened on first use (never at import or before forking)."""
    ext = current_app.extensions
    if "catalog_search" not in ext:
        ext["catalog_search"] = open_backend(current_app.config["SEARCH_INDEX_DIR"],
                                             current_app.config.get("SEARCH_BACKEND"))
    return ext["catalog_search"]


def reopen_backend() -> SearchBackend:
    """Close the open index and open the directory afresh: after the directory was deleted, the
    open one still points at files that are gone."""
    old = current_app.extensions.pop("catalog_search", None)
    if old is not None:
        old.close()
    return backend()


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


def published_documents(batch: int = 1000) -> Iterable[AppDocument]:
    stmt = db.select(App).where(App.state == AppState.PUBLISHED.value).order_by(App.id)
    for app in db.session.execute(stmt.execution_options(yield_per=batch)).scalars():
        yield to_document(app)


def apply_to_index(app_ids: list[int]) -> None:
    """Bring these apps' documents in line with their rows: published ones in, others out."""
    apps = {a.id: a for a in db.session.execute(db.select(App).where(App.id.in_(app_ids))).scalars()}
    live = [to_document(a) for a in apps.values() if a.state == AppState.PUBLISHED.value]
    gone = [i for i in app_ids if i not in apps or apps[i].state != AppState.PUBLISHED.value]
    index = backend()
    if live:
        index.upsert(live)
    if gone:
        index.remove(gone)
