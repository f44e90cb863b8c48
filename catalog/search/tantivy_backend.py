"""SearchBackend on Tantivy (Rust): the Whoosh backend's analyzers and query shape, compiled.

At 27,000 apps a broad query ("sistem informasi") touches 20–50k postings; Whoosh walks them
in Python (~1 µs each), Tantivy in Rust with block-max pruning, and counts totals and facets
exactly in the same pass. Text is analysed here by our own Indonesian/English analyzers and
indexed as space-separated tokens, so stemming, stopwords and name keys stay identical.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Occur, Order, Query

from .analyzer import english_analyzer, indonesian_analyzer
from .documents import (
    FILTER_KEYS,
    AppDocument,
    FacetCounts,
    SearchBackend,
    SearchResult,
)
from .query import BODY_FIELD, EN_FIELD, QueryBuilder
from .schema import to_fields
from .tantivy_query import TantivyQueries, build_schema, gated
from .whoosh_backend import MAX_WINDOW, IndexBusy, _check_paging

SCHEMA_VERSION = "catalog-tantivy-1"
SUBDIR = "tantivy"
_VERSION_FILE = "CATALOG_SCHEMA_VERSION"
MULTI = ("platform", "tag")
# Up to this many apps the name order is computed in the request that needs it (≈0.7 s for
# 27,000 documents, so ≈25 ms here, once per index change): a small catalog never shows a list
# without its newest app. Larger ones compute it in a thread while the previous order serves.
SYNC_NAME_ORDER_MAX = 1000
log = logging.getLogger(__name__)


class TantivyBackend(SearchBackend):
    """One index directory; searchers are shared by threads, one writer at a time."""

    def __init__(
        self,
        index_dir: str | os.PathLike[str],
        *,
        writer_timeout: float = 30.0,
        writer_heap: int = 128_000_000,
        check_interval: float = 0.25,
        stemming: bool = True,
    ) -> None:
        self.index_dir = Path(index_dir) / SUBDIR
        self.writer_timeout = writer_timeout
        self.writer_heap = writer_heap
        self.check_interval = check_interval
        self.stemming = stemming
        self.needs_rebuild = False
        self._queries = QueryBuilder(stemming)
        self._id = indonesian_analyzer(stem=stemming)
        self._en = english_analyzer(stem=stemming)
        self._schema = build_schema()
        self._tq = TantivyQueries(self._schema, stemming)
        self._write_lock = threading.Lock()
        self._read_lock = threading.Lock()
        self._ix = self._open_or_create()
        self._searcher = self._ix.searcher()
        self._stamp = self._meta_stamp()
        self._checked = time.monotonic()
        self._facet_cache: dict[Any, Any] = {}
        self._names: tuple[int, list[int]] | None = None
        self._names_pending = False
        self._names_version = 0

    # ---- opening, refreshing -----------------------------------------------------------------

    def _open_or_create(self) -> tantivy.Index:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        version = self.index_dir / _VERSION_FILE
        wanted = SCHEMA_VERSION + ("" if self.stemming else "-plain")
        if version.exists() and version.read_text().strip() == wanted and tantivy.Index.exists(str(self.index_dir)):
            try:
                return tantivy.Index.open(str(self.index_dir))
            except Exception:  # noqa: BLE001 - an unreadable cache is rebuilt from the rows
                log.warning("search index in %s unreadable; starting empty", self.index_dir)
        for child in self.index_dir.iterdir():
            if child.is_file():
                child.unlink()
        ix = tantivy.Index(self._schema, path=str(self.index_dir), reuse=False)
        version.write_text(wanted + "\n")
        self.needs_rebuild = True
        return ix

    def _meta_stamp(self) -> int:
        """Changes with every commit: meta.json is replaced by a rename (a new inode), and the
        mtime alone can repeat for two commits within a clock tick."""
        try:
            st = (self.index_dir / "meta.json").stat()
        except OSError:
            return 0
        return hash((st.st_ino, st.st_mtime_ns, st.st_size))

    def _current(self) -> tuple[Any, int]:
        """The searcher, reloaded when a commit (by any process) changed meta.json."""
        now = time.monotonic()
        if now - self._checked >= self.check_interval:
            with self._read_lock:
                self._checked = now
                stamp = self._meta_stamp()
                if stamp != self._stamp:
                    self._refresh(stamp)
        return self._searcher, self._stamp

    def _refresh(self, stamp: int | None = None) -> None:
        self._ix.reload()
        self._searcher = self._ix.searcher()
        self._stamp = self._meta_stamp() if stamp is None else stamp
        self._facet_cache = {}

    # ---- writing ---------------------------------------------------------------------------

    def _tokens(self, analyzer: Any, text: str) -> str:
        return " ".join(token.text for token in analyzer(text)) if text else ""

    def _document(self, doc: AppDocument) -> tantivy.Document:
        fields = to_fields(doc)
        out = tantivy.Document()
        out.add_integer("id", doc.id)
        for field in ("name", "summary", BODY_FIELD):
            out.add_text(field, self._tokens(self._id, fields.get(field, "")))
        out.add_text(EN_FIELD, self._tokens(self._en, fields.get(EN_FIELD, "")))
        out.add_text("name_keys", fields.get("name_keys", ""))
        out.add_text("name_sort", fields.get("name_sort", " "))
        for key in FILTER_KEYS:
            values = fields.get(key, "").split(",") if key in MULTI else [fields.get(key, "")]
            for value in values:
                if value:
                    out.add_text(key, value)
        return out

    def _write(self, fill: Any) -> None:
        with self._write_lock:
            deadline = time.monotonic() + self.writer_timeout
            while True:
                try:
                    writer = self._ix.writer(heap_size=self.writer_heap, num_threads=2)
                    break
                except ValueError as exc:  # another process holds the writer lock
                    if time.monotonic() > deadline:
                        raise IndexBusy(f"search index {self.index_dir} is locked by another writer") from exc
                    time.sleep(0.05)
            try:
                fill(writer)
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            writer.wait_merging_threads()
            with self._read_lock:
                self._refresh()

    def upsert(self, docs: Iterable[AppDocument]) -> None:
        latest = {doc.id: doc for doc in docs}

        def fill(writer: Any) -> None:
            for doc in latest.values():
                writer.delete_documents_by_term("id", doc.id)
                writer.add_document(self._document(doc))

        if latest:
            self._write(fill)

    def remove(self, app_ids: Iterable[int]) -> None:
        ids = {int(app_id) for app_id in app_ids}

        def fill(writer: Any) -> None:
            for app_id in ids:
                writer.delete_documents_by_term("id", app_id)

        if ids:
            self._write(fill)

    def rebuild(self, docs: Iterable[AppDocument]) -> None:
        """Replace everything in one commit; searchers see the old index until then."""

        def fill(writer: Any) -> None:
            writer.delete_all_documents()
            seen: set[int] = set()
            for doc in docs:
                if doc.id not in seen:
                    seen.add(doc.id)
                    writer.add_document(self._document(doc))

        self._write(fill)
        self.needs_rebuild = False

    # ---- queries ---------------------------------------------------------------------------

    def _ranked(self, query: str, filters: Mapping[str, str] | None, first: int, limit: int,
                any_words: bool = False) -> tuple[list[int], int, bool]:
        """App ids of ranks [first, limit), the exact total, and whether they hold only some of
        the words (the relaxed plan: no entry held them all, or `any_words` asked for it)."""
        clauses = self._queries.parse(query)
        gate = self._tq.gate(filters)
        searcher, stamp = self._current()
        if not clauses:
            ordered = self._by_name(searcher, stamp, gate)
            if ordered is None:  # no name order computed yet: let Tantivy sort this one page
                q = gate if gate is not None else Query.all_query()
                found = searcher.search(q, limit=max(1, limit - first), count=True, offset=first,
                                        order_by_field="name_sort", order=Order.Asc)
                return self._ids(searcher, found.hits), found.count, False
            return ordered[first:limit], len(ordered), False
        plans = self._tq.plans(searcher, clauses)
        relaxed_only = any_words and len(plans) > 1
        for n, (head, full) in enumerate(plans[1:] if relaxed_only else plans):
            head, full = gated(head, gate), gated(full, gate)
            ids, total = self._tiered(searcher, head, full, first, limit)
            if total:
                return ids, total, relaxed_only or n > 0
        return [], 0, False

    def _tiered(self, searcher: Any, head: Query, full: Query, first: int, limit: int
                ) -> tuple[list[int], int]:
        """Head matches by head score, then body-only matches by full score."""
        top = searcher.search(head, limit=max(1, limit - first), count=True, offset=first)
        head_total = top.count
        ids = self._ids(searcher, top.hits) if first < head_total else []
        rest_q = Query.boolean_query([(Occur.Must, full), (Occur.MustNot, head)])
        want = limit - first - len(ids)
        offset = max(0, first - head_total)
        rest = searcher.search(rest_q, limit=max(1, want), count=True, offset=offset)
        if want > 0:
            ids += self._ids(searcher, rest.hits)[:want]
        return ids, head_total + rest.count

    @staticmethod
    def _ids(searcher: Any, hits: list[tuple[Any, Any]]) -> list[int]:
        if not hits:
            return []
        return searcher.fast_field_values("id", [address for _score, address in hits])

    def _all_ids(self, searcher: Any, query: Query) -> list[int]:
        total = searcher.num_docs
        return self._ids(searcher, searcher.search(query, limit=max(1, total), count=False).hits) if total else []

    def _by_name(self, searcher: Any, stamp: int, gate: Query | None) -> list[int] | None:
        """App ids in name order (filtered), from one name order per index version; None until
        the first one is computed.

        Tantivy sorts by a text fast field slowly (~0.7 s for 27,000 documents): the order is
        computed in a thread, as app ids, and the previous one keeps serving meanwhile (an app
        added or renamed seconds ago may sit in its old place; rows come from the database, so
        a removed app never shows).
        """
        order, version = self._name_order(searcher, stamp)
        if order is None or gate is None:
            return order
        key = ("by-name", version, repr(gate))
        cached = self._facet_cache.get(key)
        if cached is None:
            allowed = set(self._all_ids(searcher, gate))
            cached = self._facet_cache[key] = [i for i in order if i in allowed]
        return cached  # type: ignore[return-value]

    def _name_order(self, searcher: Any, stamp: int) -> tuple[list[int] | None, int]:
        with self._read_lock:
            current, version = self._names, self._names_version
        if current is not None and current[0] == stamp:
            return current[1], version
        def compute() -> tuple[list[int], int]:
            total = searcher.num_docs
            hits = searcher.search(Query.all_query(), limit=max(1, total), count=False,
                                   order_by_field="name_sort", order=Order.Asc).hits if total else []
            ids = self._ids(searcher, hits)
            with self._read_lock:
                self._names, self._names_version = (stamp, ids), self._names_version + 1
                return ids, self._names_version

        if searcher.num_docs <= SYNC_NAME_ORDER_MAX:  # a few ms: no app is ever missing from the list
            return compute()
        with self._read_lock:
            start = not self._names_pending
            self._names_pending = True
        if start:
            def compute_later() -> None:
                try:
                    compute()
                finally:
                    self._names_pending = False

            threading.Thread(target=compute_later, name="catalog-name-order", daemon=True).start()
        return (current[1] if current is not None else None), version

    # ---- the protocol ------------------------------------------------------------------------

    def search(self, query: str, *, filters: Mapping[str, str] | None = None, page: int = 1,
               per_page: int = 20, any_words: bool = False) -> SearchResult:
        page, per_page = _check_paging(page, per_page)
        ids, total, partial = self._ranked(query, filters, (page - 1) * per_page, page * per_page, any_words)
        return SearchResult(ids=ids, total=total, total_is_exact=True, page=page, per_page=per_page,
                            partial=partial)

    def matching_ids(self, query: str, *, filters: Mapping[str, str] | None = None,
                     limit: int = 5000) -> list[int]:
        limit = min(int(limit), MAX_WINDOW)
        return self._ranked(query, filters, 0, limit)[0] if limit > 0 else []

    def facet_counts(self, query: str, *, filters: Mapping[str, str] | None = None,
                     keys: Iterable[str] = ()) -> FacetCounts:
        fields = tuple(k for k in keys if k in FILTER_KEYS)
        clauses = self._queries.parse(query)
        gate = self._tq.gate(filters)
        searcher, stamp = self._current()
        cache_key = (stamp, tuple(clauses), repr(sorted((filters or {}).items())), fields)
        cached = self._facet_cache.get(cache_key)
        if cached is not None:
            return cached
        partial = False
        if not clauses:
            matched = gate if gate is not None else Query.all_query()
            total = searcher.search(matched, limit=1, count=True).count
        else:
            matched, total = Query.empty_query(), 0
            for n, (_head, full) in enumerate(self._tq.plans(searcher, clauses)):
                candidate = gated(full, gate)
                total = searcher.search(candidate, limit=1, count=True).count
                if total:
                    matched, partial = candidate, n > 0
                    break
        counts: dict[str, dict[str, int]] = {}
        if fields and total:
            spec = {f: {"terms": {"field": f, "size": 10_000}} for f in fields}
            result = searcher.aggregate(matched, spec)
            for f in fields:
                buckets = result.get(f, {}).get("buckets", [])
                pairs = sorted(((b["key"], int(b["doc_count"])) for b in buckets), key=lambda p: (-p[1], p[0]))
                counts[f] = dict(pairs)
        else:
            counts = {f: {} for f in fields}
        out = FacetCounts(total=total, counts=counts, partial=partial)
        if len(self._facet_cache) > 512:
            self._facet_cache = {}
        self._facet_cache[cache_key] = out
        return out

    def doc_count(self) -> int:
        return self._current()[0].num_docs

    def all_ids(self) -> list[int]:
        searcher, _ = self._current()
        return self._all_ids(searcher, Query.all_query())

    def close(self) -> None:
        self._facet_cache = {}
