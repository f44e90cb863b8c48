"""The Tantivy backend finds what the Whoosh backend finds: recall, order, paging, filters,
facets, odd input, and changes made by another process."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("tantivy")

from catalog.search import QueryError, SearchBackend, WhooshBackend, open_backend  # noqa: E402
from catalog.search.tantivy_backend import TantivyBackend  # noqa: E402
from tests.search.search_apps import APPS, BY_SLUG  # noqa: E402
from tests.search.search_queries import QUERIES, RECALL_AT  # noqa: E402
from tests.search.test_search_hostile import HOSTILE  # noqa: E402

SLUG = {app.id: app.slug for app in APPS}


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WhooshBackend, TantivyBackend]]:
    whoosh = WhooshBackend(tmp_path_factory.mktemp("whoosh"))
    tantivy = TantivyBackend(tmp_path_factory.mktemp("tantivy"))
    whoosh.rebuild(APPS)
    tantivy.rebuild(APPS)
    yield whoosh, tantivy
    whoosh.close()
    tantivy.close()


def slugs(backend: SearchBackend, query: str, **kwargs: object) -> list[str]:
    return [SLUG[i] for i in backend.search(query, **kwargs).ids]  # type: ignore[arg-type]


def test_open_backend_picks_the_engine(tmp_path: Path) -> None:
    assert isinstance(open_backend(tmp_path / "a", kind="tantivy"), TantivyBackend)
    assert isinstance(open_backend(tmp_path / "c", kind="whoosh"), WhooshBackend)
    assert isinstance(open_backend(tmp_path / "b"), TantivyBackend)  # the default
    assert isinstance(open_backend(tmp_path / "e", kind="auto"), TantivyBackend)  # installed, so used
    with pytest.raises(ValueError):
        open_backend(tmp_path / "d", kind="lucene")


@pytest.mark.parametrize(("query", "slug", "what"), QUERIES)
def test_recall_matches_whoosh(pair: tuple[WhooshBackend, TantivyBackend], query: str, slug: str, what: str) -> None:
    _, tantivy = pair
    assert slug in slugs(tantivy, query, per_page=RECALL_AT), what  # BM25 variants may order ties differently


@pytest.mark.parametrize("query", ["", "pegawai", "sistem informasi", "arsip", "srikandy", '"sistem informasi desa"'])
def test_totals_and_facets_match_whoosh(pair: tuple[WhooshBackend, TantivyBackend], query: str) -> None:
    whoosh, tantivy = pair
    keys = ("category", "license", "platform", "province")
    assert tantivy.facet_counts(query, keys=keys) == whoosh.facet_counts(query, keys=keys)
    assert set(tantivy.matching_ids(query)) == set(whoosh.matching_ids(query))
    assert tantivy.search(query).total == len(whoosh.matching_ids(query))


def whoosh_order(pair: tuple[WhooshBackend, TantivyBackend]) -> list[int]:
    return pair[0].search("", per_page=100).ids


def test_pages_neither_overlap_nor_skip(pair: tuple[WhooshBackend, TantivyBackend]) -> None:
    _, tantivy = pair
    everything = tantivy.matching_ids("sistem")
    paged = [i for page in range(1, 6) for i in tantivy.search("sistem", page=page, per_page=3).ids]
    assert paged == everything[: len(paged)]
    by_name = [i for page in range(1, 8) for i in tantivy.search("", page=page, per_page=3).ids]
    assert by_name == tantivy.search("", per_page=100).ids[: len(by_name)]
    assert by_name == whoosh_order(pair)[: len(by_name)]


def test_filters(pair: tuple[WhooshBackend, TantivyBackend]) -> None:
    whoosh, tantivy = pair
    for filters in ({"platform": "android"}, {"province": "21"}, {"license": "MIT", "status": "stable"}):
        assert slugs(tantivy, "", filters=filters, per_page=50) == slugs(whoosh, "", filters=filters, per_page=50)
        assert (set(tantivy.matching_ids("pegawai", filters=filters))
                == set(whoosh.matching_ids("pegawai", filters=filters)))
    with pytest.raises(QueryError):
        tantivy.search("arsip", filters={"owner": "x"})


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_input_gives_results_or_query_error(pair: tuple[WhooshBackend, TantivyBackend], query: str) -> None:
    _, tantivy = pair
    try:
        tantivy.search(query)
    except QueryError:
        pass


def test_changes_are_seen_by_another_process(tmp_path: Path) -> None:
    writer = TantivyBackend(tmp_path, check_interval=0)
    reader = TantivyBackend(tmp_path, check_interval=0)
    writer.rebuild(APPS[:5])
    assert reader.doc_count() == 5
    srikandi = BY_SLUG["srikandi"]
    writer.upsert([srikandi])
    assert srikandi.id in reader.matching_ids("kearsipan")
    writer.remove([srikandi.id])
    assert srikandi.id not in reader.matching_ids("kearsipan")
    assert reader.doc_count() == 5 + (srikandi not in APPS[:5]) - 1
    writer.rebuild(APPS)
    assert reader.doc_count() == len(APPS)


def test_name_order_follows_changes(tmp_path: Path) -> None:
    writer = TantivyBackend(tmp_path, check_interval=0)
    reader = TantivyBackend(tmp_path, check_interval=0)
    writer.rebuild(APPS[:5])
    first = reader.search("", per_page=50).ids
    assert sorted(first) == sorted(app.id for app in APPS[:5])
    writer.rebuild(APPS)
    for _ in range(100):  # the new order is computed in the background
        if len(reader.search("", per_page=50).ids) == len(APPS):
            break
        time.sleep(0.02)
    assert sorted(reader.search("", per_page=50).ids) == sorted(app.id for app in APPS)


def test_a_held_writer_lock_gives_index_busy(tmp_path: Path) -> None:
    from catalog.search import IndexBusy

    backend = TantivyBackend(tmp_path, writer_timeout=0.2)
    holder = backend._ix.writer(heap_size=50_000_000, num_threads=1)  # another writer, as in another process
    try:
        with pytest.raises(IndexBusy):
            backend.upsert(APPS[:1])
    finally:
        holder.rollback()
        del holder
    backend.upsert(APPS[:1])
    assert backend.doc_count() == 1
