"""Exact facet counts over a match set, and the per-index-generation cache they share.

A facet count is one pass over the match set (see ``postings.Scorer.docs``) against a
docnum → value column or per-value docnum sets, read once per index generation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from ..versioned_cache import VersionedCache

FACET_FIELDS: tuple[str, ...] = ("category", "publisher", "province", "license", "status", "platform")
MULTI_VALUED = frozenset({"platform", "tag"})
Docset = frozenset[int]


def generation_cache(max_entries: int = 4096, max_weight: int = 2_000_000) -> VersionedCache:
    """Values derived from one index generation, shared by all searchers (and threads) reading
    it; dropped as soon as a newer generation is seen. Docnums are stable within a generation.

    Bounded: at most ``max_entries`` values and ``max_weight`` in total, least recently used
    out first. A value weighs 1 unless ``get`` is told otherwise (posting arrays weigh their
    length, so the default budget is about 24 MB of them).
    """
    return VersionedCache(max_weight, max_entries=max_entries)


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


def count(matched: Iterable[int], field: str, reader: Any, cache: VersionedCache,
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
