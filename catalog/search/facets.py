"""Exact facet counts and match sets from posting lists, cached per index generation.

Scoring every match is what makes broad Whoosh queries slow; counting them is not: a match set
is unions and intersections of per-term docnum sets (read once per index generation, then
shared by every searcher of that generation), and a facet count is one pass over that set.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from typing import Any, Callable

from whoosh import query as wq

FACET_FIELDS: tuple[str, ...] = ("category", "publisher", "province", "license", "status", "platform")
MULTI_VALUED = frozenset({"platform", "tag"})
Docset = frozenset[int]


class GenerationCache:
    """Values derived from one index generation, shared by all searchers (and threads) reading
    it; dropped as soon as a newer generation is seen. Docnums are stable within a generation."""

    def __init__(self, max_entries: int = 4096) -> None:
        self._lock = threading.Lock()
        self._generation: Any = None
        self._values: dict[Any, Any] = {}
        self._max = max_entries

    def get(self, generation: Any, key: Any, compute: Callable[[], Any]) -> Any:
        if generation is None:  # unversioned reader: nothing tells us when values go stale
            return compute()
        with self._lock:
            if generation != self._generation:
                if self._generation is not None and generation is not None and generation < self._generation:
                    return compute()  # an older searcher still in use: do not evict the newer cache
                self._generation, self._values = generation, {}
            if key in self._values:
                return self._values[key]
        value = compute()  # outside the lock: two threads may compute the same value once each
        with self._lock:
            if generation == self._generation:
                if len(self._values) >= self._max:
                    self._values.clear()
                self._values[key] = value
        return value

    def peek(self, generation: Any, key: Any) -> Any:
        """The cached value, or None (never computes)."""
        with self._lock:
            return self._values.get(key) if generation == self._generation else None

    def put(self, generation: Any, key: Any, value: Any) -> None:
        self.get(generation, key, lambda: value)

    def clear(self) -> None:
        with self._lock:
            self._generation, self._values = None, {}


def generation_of(reader: Any) -> Any:
    generation = reader.generation()
    return generation if generation is not None and generation >= 0 else None


class SetEvaluator:
    """Docnum sets for the query shapes QueryBuilder makes (Term, Phrase, And, Or)."""

    def __init__(self, searcher: Any, cache: GenerationCache, generation: Any) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.cache = cache
        self.generation = generation

    def term(self, field: str, text: Any) -> Docset:
        def compute() -> Docset:
            if (field, text) not in self.reader:
                return frozenset()
            return posting_docnums(self.reader, field, text)

        return self.cache.get(self.generation, ("docs", field, text), compute)

    def docs(self, q: wq.Query) -> Docset:
        if isinstance(q, wq.Term):
            return self.term(q.fieldname, q.text)
        if isinstance(q, wq.Or):
            out: set[int] = set()
            for sub in q.subqueries:
                out |= self.docs(sub)
            return frozenset(out)
        if isinstance(q, wq.And):
            parts = sorted((self.docs(sub) for sub in q.subqueries), key=len)
            if not parts:
                return frozenset()
            out_and = set(parts[0])
            for part in parts[1:]:
                out_and &= part
                if not out_and:
                    break
            return frozenset(out_and)
        if isinstance(q, wq.Phrase):
            # A phrase needs positions: only its documents, all of which contain every word.
            words = [self.term(q.fieldname, w) for w in q.words]
            candidates = set.intersection(*map(set, words)) if words else set()
            if not candidates:
                return frozenset()
            key = ("phrase", repr(q))
            return self.cache.get(self.generation, key,
                                  lambda: frozenset(self.searcher.docs_for_query(q)))
        return frozenset(self.searcher.docs_for_query(q))


def posting_docnums(reader: Any, field: str, text: Any) -> Docset:
    """Live docnums holding a term (the reader's matchers already skip deleted documents)."""
    return frozenset(reader.postings(field, text).all_ids())


def value_index(reader: Any, field: str) -> dict[str, Docset]:
    """Every indexed value of a filter field and the docnums holding it."""
    out: dict[str, Docset] = {}
    if field not in reader.schema:
        return out
    for text in reader.lexicon(field):
        value = text.decode("utf-8") if isinstance(text, bytes) else str(text)
        out[value] = posting_docnums(reader, field, text)
    return out


def docnum_values(reader: Any, field: str) -> list[Any]:
    """docnum → value for a single-valued field (None where absent), for C-speed counting."""
    values: list[Any] = [None] * reader.doc_count_all()
    for value, docs in value_index(reader, field).items():
        for docnum in docs:
            values[docnum] = value
    return values


def count(matched: Iterable[int], field: str, reader: Any, cache: GenerationCache,
          generation: Any) -> dict[str, int]:
    """How many of the matched docnums hold each value of ``field``, largest first."""
    if field in MULTI_VALUED:
        index = cache.get(generation, ("values", field), lambda: value_index(reader, field))
        matched_set = matched if isinstance(matched, (set, frozenset)) else set(matched)
        counts = {value: len(docs & matched_set) for value, docs in index.items()}
        counts = {v: n for v, n in counts.items() if n}
    else:
        values = cache.get(generation, ("column", field), lambda: docnum_values(reader, field))
        counts = Counter(map(values.__getitem__, matched))
        counts.pop(None, None)
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
