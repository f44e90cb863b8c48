"""User text never reaches Whoosh's query parser: odd input yields results or a QueryError."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.search import QueryError, SearchResult, WhooshBackend
from tests.search.search_apps import APPS, BY_SLUG

HOSTILE = [
    "name:*",
    "*",
    "?",
    "a~~~",
    "srikandi~2",
    '"unclosed',
    '"',
    '"" "" ""',
    "field:x",
    "id:1 OR id:2",
    "AND OR NOT ( )",
    "(((((",
    "[a TO z]",
    "{x TO y}",
    "title^100",
    "\\",
    "%_%",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "\x00\x01\x02",
    "srikandi\x00",
    "\u200bsrikandi\u200b",
    "🙂🙂🙂",
    "x" * 200,
    "𝔰𝔯𝔦𝔨𝔞𝔫𝔡𝔦",
]


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WhooshBackend]:
    backend = WhooshBackend(Path(tmp_path_factory.mktemp("hostile")))
    backend.rebuild(APPS)
    yield backend
    backend.close()


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_query_gives_results_or_query_error(backend: WhooshBackend, query: str) -> None:
    try:
        result = backend.search(query)
    except QueryError as error:
        assert error.message
    else:
        assert isinstance(result, SearchResult)
        backend.matching_ids(query)


@pytest.mark.parametrize(
    "query", ["srikandi\x00", "\u200bsrikandi\u200b", "ＳＲＩＫＡＮＤＩ", "srikandi\t\n"]
)
def test_control_and_width_characters_are_cleaned(backend: WhooshBackend, query: str) -> None:
    assert backend.search(query).ids[:1] == [BY_SLUG["srikandi"].id]


def test_field_syntax_is_just_words(backend: WhooshBackend) -> None:
    assert backend.search("name:lapor").ids[:1] == [BY_SLUG["sp4n-lapor"].id]


def test_overlong_query_is_refused_in_indonesian(backend: WhooshBackend) -> None:
    with pytest.raises(QueryError) as error:
        backend.search("a" * 5000)
    assert error.value.message == "Kata kunci terlalu panjang (maksimal 200 karakter)."


def test_too_many_terms_is_refused(backend: WhooshBackend) -> None:
    with pytest.raises(QueryError) as error:
        backend.search(" ".join(f"kata{i}" for i in range(13)))
    assert "maksimal 12" in error.value.message


def test_overlong_filter_value_is_refused(backend: WhooshBackend) -> None:
    with pytest.raises(QueryError):
        backend.search("", filters={"tag": "x" * 500})
