"""The public catalog: search, facets and pagination over published apps."""
from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import case, func
from sqlalchemy.orm import aliased, defer, lazyload, selectinload

from ...extensions import db
from ...models import App, AppPlatform, AppState, AppVitality, Organization
from ...paging import Page
from ...search import QueryError
from ...vocab import apps as vocab
from ...vocab.spdx import normalize_spdx
from ..errors import ValidationFailed
from . import indexing, name_order

FILTER_KEYS = ("category", "publisher", "province", "license", "status", "platform")
MAX_PER_PAGE = 100
MAX_INDEX_WINDOW = 10_000  # the backend pages this deep; past it, name order comes from SQL
FEW_HITS = 3  # fewer entries than this hold every word: offer the closest ones too
CLOSEST = 5  # how many closest entries a first page offers
SORTS = ("", "vitality")  # "": rank for a query, name without one; "vitality": "paling hidup" first
MAX_RANKED = 2_000  # with a query, sorting or filtering by vitality reads at most this many matches
# Result rows feed cards and the API's summaries: skip the long text and JSON columns and the
# platform rows (a second query) that neither shows; they still load on access.
CARD_LOAD = (defer(App.description), defer(App.features), defer(App.maintenance_contacts),
             defer(App.publiccode_extras), defer(App.review_note), lazyload(App.platform_rows),
             selectinload(App.vitality))
# The pages' cards show only the vitality score: its parts and monthly series (two JSON columns
# decoded per row) and the tags are for the API's summaries.
PAGE_CARD_LOAD = (*CARD_LOAD[:-1], defer(App.tags), selectinload(App.vitality).load_only(AppVitality.score))


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class BrowseResult(Page[App]):
    query: str
    filters: dict[str, str]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    total_is_exact: bool = True  # False: `total` is the index's upper-bound estimate (no facets asked)
    partial: bool = False  # no entry held every word: these hold most of them
    closest: list[App] = field(default_factory=list)  # few held every word: the nearest others, on page 1
    sort: str = ""
    min_vitality: int | None = None

    @property
    def apps(self) -> list[App]:
        """The name the list templates and the API use."""
        return self.items


Publisher = aliased(Organization)
PROVINCE_ID = case((Publisher.kind == "province", Publisher.id), else_=Publisher.parent_id)


def _clean_filters(raw: Mapping[str, str]) -> dict[str, str]:
    filters = {k: str(v).strip()[:100] for k, v in raw.items() if k in FILTER_KEYS and v}
    if "status" in filters and filters["status"] not in vocab.DEVELOPMENT_STATUSES:
        raise ValidationFailed("Status pengembangan tidak dikenal.", {"status": "Pilih status yang tersedia."})
    return filters


def _filtered(filters: dict[str, str]):
    """Published apps passing the filters, in SQL: only for pages past the search index's window."""
    stmt = db.select(App.id).where(App.state == AppState.PUBLISHED.value)
    if "publisher" in filters or "province" in filters:
        stmt = stmt.join(Publisher, App.publisher_id == Publisher.id)
    if "category" in filters:
        stmt = stmt.where(App.category == filters["category"])
    if "license" in filters:
        stmt = stmt.where(App.license == filters["license"])
    if "status" in filters:
        stmt = stmt.where(App.development_status == filters["status"])
    if "publisher" in filters:
        stmt = stmt.where(Publisher.code == filters["publisher"])
    if "province" in filters:
        province = db.select(Organization.id).where(Organization.code == filters["province"]).scalar_subquery()
        stmt = stmt.where(PROVINCE_ID == province)
    if "platform" in filters:
        stmt = stmt.where(App.id.in_(db.select(AppPlatform.app_id).where(AppPlatform.platform == filters["platform"])))
    return stmt


def _labelled(counts: Mapping[str, Mapping[str, int]]) -> dict[str, list[FacetValue]]:
    """Index values (normal form) to what the page shows and links with; one query for orgs."""
    codes = {v for key in ("publisher", "province") for v in counts.get(key, {})}
    orgs = _org_labels(codes) if codes else {}
    labels = {
        "category": lambda v: (v, vocab.category_label(v)),
        "license": lambda v: (_license_spelling(v),) * 2,
        "status": lambda v: (v, vocab.DEVELOPMENT_STATUS_LABELS.get(v, v)),
        "platform": lambda v: (v, v),
    }
    out: dict[str, list[FacetValue]] = {}
    for key in FILTER_KEYS:
        rows = counts.get(key, {})
        if key in ("publisher", "province"):
            out[key] = [FacetValue(*orgs[v], n) for v, n in rows.items() if v in orgs]
        else:
            out[key] = [FacetValue(*labels[key](v), n) for v, n in rows.items()]
    return out


