"""Name order of published apps past the search index's window, kept per process and data version.

Why: browsing far down the alphabet used `ORDER BY name LIMIT 20 OFFSET 26000` — a sort of every
published app on each page view (70–170 ms at 27,000 apps). The ordered ids of one filter
combination are ~200 KB; computing them once per change of the catalog makes every deep page a
slice. The version is the data version (`models.data_version`), read in the session before the
ids, so that ids are never kept under a version newer than the rows they came from. Kept per
Flask app.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app

from ...extensions import db
from ...models.data_version import data_version, is_newer
from ...versioned_cache import VersionedCache

MAX_ENTRIES = 8  # filter combinations kept; most deep browsing is unfiltered


def _orders() -> VersionedCache:
    ext = current_app.extensions
    if "catalog_name_order" not in ext:
        ext.setdefault("catalog_name_order", VersionedCache(MAX_ENTRIES, is_newer=is_newer))
    return ext["catalog_name_order"]


def page_ids(filters: dict[str, str], page: int, per_page: int,
             compute: Callable[[], list[int]]) -> tuple[list[int], int]:
    """(ids of the page, total) from the cached order for `filters`, computed by `compute`."""
    ids = _orders().get(data_version(db.session), tuple(sorted(filters.items())), compute)
    start = (page - 1) * per_page
    return ids[start:start + per_page], len(ids)
