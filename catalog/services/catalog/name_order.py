"""Name order of published apps past the search index's window, kept per process and data version.

Why: browsing far down the alphabet used `ORDER BY name LIMIT 20 OFFSET 26000` — a sort of every
published app on each page view (70–170 ms at 27,000 apps). The ordered ids of one filter
combination are ~200 KB; computing them once per change of the catalog makes every deep page a
slice. The version is the audit chain head (seq and hash): every change to an app appends an event
in the same transaction, and it is read in the same snapshot as the ids. Kept per Flask app.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable

from flask import current_app

from ...extensions import db
from ...models import AuditHead

MAX_ENTRIES = 8  # filter combinations kept; most deep browsing is unfiltered


class _Orders:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: OrderedDict[tuple, tuple[tuple, list[int]]] = OrderedDict()


def _orders() -> _Orders:
    ext = current_app.extensions
    if "catalog_name_order" not in ext:
        ext.setdefault("catalog_name_order", _Orders())
    return ext["catalog_name_order"]


def _version() -> tuple:
    return tuple(db.session.execute(db.select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).first() or ())


def page_ids(filters: dict[str, str], page: int, per_page: int,
             compute: Callable[[], list[int]]) -> tuple[list[int], int]:
    """(ids of the page, total) from the cached order for `filters`, computed by `compute`."""
    key = tuple(sorted(filters.items()))
    version, orders = _version(), _orders()
    with orders.lock:
        cached = orders.entries.get(key)
        ids = cached[1] if cached is not None and cached[0] == version else None
        if ids is not None:
            orders.entries.move_to_end(key)
    if ids is None:
        ids = compute()  # outside the lock: two threads may both compute once; neither waits
        with orders.lock:
            orders.entries[key] = (version, ids)
            orders.entries.move_to_end(key)
            while len(orders.entries) > MAX_ENTRIES:
                orders.entries.popitem(last=False)
    start = (page - 1) * per_page
    return ids[start:start + per_page], len(ids)
