"""SearchBackend on Whoosh: a rebuildable cache of the apps table, ranked ids out.

Whoosh writes and stores the index; queries are answered by ``postings.Scorer`` (Whoosh's BM25F
over posting arrays cached per index generation), which ranks, totals and counts facets from
the same work in one pass instead of stepping Whoosh's matchers a posting at a time.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from time import monotonic
from typing import Any

from whoosh import index as windex
from whoosh import query as wq
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import CLEAR

from . import facets, ranking
from .documents import (
    AppDocument,
    FacetCounts,
    QueryError,
    SearchBackend,
    SearchResult,
)
from .fuzzy import NameVocabulary
from .postings import Scorer
from .query import Clause, QueryBuilder, Tiered, filter_query
from .schema import build_schema, schema_version, to_fields
from .searchers import SearcherPool, View

MAX_PER_PAGE = 100
PARALLEL_REBUILD_MIN_DOCS = 2000
MAX_WINDOW = 10_000
RANKED_PREFIX = 100  # ranks computed at least, so the next pages come from the cache
_VERSION_FILE = "CATALOG_SCHEMA_VERSION"
log = logging.getLogger(__name__)


class IndexBusy(RuntimeError):
    """Another writer held the index lock past our timeout; retry the job later."""


class WhooshBackend(SearchBackend):
    """One index directory. Safe to share between threads; one writer per index at a time."""

    def __init__(
        self,
        index_dir: str | os.PathLike[str],
        *,
        time_limit: float = 0.5,
        writer_timeout: float = 30.0,
        check_interval: float = 0.25,
        rebuild_limitmb: int = 256,
        rebuild_procs: int | None = None,
        stemming: bool = True,
    ) -> None:
        self.index_dir = Path(index_dir)
        self.time_limit = time_limit
        self.writer_timeout = writer_timeout
        self.rebuild_limitmb = rebuild_limitmb
        self.rebuild_procs = max(1, rebuild_procs or min(2, os.cpu_count() or 1))
        self.needs_rebuild = False
        self._schema = build_schema(stemming)
        self._version = schema_version(stemming)
        self._queries = QueryBuilder(stemming)
        self._write_lock = threading.Lock()
        self._ix = self._open_or_create()
        self._pool = SearcherPool(lambda: self._ix, check_interval)
        # Hits, match sets and facet columns of the current index generation, shared by every
        # pooled searcher: a query one thread ranked is cheap for all others.
        self._shared = facets.generation_cache()

    def _open_or_create(self) -> windex.Index:
        """Open the index, or create an empty one when missing, unreadable or of another schema."""
        self.index_dir.mkdir(parents=True, exist_ok=True)
        version_file = self.index_dir / _VERSION_FILE
        lock = FileStorage(str(self.index_dir)).lock("CATALOG_CREATE")
        lock.acquire(blocking=True)
        try:
            current = version_file.read_text().strip() if version_file.exists() else ""
            if current == self._version:
                try:
                    return windex.open_dir(str(self.index_dir), schema=self._schema)
                except Exception:  # noqa: BLE001 - any unreadable cache is rebuilt from the rows
                    log.warning("search index in %s unreadable; starting empty", self.index_dir)
            ix = windex.create_in(str(self.index_dir), self._schema)
            version_file.write_text(self._version + "\n")
            self.needs_rebuild = True
            return ix
        finally:
            lock.release()

    def _commit(
        self,
        fill: Callable[[Any], None],
        writer_options: Mapping[str, Any] | None = None,
        commit_options: Mapping[str, Any] | None = None,
    ) -> None:
        """Run ``fill`` inside one writer and commit once; on any error nothing is written.

        Segments stay separate files (``compound=False``): Whoosh reads a compound segment
        through a private in-memory copy, so each searcher would hold a copy of the index.
        """
        with self._write_lock:
            try:
                writer = self._ix.writer(
                    timeout=self.writer_timeout,
                    delay=0.05,
                    compound=False,
                    **(writer_options or {}),
                )
            except windex.LockError as exc:
                busy = f"search index {self.index_dir} is locked by another writer"
                raise IndexBusy(busy) from exc
            try:
                fill(writer)
            except BaseException:
                writer.cancel()
                raise
            writer.commit(**(commit_options or {}))
        self._pool.changed()

    def upsert(self, docs: Iterable[AppDocument]) -> None:
        latest = {doc.id: doc for doc in docs}

        def fill(writer: Any) -> None:
            for doc in latest.values():
                writer.update_document(**to_fields(doc))

        if latest:
            self._commit(fill)

    def remove(self, app_ids: Iterable[int]) -> None:
        ids = {int(app_id) for app_id in app_ids}

        def fill(writer: Any) -> None:
            for app_id in ids:
                writer.delete_by_term("id", str(app_id))

        if ids:
            self._commit(fill)

    def rebuild(self, docs: Iterable[AppDocument]) -> None:
        """Write everything into new segments that replace all others at commit, so searches
        keep using the old index until then. A repeated id is indexed once.

        A large rebuild runs in ``rebuild_procs`` processes, each writing one segment
        (analysis and posting writing are CPU-bound Python: at 27,000 apps one process takes
        ~60 s on a 2-core machine, two take ~27 s). Small ones stay in this process.
        """
        docs = list(docs)
        procs = self.rebuild_procs if len(docs) >= PARALLEL_REBUILD_MIN_DOCS else 1

        def fill(writer: Any) -> None:
            seen: set[int] = set()
            for doc in docs:
                if doc.id not in seen:
                    seen.add(doc.id)
                    writer.add_document(**to_fields(doc))

        options: dict[str, Any] = {"procs": procs, "limitmb": self.rebuild_limitmb}
        if procs > 1:
            # One segment per process, not merged afterwards: merging is single-threaded and
            # would cost back most of the gain; searching two segments costs next to nothing.
            options.update(multisegment=True, batchsize=250)
        self._commit(fill, writer_options=options, commit_options={"mergetype": CLEAR})
        self.needs_rebuild = False

    def search(
        self,
        query: str,
        *,
        filters: Mapping[str, str] | None = None,
        page: int = 1,
        per_page: int = 20,
        any_words: bool = False,
    ) -> SearchResult:
        page, per_page = _check_paging(page, per_page)
        limit = page * per_page
        hits, ids = self._ranked_ids(query, filters, limit, first=limit - per_page, any_words=any_words)
        return SearchResult(
            ids=ids, total=hits.total, total_is_exact=hits.exact, page=page, per_page=per_page,
            partial=hits.partial,
        )

    def matching_ids(
        self, query: str, *, filters: Mapping[str, str] | None = None, limit: int = 5000
    ) -> list[int]:
        """Up to ``limit`` ids of what ``search`` finds, in the same order, for facet counts
        and for callers that filter further in the database."""
        limit = int(limit)
        return self._ranked_ids(query, filters, limit)[1] if limit > 0 else []

    def _ranked_ids(
        self, query: str, filters: Mapping[str, str] | None, limit: int, first: int = 0,
        any_words: bool = False,
    ) -> tuple[ranking.Hits, list[int]]:
        """Hits for the top ``limit`` and the app ids of ranks ``first`` to ``limit``.

        Rankings are cached per index generation (at least ``RANKED_PREFIX`` ranks), so
        paging, repeated queries and the search after ``facet_counts`` are cheap.
        """
        clauses = tuple(self._queries.parse(query))
        constraint = filter_query(filters)
        with self._pool.view() as view:
            generation = facets.generation_of(view.searcher.reader())
            key = ("hits", clauses, repr(constraint), any_words)
            hits = self._shared.peek(generation, key)
            if hits is None or len(hits.docnums) < min(limit, hits.total):
                deadline = monotonic() + self.time_limit
                hits = self._evaluate(view, clauses, constraint, generation, limit, deadline, any_words)[0]
            return hits, ranking.app_ids(view, hits.docnums[first:limit])

    def facet_counts(
        self,
        query: str,
        *,
        filters: Mapping[str, str] | None = None,
        keys: Iterable[str] = facets.FACET_FIELDS,
    ) -> FacetCounts:
        """Exact counts over every match: the first plan (strict, then relaxed) that matches,
        head and body alike, as ``search`` ranks them. The ranking is computed (and cached) on
        the way, so the page that follows costs nothing."""
        clauses = tuple(self._queries.parse(query))
        constraint = filter_query(filters)
        fields = tuple(k for k in keys if k in self._schema)
        with self._pool.view() as view:
            reader = view.searcher.reader()
            generation = facets.generation_of(reader)
            key = ("facets", clauses, repr(constraint), fields)

            def compute() -> FacetCounts:
                hits, matched = self._evaluate(view, clauses, constraint, generation, RANKED_PREFIX)
                counts = {f: facets.count(matched, f, reader, self._shared, generation) for f in fields}
                return FacetCounts(total=len(matched), counts=counts, partial=hits.partial)

            return self._shared.get(generation, key, compute)

    def _evaluate(
        self,
        view: View,
        clauses: tuple[Clause, ...],
        constraint: wq.Query | None,
        generation: Any,
        limit: int,
        deadline: float = float("inf"),
        any_words: bool = False,
    ) -> tuple[ranking.Hits, Collection[int]]:
        """The ranking (at least ``RANKED_PREFIX`` deep, remembered when complete) and the
        match set of a query."""
        allow = None if constraint is None else self._shared.get(
            generation,
            ("allow", repr(constraint)),
            lambda: frozenset(Scorer(view.searcher, self._shared, generation).docs(constraint)),
            weight=len,
        )
        scorer = Scorer(view.searcher, self._shared, generation, deadline)
        limit = max(limit, RANKED_PREFIX)
        if not clauses:
            order = ranking.name_order(view)
            matched: Collection[int] = order if allow is None else list(filter(allow.__contains__, order))
            hits = ranking.Hits(list(matched[:limit]), len(matched), True, True)  # type: ignore[index]
        else:
            plans = self._shared.get(generation, ("plans", clauses),
                                     lambda: self._plans(view, clauses, generation))
            relaxed_only = any_words and len(plans) > 1
            hits, matched = ranking.ranked(scorer, plans[1:] if relaxed_only else plans, limit, allow)
            if relaxed_only:
                hits = hits._replace(partial=bool(matched))
        if hits.complete:
            key = ("hits", clauses, repr(constraint), any_words)
            self._shared.put(generation, key, hits, weight=len(hits.docnums) + 1)
        return hits, matched

    def _plans(self, view: View, clauses: tuple[Clause, ...], generation: Any) -> list[Tiered]:
        """Query plans, typo expansion answered by the generation's name vocabulary (built once:
        walking the lexicon for every unknown word cost ≈250 ms at 27,000 apps)."""
        reader = view.searcher.reader()

        def vocabulary() -> NameVocabulary:
            if "name_keys" not in reader.schema:
                return NameVocabulary(())
            return NameVocabulary(key.decode("utf-8") for key in reader.lexicon("name_keys"))

        def names() -> NameVocabulary:
            return self._shared.get(generation, ("name vocabulary",), vocabulary, weight=len)

        return self._queries.text_queries(list(clauses), reader, names)

    def doc_count(self) -> int:
        with self._pool.view() as view:
            return view.searcher.doc_count()

    def all_ids(self) -> list[int]:
        """Every indexed app id, for `fsck` to compare the index with the database."""
        with self._pool.view() as view:
            return ranking.app_ids(view, ranking.name_order(view))

    def close(self) -> None:
        self._shared.clear()
        self._pool.close()
        self._ix.close()


def _check_paging(page: Any, per_page: Any) -> tuple[int, int]:
    try:
        page, per_page = int(page), int(per_page)
    except (TypeError, ValueError):
        raise QueryError("Nomor halaman tidak valid.") from None
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise QueryError("Nomor halaman tidak valid.")
    if page * per_page > MAX_WINDOW:
        raise QueryError("Halaman terlalu jauh; persempit pencarian dengan kata kunci atau filter.")
    return page, per_page
