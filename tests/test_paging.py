"""The one page type: how many pages a total makes, and lists that carry more than their items."""
from __future__ import annotations

import dataclasses

import pytest

from catalog.paging import Page, page_count
from catalog.services.accounts.notifications import NotificationPage


@pytest.mark.parametrize(("total", "per_page", "pages"),
                         [(0, 20, 1), (1, 20, 1), (20, 20, 1), (21, 20, 2), (60, 50, 2)])
def test_pages_of_a_total(total, per_page, pages):
    assert page_count(total, per_page) == pages == Page([], total, 1, per_page).pages


def test_a_list_with_more_to_say_is_still_a_frozen_page():
    found = NotificationPage(["n"], 41, 3, 20, unread=5)
    assert isinstance(found, Page) and found.pages == 3 and found.unread == 5
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.total = 0  # type: ignore[misc]
