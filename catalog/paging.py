"""One page of a longer list: its items, and what a pager needs to link the others."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


def page_count(total: int, per_page: int) -> int:
    """Pages needed for `total` items, `per_page` at a time; an empty list still has page 1."""
    return max(1, -(-total // per_page))


@dataclass(frozen=True)
class Page(Generic[T]):
    """`items` of page `page` (from 1), `per_page` at a time, of `total` in all. Lists that say
    more about themselves (the query, the filters, an unread count) add fields in a subclass."""

    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)