ORG_LABELS_TTL = 60.0  # seconds; organizations are seeded, renamed rarely
_org_cache: dict[str, object] = {"at": -ORG_LABELS_TTL, "labels": {}}


def _org_labels(codes: set[str]) -> dict[str, tuple[str, str]]:
    """lower(code) → (code, name) of every organization, read once a minute per process (a broad
    query's publisher facet names hundreds of them on every page view), or at once (at most once
    a second) when a code is unknown: an organization added meanwhile."""
    now = time.monotonic()
    age = now - _org_cache["at"]  # type: ignore[operator]
    if age >= ORG_LABELS_TTL or (age >= 1.0 and not codes <= _org_cache["labels"].keys()):  # type: ignore[attr-defined]
        rows = db.session.execute(db.select(Organization.code, Organization.name))
        _org_cache["labels"] = {code.lower(): (code, name) for code, name in rows}
        _org_cache["at"] = now
    return _org_cache["labels"]  # type: ignore[return-value]


@lru_cache(maxsize=512)
def _license_spelling(value: str) -> str:
    """The SPDX spelling of a licence the index stores lowercased ('licenseref-pemerintah')."""
    return normalize_spdx(value) or value


def _sql_page(filters: dict[str, str], page: int, per_page: int) -> tuple[list[int], int]:
    """Far down the alphabet: a slice of the name order, computed once per catalog change."""
    def compute() -> list[int]:
        return list(db.session.execute(_filtered(filters).order_by(App.name, App.id)).scalars())
    return name_order.page_ids(filters, page, per_page, compute)


def parse_vitality_args(sort: str | None, min_vitality: str | int | None) -> tuple[str, int | None]:
    """The sort key and minimum vitality from a query string; ValidationFailed (Indonesian) if bad."""
    sort = (sort or "").strip()
    if sort not in SORTS:
        raise ValidationFailed("Urutan tidak dikenal.", {"sort": "Pilih urutan yang tersedia (vitality)."})
    if min_vitality is None or str(min_vitality).strip() == "":
        return sort, None
    try:
        value = int(str(min_vitality).strip())
    except ValueError:
        value = -1
    if not 0 <= value <= 100:
        raise ValidationFailed("Vitalitas minimal harus bilangan bulat 0–100.",
                               {"min_vitality": "Isi bilangan bulat 0–100."})
    return sort, value


def _vitality_order(filters: dict[str, str], sort: str, minimum: int | None):
    """Ids of published apps passing the filters and the minimum, in the asked order (SQL)."""
    stmt = _filtered(filters)
    if minimum is not None:
        stmt = stmt.join(AppVitality, AppVitality.app_id == App.id).where(AppVitality.score >= minimum)
    elif sort == "vitality":
        stmt = stmt.outerjoin(AppVitality, AppVitality.app_id == App.id)
    if sort == "vitality":
        # ties by id (the older entry first), not by name: a name sort tripled the cost (27,000 apps)
        return stmt.order_by(func.coalesce(AppVitality.score, -1).desc(), App.id)
    return stmt.order_by(App.name, App.id)


def _vitality_page(q: str, filters: dict[str, str], sort: str, minimum: int | None,
                   page: int, per_page: int) -> tuple[list[int], int]:
    """A page ordered or filtered by vitality. Without a query: a slice of an order computed once
    per data version (name_order's cache), like deep name pages. With one: the index's best
    MAX_RANKED matches, their scores read by primary key, reordered (stable) by score."""
    if not q:
        key = {**filters, "~sort": sort, "~min": "" if minimum is None else str(minimum)}
        return name_order.page_ids(
            key, page, per_page, lambda: list(db.session.execute(_vitality_order(filters, sort, minimum)).scalars()))
    ranked = indexing.backend().matching_ids(q, filters=filters, limit=MAX_RANKED)
    scores: dict[int, int] = {}
    for start in range(0, len(ranked), 500):
        chunk = ranked[start:start + 500]
        rows = db.session.execute(
            db.select(AppVitality.app_id, AppVitality.score).where(AppVitality.app_id.in_(chunk)))
        scores.update((app_id, value) for app_id, value in rows)
    ids = [i for i in ranked if minimum is None or scores.get(i, -1) >= minimum]
    if sort == "vitality":
        ids.sort(key=lambda i: -scores.get(i, -1))
    start = (page - 1) * per_page
    return ids[start:start + per_page], len(ids)


