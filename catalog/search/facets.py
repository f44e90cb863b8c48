"""Exact facet counts over a match set, and the per-index-generation cache they share.

A facet count is one pass over the match set (see ``postings.Scorer.docs``) against a
docnum → value column or per-value docnum sets, read once per index generation.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable
from typing import Any, Callable

FACET_FIELDS: tuple[str, ...] = ("category", "publisher", "province", "license", "status", "platform")
MULTI_VALUED = frozenset({"platform", "tag"})
Docset = frozenset[int]


class GenerationCache:
    """Values derived from one index generation, shared by all searchers (and threads) reading
    it; dropped as soon as a newer generation is seen. Docnums are stable within a generation.

    Bounded: at most ``max_entries`` values and ``max_weight`` in total, least recently used
    out first. A value weighs 1 unless ``get`` is told otherwise (posting arrays weigh their
    length, so the default budget is about 24 MB of them).
    """

    def __init__(self, max_entries: int = 4096, max_weight: int = 2_000_000) -> None:
        self._lock = threading.Lock()
        self._generation: Any = None
        self._values: OrderedDict[Any, tuple[Any, int]] = OrderedDict()
        self._weight = 0
        self._max = max_entries
        self._max_weight = max_weight

    def get(self, generation: Any, key: Any, compute: Callable[[], Any],
            weight: Callable[[Any], int] | None = None) -> Any:
        if generation is None:  # unversioned reader: nothing tells us when values go stale
            return compute()
        with self._lock:
            if not self._adopt(generation):
                return compute()  # an older searcher still in use: do not evict the newer cache
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key][0]
        value = compute()  # outside the lock: two threads may compute the same value once each
        self._put(generation, key, value, weight(value) if weight else 1)
        return value

    def peek(self, generation: Any, key: Any) -> Any:
        """The cached value, or None (never computes)."""
        with self._lock:
            if generation != self._generation or key not in self._values:
                return None
            self._values.move_to_end(key)
            return self._values[key][0]

    def put(self, generation: Any, key: Any, value: Any, weight: int = 1) -> None:
        """Store ``value``, replacing what ``key`` held."""
        if generation is not None:
            self._put(generation, key, value, weight, replace=True)

    def _adopt(self, generation: Any) -> bool:
        """Under the lock: start over for a newer generation; False for an older one."""
        if generation != self._generation:
            if self._generation is not None and generation < self._generation:
                return False
            self._generation, self._values, self._weight = generation, OrderedDict(), 0
        return True

    def _put(self, generation: Any, key: Any, value: Any, weight: int, replace: bool = False) -> None:
        with self._lock:
            if not self._adopt(generation) or generation != self._generation:
                return
            if key in self._values:
                if not replace:
                    return
                self._weight -= self._values.pop(key)[1]
            self._values[key] = (value, weight)
            self._weight += weight
            while self._values and (len(self._values) > self._max or self._weight > self._max_weight):
                self._weight -= self._values.popitem(last=False)[1][1]

    def clear(self) -> None:
        with self._lock:
            self._generation, self._values, self._weight = None, OrderedDict(), 0


def generation_of(reader: Any) -> Any:
    generation = reader.generation()
    return generation if generation is not None and generation >= 0 else None


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
        index = cache.get(generation, ("values", field), lambda: value_index(reader, field),
                          weight=lambda index: sum(map(len, index.values())))
        matched_set = matched if isinstance(matched, (set, frozenset)) else set(matched)
        counts = {value: len(docs & matched_set) for value, docs in index.items()}
        counts = {v: n for v, n in counts.items() if n}
    else:
        values = cache.get(generation, ("column", field), lambda: docnum_values(reader, field), weight=len)
        counts = Counter(map(values.__getitem__, matched))
        counts.pop(None, None)
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
