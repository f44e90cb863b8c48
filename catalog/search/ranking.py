"""Turning scored matches into ranked docnums: tiers, filters, name order, time limits."""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from typing import NamedTuple

from .postings import Scorer
from .query import Tiered
from .searchers import TimeLimit, View

Docnums = AbstractSet[int]


class Hits(NamedTuple):
    """Ranked docnums; ``complete`` is False when the deadline cut a search short, and such
    partial hits are never cached."""

    docnums: list[int]
    total: int
    exact: bool
    complete: bool
    partial: bool = False  # found by the relaxed plan (some words), not the strict one (every word)


def best(scores: Mapping[int, float], limit: int) -> list[int]:
    """The ``limit`` best docnums, higher score first and lower docnum first on a tie, as
    Whoosh's TopCollector orders them. ``nlargest`` over bare floats runs in C; only the
    documents at or above the cut-off score are sorted."""
    if limit <= 0 or not scores:
        return []
    if len(scores) > limit:
        cutoff = heapq.nlargest(limit, scores.values())[-1]
        candidates = [d for d, s in scores.items() if s >= cutoff]
    else:
        candidates = list(scores)
    candidates.sort(key=lambda d: (-scores[d], d))
    return candidates[:limit]


def tiered(scorer: Scorer, plan: Tiered, limit: int, allow: Docnums | None) -> tuple[Hits, Docnums]:
    """Head matches by head score, then body-only matches by full score; the total and match
    set are exact (a match set costs set operations, not scoring).

    The order does not depend on ``limit``, so pages cut from it never overlap or skip.
    """
    matched = scorer.docs(plan.full)
    if allow is not None:
        matched = matched & allow
    if not matched:
        return Hits([], 0, True, True), matched
    head_docs = scorer.docs(plan.head)
    only = None
    if allow is not None:
        head_docs = only = head_docs & allow
    docnums = best(scorer.scores(plan.head, only=only), limit)
    if len(docnums) < limit and len(matched) > len(head_docs):
        body_only = scorer.scores(plan.full, only=matched - head_docs)
        docnums += best(body_only, limit - len(docnums))
    return Hits(docnums, len(matched), True, True), matched


def ranked(
    scorer: Scorer, plans: list[Tiered], limit: int, allow: Docnums | None
) -> tuple[Hits, Docnums]:
    """The first plan (strict, then relaxed) that finds anything, and its match set.

    Past the scorer's deadline, an empty page with an upper-bound estimate (never cached).
    """
    try:
        for n, plan in enumerate(plans):
            hits, matched = tiered(scorer, plan, limit, allow)
            if matched:
                return hits._replace(partial=n > 0), matched
    except TimeLimit:
        estimate = plans[-1].full.estimate_size(scorer.reader) if plans else 0
        if allow is not None:
            estimate = min(estimate, len(allow))
        return Hits([], estimate, False, False), set()
    return Hits([], 0, True, True), set()


def name_order(view: View) -> list[int]:
    """Live docnums sorted by name, once per searcher, so browsing sorts nothing per request."""

    def compute() -> list[int]:
        reader = view.searcher.reader()
        if reader.doc_count_all() == 0:  # an empty reader has no columns at all
            return []
        names = list(reader.column_reader("name_sort"))
        order = sorted(range(len(names)), key=names.__getitem__)
        deleted = {
            base + docnum
            for leaf, base in reader.leaf_readers()
            if leaf.has_deletions()
            for docnum in leaf.deleted_docs_set
        }
        return [docnum for docnum in order if docnum not in deleted] if deleted else order

    return view.cached("name_order", compute)


def app_ids(view: View, docnums: list[int]) -> list[int]:
    if not docnums:
        return []
    # Opening a column reader reads its whole offset table: once per searcher, not per search.
    column = view.cached("id_column", lambda: view.searcher.reader().column_reader("id"))
    return [int(column[docnum]) for docnum in docnums]