def browse(q: str = "", filters: Mapping[str, str] | None = None, *, page: int = 1,
           per_page: int = 20, with_facets: bool = True, sort: str = "",
           min_vitality: int | None = None, cards_only: bool = False) -> BrowseResult:
    """Published apps matching the query and filters, in rank order (by name without a query).
    cards_only: the rows feed the pages' cards, not the API's summaries (PAGE_CARD_LOAD).

    The search index ranks, filters, pages and counts (facets are exact counts over every
    match); the database only loads the rows of the page. Raises ValidationFailed for a query
    or filter we cannot run (message in Indonesian).
    """
    q = (q or "").strip()
    filters = _clean_filters(filters or {})
    page, per_page = max(1, int(page)), max(1, min(int(per_page), MAX_PER_PAGE))
    index = indexing.backend()
    try:
        counted = index.facet_counts(q, filters=filters, keys=FILTER_KEYS) if with_facets else None
        by_vitality = sort == "vitality" or min_vitality is not None
        found = None
        if by_vitality:
            page_ids, total = _vitality_page(q, filters, sort, min_vitality, page, per_page)
            exact = True
        elif not q and page * per_page > MAX_INDEX_WINDOW:
            page_ids, total = _sql_page(filters, page, per_page)  # browsing far down the alphabet
            exact = True
        else:
            found = index.search(q, filters=filters, page=page, per_page=per_page)
            page_ids, total, exact = found.ids, found.total, found.total_is_exact
        partial = bool(q) and (counted.partial if counted is not None else bool(found and found.partial))
        closest_ids: list[int] = []
        if q and not partial and page == 1 and 0 < total < FEW_HITS:
            # One more search, only on a first page with almost nothing: bounded like the first.
            nearby = index.search(q, filters=filters, page=1, per_page=total + CLOSEST, any_words=True)
            if nearby.partial:
                closest_ids = [i for i in nearby.ids if i not in set(page_ids)][:CLOSEST]
    except QueryError as exc:
        raise ValidationFailed(exc.message, {"q": exc.message}) from exc
    if counted is not None and not by_vitality:  # facets count matches before the vitality minimum
        total, exact = counted.total, True
    wanted = [*page_ids, *closest_ids]
    stmt = db.select(App).where(App.id.in_(wanted), App.state == AppState.PUBLISHED.value).options(
        *(PAGE_CARD_LOAD if cards_only else CARD_LOAD))
    rows = {a.id: a for a in db.session.execute(stmt).scalars()} if wanted else {}
    apps = [rows[i] for i in page_ids if i in rows]  # an app unpublished since the index saw it drops out
    facets = _labelled(counted.counts) if counted is not None else {}
    return BrowseResult(apps, total, page, per_page, q, filters, facets, total_is_exact=exact, partial=partial,
                        closest=[rows[i] for i in closest_ids if i in rows], sort=sort, min_vitality=min_vitality)


def counts() -> dict[str, int]:
    """Live figures for the home page: published apps, publishers, kab/kota.

    Apps and publishers come from the search index (counted once per index version) rather than
    from two aggregate queries over the apps table on every home page view.
    """
    try:
        counted = indexing.backend().facet_counts("", keys=("publisher",))
        apps, publishers = counted.total, len(counted.counts.get("publisher", {}))
    except QueryError:  # pragma: no cover - an empty query is always valid
        apps = publishers = 0
    regions = db.session.execute(
        db.select(func.count()).select_from(Organization).where(Organization.kind.in_(("regency", "city")))
    ).scalar_one()
    return {"apps": apps, "publishers": publishers, "regions": regions}
