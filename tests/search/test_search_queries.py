"""Searching the realistic corpus: English, phrases, typos, name parts, filters, paging."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.search import QueryError, SearchBackend, WhooshBackend
from tests.search.search_apps import APPS, BY_SLUG

SLUG_BY_ID = {app.id: app.slug for app in APPS}
KOTA_TANJUNGPINANG = {"siap", "e-parkir", "sig-umkm", "dukcapil-online", "dakota"}


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WhooshBackend]:
    backend = WhooshBackend(Path(tmp_path_factory.mktemp("apps")))
    backend.rebuild(APPS)
    yield backend
    backend.close()


def slugs(backend: SearchBackend, query: str, **kwargs: object) -> list[str]:
    return [SLUG_BY_ID[i] for i in backend.search(query, **kwargs).ids]  # type: ignore[arg-type]


def test_backend_satisfies_protocol(backend: WhooshBackend) -> None:
    assert isinstance(backend, SearchBackend)


@pytest.mark.parametrize(
    ("query", "slug"),
    [("archive", "srikandi"), ("complaints", "sp4n-lapor"), ("libraries", "slims")],
)
def test_english_queries_use_english_descriptions(
    backend: WhooshBackend, query: str, slug: str
) -> None:
    assert slugs(backend, query)[:1] == [slug]


def test_quoted_phrase_needs_adjacent_words(backend: WhooshBackend) -> None:
    assert slugs(backend, '"sistem informasi desa"') == ["opensid"]
    assert slugs(backend, '"desa informasi sistem"') == []


@pytest.mark.parametrize(
    ("query", "slug"),
    [("srikandy", "srikandi"), ("simpek", "simpeg"), ("opensd", "opensid"), ("SIMPG", "simpeg")],
)
def test_typos_in_app_names_still_find_the_app(
    backend: WhooshBackend, query: str, slug: str
) -> None:
    assert slugs(backend, query)[:1] == [slug]


@pytest.mark.parametrize(
    ("query", "slug"),
    [("lapor", "sp4n-lapor"), ("sp4n", "sp4n-lapor"), ("eoffice", "e-office"), ("sid", "opensid")],
)
def test_parts_of_app_names_find_the_app(
    backend: WhooshBackend, query: str, slug: str
) -> None:
    assert slugs(backend, query)[:1] == [slug]


def test_name_match_outranks_description_match(backend: WhooshBackend) -> None:
    assert slugs(backend, "opensid")[:2] == ["opensid", "pantausid"]


def test_all_words_must_match_before_any_word_may(backend: WhooshBackend) -> None:
    assert slugs(backend, "parkir karcis") == ["e-parkir"]
    assert set(slugs(backend, "parkir perpustakaan")) == {"e-parkir", "slims"}


def test_empty_query_lists_everything_by_name(backend: WhooshBackend) -> None:
    result = backend.search("", per_page=100)
    names = [BY_SLUG[SLUG_BY_ID[i]].name.casefold() for i in result.ids]
    assert names == sorted(names)
    assert (result.total, result.total_is_exact) == (len(APPS), True)


def test_stopword_only_query_is_treated_as_empty(backend: WhooshBackend) -> None:
    assert backend.search("yang dan di aplikasi").total == len(APPS)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"category": "hr"}, {"simanja", "simpeg", "e-absen"}),
        ({"publisher": "21.72"}, KOTA_TANJUNGPINANG),
        ({"province": "21"}, {"simanja", *KOTA_TANJUNGPINANG}),
        ({"license": "gpl-3.0-ONLY"}, {"jdih", "opensid", "slims", "pantausid"}),
        ({"status": "beta"}, {"dakota"}),
        ({"platform": "ios"}, {"sp4n-lapor"}),
        ({"tag": "Kepegawaian"}, {"simanja", "simpeg", "e-absen"}),
        ({"tag": "pemerintahan desa", "status": "development"}, {"pantausid"}),
        ({"category": "hr", "status": ""}, {"simanja", "simpeg", "e-absen"}),
        ({"category": "no-such-category"}, set()),
    ],
)
def test_filters_match_exact_values(
    backend: WhooshBackend, filters: dict[str, str], expected: set[str]
) -> None:
    assert set(slugs(backend, "", filters=filters, per_page=100)) == expected


def test_filters_combine_with_text(backend: WhooshBackend) -> None:
    assert slugs(backend, "pegawai", filters={"publisher": "14.71"}) == ["simpeg", "e-absen"]


def test_unknown_filter_key_is_refused(backend: WhooshBackend) -> None:
    with pytest.raises(QueryError) as error:
        backend.search("arsip", filters={"name": "x"})
    assert "Filter tidak dikenal" in error.value.message


def test_pages_partition_the_ranking(backend: WhooshBackend) -> None:
    everything = backend.search("daerah", per_page=100).ids
    pages = [backend.search("daerah", page=p, per_page=2).ids for p in range(1, 10)]
    assert [i for page in pages for i in page] == everything
    assert len(everything) > 4


def test_rank_order_is_stable(backend: WhooshBackend) -> None:
    assert backend.search("pegawai").ids == backend.search("pegawai").ids


def test_page_past_the_end_is_empty(backend: WhooshBackend) -> None:
    result = backend.search("arsip", page=50)
    assert result.ids == [] and result.total >= 1


@pytest.mark.parametrize(
    ("page", "per_page"), [(0, 20), (-1, 20), (1, 0), (1, 101), ("x", 20), (501, 20)]
)
def test_bad_paging_is_a_query_error(
    backend: WhooshBackend, page: object, per_page: object
) -> None:
    with pytest.raises(QueryError):
        backend.search("arsip", page=page, per_page=per_page)  # type: ignore[arg-type]


def test_matching_ids_follow_the_search_ranking(backend: WhooshBackend) -> None:
    for query in ("pegawai", "daerah", ""):
        assert backend.matching_ids(query) == backend.search(query, per_page=100).ids
    assert backend.matching_ids("", limit=3) == backend.search("", per_page=3).ids
    assert backend.matching_ids("pegawai", limit=0) == []
    assert set(backend.matching_ids("", filters={"status": "beta"})) == {BY_SLUG["dakota"].id}


def test_a_search_past_its_time_limit_returns_what_it_has(tmp_path: Path) -> None:
    hurried = WhooshBackend(tmp_path, time_limit=0.0)
    hurried.rebuild(APPS)
    result = hurried.search("daerah")
    assert result.total_is_exact is False and len(result.ids) <= result.total
    hurried.close()
