"""Turning Whoosh matches into ranked docnums: tiers, filters, name order, time limits."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from time import monotonic
from typing import NamedTuple

from whoosh import query as wq

from catalog.search.query import Tiered
from catalog.search.searchers import DeadlineCollector, TimeLimit, View

Docnums = AbstractSet[int]


class Hits(NamedTuple):
    """Ranked docnums; ``complete`` is False when the deadline cut a search short, and such
    partial hits are never cached."""

    docnums: list[int]
    total: int
    exact: bool
    complete: bool


def allowed(view: View, constraint: wq.Query | None) -> Docnums | None:
    """Docnums passing the filters, once per searcher: the same few filter values repeat."""
    if constraint is None:
        return None
    return view.cached(
        ("filter", repr(constraint)),
        lambda: frozenset(view.searcher.docs_for_query(constraint)),
    )


SELECTIVE_SHARE = 0.2


def selective(view: View, allow: Docnums) -> bool:
    """True when the filters keep few documents: then it is cheaper to intersect the text query
    with the filter's postings (leapfrogging with skip_to) than to visit every text match."""
    return len(allow) <= SELECTIVE_SHARE * max(1, view.searcher.doc_count_all())


def restricted(plan: Tiered, constraint: wq.Query) -> Tiered:
    """The plan intersected with the filters; the filter terms add nothing to the score."""
    gate = wq.ConstantScoreQuery(constraint, 0.0)
    return Tiered(wq.And([plan.head, gate]), wq.And([plan.full, gate]))


def top(
    view: View,
    q: wq.Query,
    limit: int,
    deadline: float,
    allow: Docnums | None = None,
    deny: Docnums = frozenset(),
) -> Hits:
    """Top ``limit`` docnums by score; the total is an upper-bound estimate once block-max
    skipping (or the deadline) stopped Whoosh from seeing every match."""
    searcher = view.searcher
    remaining = max(0.0, deadline - monotonic())
    collector = DeadlineCollector(searcher.collector(limit=limit), remaining, allow, deny)
    try:
        searcher.search_with_collector(q, collector)
    except TimeLimit:
        pass
    results = collector.results()
    docnums = [docnum for _, docnum in results.top_n]
    complete = not collector.timedout
    if complete and len(docnums) < limit:
        return Hits(docnums, len(docnums), True, True)
    if complete and allow is None and not deny and results.has_exact_length():
        return Hits(docnums, len(results), True, True)
    estimate = q.estimate_size(searcher.reader())
    if allow is not None:
        estimate = min(estimate, len(allow))
    return Hits(docnums, max(len(docnums), estimate), False, complete)


def tiered(view: View, plan: Tiered, limit: int, deadline: float, allow: Docnums | None) -> Hits:
    """Head matches by head score, then body-only matches by full score.

    The order does not depend on ``limit``, so pages cut from it never overlap or skip.
    """
    head = top(view, plan.head, limit, deadline, allow)
    if len(head.docnums) >= limit or not head.complete:
        estimate = plan.full.estimate_size(view.searcher.reader())
        if allow is not None:
            estimate = min(estimate, len(allow))
        return Hits(head.docnums, max(head.total, estimate), False, head.complete)
    rest = top(view, plan.full, limit - len(head.docnums), deadline, allow, set(head.docnums))
    docnums = head.docnums + rest.docnums
    # An estimate for the full query already counts the head matches.
    total = head.total + rest.total if rest.exact else max(len(docnums), rest.total)
    return Hits(docnums, total, rest.exact, rest.complete)


def ranked(
    view: View, plans: list[Tiered], limit: int, deadline: float, allow: Docnums | None
) -> Hits:
    """The first plan (strict, then relaxed) that finds anything; one deadline for all."""
    hits = Hits([], 0, True, True)
    for plan in plans:
        hits = tiered(view, plan, limit, deadline, allow)
        if hits.docnums or not hits.complete:
            break
    return hits


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


def by_name(view: View, limit: int, allow: Docnums | None) -> Hits:
    order = name_order(view)
    if allow is not None:
        order = [docnum for docnum in order if docnum in allow]
    return Hits(order[:limit], len(order), True, True)


def app_ids(view: View, docnums: list[int]) -> list[int]:
    if not docnums:
        return []
    # Opening a column reader reads its whole offset table: once per searcher, not per search.
    column = view.cached("id_column", lambda: view.searcher.reader().column_reader("id"))
    return [int(column[docnum]) for docnum in docnums]
