"""Two-tier ranking: matches in name, summary or English text come before body-only ones."""

from __future__ import annotations

from pathlib import Path

from catalog.search import WhooshBackend
from tests.search.search_apps import make_app

HEAD = [
    make_app(i, f"head-{i}", f"Aplikasi {i}", short_id=f"Pengelolaan retribusi daerah {i}")
    for i in range(1, 6)
]
BODY = [
    make_app(i, f"body-{i}", f"Aplikasi {i}", description="retribusi " * 30)
    for i in range(11, 16)
]


def test_head_matches_rank_before_body_only_matches(tmp_path: Path) -> None:
    backend = WhooshBackend(tmp_path)
    backend.rebuild(BODY + HEAD)
    ids = backend.search("retribusi").ids
    assert set(ids[:5]) == {app.id for app in HEAD}
    assert set(ids[5:]) == {app.id for app in BODY}


def test_pages_across_the_tier_boundary_neither_overlap_nor_skip(tmp_path: Path) -> None:
    backend = WhooshBackend(tmp_path)
    backend.rebuild(BODY + HEAD)
    whole = backend.search("retribusi", per_page=20)
    pages = [backend.search("retribusi", page=p, per_page=3).ids for p in (1, 2, 3, 4)]
    assert [i for page in pages for i in page] == whole.ids
    assert (whole.total, whole.total_is_exact) == (10, True)


def test_a_full_first_page_reports_the_exact_total(tmp_path: Path) -> None:
    # Match sets are set operations over cached postings, so the total costs no scoring.
    backend = WhooshBackend(tmp_path)
    backend.rebuild(BODY + HEAD)
    result = backend.search("retribusi", per_page=2)
    assert (result.total, result.total_is_exact) == (10, True)
