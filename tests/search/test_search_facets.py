"""Facet counts: exact, over every match (head and body), filtered, and fresh after changes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from catalog.search import WhooshBackend
from catalog.search.schema import filter_value
from tests.search.search_apps import APPS

BY_ID = {app.id: app for app in APPS}


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[WhooshBackend]:
    backend = WhooshBackend(tmp_path / "index")
    backend.rebuild(APPS)
    yield backend
    backend.close()


def all_ids(backend: WhooshBackend, query: str, **filters: str) -> set[int]:
    return set(backend.matching_ids(query, filters=filters or None, limit=10_000))


@pytest.mark.parametrize("query", ["", "pegawai", "sistem informasi", "arsip", "complaints", "srikandy"])
def test_counts_cover_exactly_what_search_finds(backend: WhooshBackend, query: str) -> None:
    found = all_ids(backend, query)
    counted = backend.facet_counts(query, keys=("category", "license"))
    assert counted.total == len(found)
    expected = Counter(filter_value(BY_ID[i].category) for i in found if BY_ID[i].category)
    assert counted.counts["category"] == dict(expected)
    assert list(counted.counts["category"].values()) == sorted(expected.values(), reverse=True)


def test_filters_narrow_the_counts(backend: WhooshBackend) -> None:
    counted = backend.facet_counts("pegawai", filters={"platform": "android"}, keys=("platform", "category"))
    found = all_ids(backend, "pegawai", platform="android")
    assert counted.total == len(found) > 0
    assert counted.counts["platform"]["android"] == len(found)


def test_counts_follow_index_changes(backend: WhooshBackend) -> None:
    before = backend.facet_counts("", keys=("status",))
    first = APPS[0]
    backend.upsert([replace(first, development_status="obsolete")])
    after = backend.facet_counts("", keys=("status",))
    assert after.total == before.total
    assert after.counts["status"].get("obsolete", 0) == before.counts["status"].get("obsolete", 0) + (
        first.development_status != "obsolete")
    backend.remove([first.id])
    assert backend.facet_counts("", keys=("status",)).total == before.total - 1
    assert first.id not in all_ids(backend, "")


def test_parallel_rebuild_replaces_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from catalog.search import whoosh_backend

    monkeypatch.setattr(whoosh_backend, "PARALLEL_REBUILD_MIN_DOCS", 2)
    serial = WhooshBackend(tmp_path / "serial", rebuild_procs=1)
    parallel = WhooshBackend(tmp_path / "parallel", rebuild_procs=2)
    try:
        serial.rebuild(APPS)
        parallel.rebuild(APPS[:3])
        parallel.rebuild(APPS)  # the second rebuild drops the first one's segments
        assert parallel.doc_count() == serial.doc_count() == len(APPS)
        for query in ("pegawai", "arsip", "sistem informasi", ""):
            assert set(parallel.matching_ids(query)) == set(serial.matching_ids(query))
            assert parallel.facet_counts(query, keys=("category",)) == serial.facet_counts(query, keys=("category",))
    finally:
        serial.close()
        parallel.close()
