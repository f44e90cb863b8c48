"""Apps already in the catalog that a new entry may duplicate: similar words in the name and
short description (the search index, any of the words), then apps in the same or a related
category. Shown to the publisher of an entry before it is published and to the reviewer.

Bounded: one index search of at most MAX_WORDS words, and SQL that reads at most `limit` rows
per related category and then `limit` apps."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import bindparam, func, union_all
from sqlalchemy.orm import lazyload, load_only

from ...extensions import db
from ...models import App, AppState
from ...search import QueryError
from ...vocab.related_categories import related
from . import indexing

MAX_WORDS = 8
# What the list of similar apps shows: not the publisher (joined by default) nor the platforms
# (a query of their own), for up to 5 apps of each of the review queue's 20 entries.
_SHOWN = (load_only(App.id, App.slug, App.name, App.short_description_id, App.category, App.state),
          lazyload(App.publisher), lazyload(App.platform_rows))
# Words nearly every entry has: they would make every app look like every other.
COMMON = frozenset("""aplikasi sistem informasi manajemen pengelolaan layanan data daerah elektronik online
terpadu terintegrasi untuk dan yang dengan atau dari pada oleh bagi secara serta the and for of
system management information application web""".split())


@dataclass(frozen=True)
class Similar:
    app: App
    by_text: bool  # similar words in name or short description
    by_category: bool  # same or related category


def _words(app: App) -> str:
    seen: list[str] = []
    for word in re.findall(r"\w+", f"{app.name} {app.short_description_id or ''}".lower()):
        if len(word) >= 3 and word not in COMMON and not word.isdigit() and word not in seen:
            seen.append(word)
    return " ".join(seen[:MAX_WORDS])


def similar_apps(app: App, limit: int = 5) -> list[Similar]:
    """Published apps other than `app`, most likely duplicates first."""
    by_text: list[int] = []
    words = _words(app)
    if words:
        try:
            found = indexing.backend().search(words, page=1, per_page=limit + 1, any_words=True)
            by_text = [i for i in found.ids if i != app.id][:limit]
        except QueryError:
            by_text = []
    categories = related(app.category)
    by_category = _first_by_name(categories, app.id, limit)
    ids = list(dict.fromkeys([*by_text, *by_category]))[:limit]
    rows = {a.id: a for a in db.session.execute(
        db.select(App).where(App.id.in_(ids), App.state == AppState.PUBLISHED.value).options(*_SHOWN)).scalars()} \
        if ids else {}
    return [Similar(rows[i], i in by_text, rows[i].category in categories) for i in ids if i in rows]


def _first_by_name(categories: frozenset[str], other_than: int, limit: int) -> list[int]:
    """The first `limit` published apps of these categories in name order: the first `limit` of
    each category through ix_app_category_name, merged. Sorting the whole group in one query read
    every published app (13 ms at 27,000 apps, 20 times on the review page)."""
    if not categories:
        return []
    rows = db.session.execute(_first_by_name_statement(tuple(sorted(categories))),
                              {"other_than": other_than, "per_category": limit}).all()
    return [row.id for row in sorted(rows, key=lambda row: (row.sort_name, row.id))[:limit]]


@lru_cache(maxsize=64)  # a statement per category group: built once, not per entry shown
def _first_by_name_statement(categories: tuple[str, ...]):
    sort_name = func.lower(App.name)
    firsts = [db.select(App.id, sort_name.label("sort_name"))
              .where(App.category == category, App.state == AppState.PUBLISHED.value,
                     App.id != bindparam("other_than"))
              .order_by(sort_name, App.id).limit(bindparam("per_category")).subquery()
              for category in categories]
    return union_all(*(db.select(first.c.id, first.c.sort_name) for first in firsts))
