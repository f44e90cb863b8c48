"""Plain data crossing the search boundary: documents in, ranked ids out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

FILTER_KEYS: frozenset[str] = frozenset(
    {"category", "publisher", "province", "license", "status", "platform", "tag"}
)


@dataclass(frozen=True)
class AppDocument:
    """What the index needs to know about one application; built from committed rows."""

    id: int
    slug: str
    name: str
    short_description_id: str
    short_description_en: str
    description: str
    features: tuple[str, ...]
    tags: tuple[str, ...]
    category: str
    publisher_code: str
    publisher_name: str
    province_code: str
    province_name: str
    license: str
    development_status: str
    platforms: tuple[str, ...]


@dataclass(frozen=True)
class SearchResult:
    """One page of ranked app ids; callers load rows and keep this order."""

    ids: list[int]
    total: int
    total_is_exact: bool
    page: int
    per_page: int
    partial: bool = False  # nothing held every word: these hold some of them, most matching first


@dataclass(frozen=True)
class FacetCounts:
    """Exact number of matches, and per filter key how many matches hold each indexed value
    (values in their normal form, see ``schema.filter_value``), largest count first."""

    total: int
    counts: Mapping[str, Mapping[str, int]]
    partial: bool = False  # counted over entries holding some words, none holding all


class QueryError(ValueError):
    """A query we refuse; ``message`` is Indonesian text safe to show the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@runtime_checkable
class SearchBackend(Protocol):
    """The only search surface services see, so Whoosh can be swapped out."""

    def upsert(self, docs: Iterable[AppDocument]) -> None: ...

    def remove(self, app_ids: Iterable[int]) -> None: ...

    def rebuild(self, docs: Iterable[AppDocument]) -> None: ...

    def search(
        self,
        query: str,
        *,
        filters: Mapping[str, str] | None = None,
        page: int = 1,
        per_page: int = 20,
        any_words: bool = False,
    ) -> SearchResult:
        """Every word must match; when none does, any may (``partial`` says so). ``any_words``
        asks for the entries holding some words straight away (``partial`` when the query has
        several)."""
        ...

    def matching_ids(
        self, query: str, *, filters: Mapping[str, str] | None = None, limit: int = 5000
    ) -> list[int]:
        """Up to ``limit`` ids in the order ``search`` ranks them (by name for no query)."""
        ...

    def facet_counts(
        self,
        query: str,
        *,
        filters: Mapping[str, str] | None = None,
        keys: Iterable[str] = (),
    ) -> FacetCounts:
        """Counts over everything ``search`` would find for the same query and filters."""
        ...

    def doc_count(self) -> int: ...

    def all_ids(self) -> list[int]: ...

    def close(self) -> None: ...
