"""Recall of the realistic query set, and how much stemming adds over plain tokens."""

from __future__ import annotations

from pathlib import Path

from catalog.search import WhooshBackend
from tests.search.search_apps import APPS
from tests.search.search_queries import QUERIES, RECALL_AT

SLUG_BY_ID = {app.id: app.slug for app in APPS}


def misses(backend: WhooshBackend) -> list[str]:
    found = []
    for query, slug, kind in QUERIES:
        top = [SLUG_BY_ID[i] for i in backend.search(query, per_page=RECALL_AT).ids]
        if slug not in top:
            found.append(f"{kind:>11}  {query!r} -> expected {slug}, got {top}")
    return found


def test_query_set_is_big_enough() -> None:
    assert len(QUERIES) >= 30 and len(APPS) >= 15


def test_recall_at_5_is_at_least_90_percent(tmp_path: Path) -> None:
    stemmed = WhooshBackend(tmp_path / "stemmed")
    stemmed.rebuild(APPS)
    plain = WhooshBackend(tmp_path / "plain", stemming=False)
    plain.rebuild(APPS)
    missed, plain_missed = misses(stemmed), misses(plain)
    recall = 1 - len(missed) / len(QUERIES)
    plain_recall = 1 - len(plain_missed) / len(QUERIES)
    print(f"\nrecall@{RECALL_AT}: stemmed {recall:.2f}, plain tokens {plain_recall:.2f} "
          f"({len(QUERIES)} queries over {len(APPS)} apps)")
    print("stemmed misses:", *missed or ["none"], sep="\n  ")
    print("plain-token misses:", *plain_missed or ["none"], sep="\n  ")
    assert recall >= 0.9, "\n".join(missed)
