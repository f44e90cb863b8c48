"""Long-lived Whoosh searchers, replaced only when the index changed."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from time import monotonic
from typing import Any

from whoosh.collectors import TimeLimit
from whoosh.index import Index
from whoosh.searching import Searcher

__all__ = ["SearcherPool", "TimeLimit", "View"]


@dataclass
class View:
    """A searcher plus values derived from it (filter docsets, name order), dropped with it."""

    searcher: Searcher
    generation: int
    checked_at: float
    cache: dict[Any, Any] = field(default_factory=dict)

    def cached(self, key: Any, compute: Callable[[], Any], max_entries: int = 256) -> Any:
        if key not in self.cache:
            if len(self.cache) >= max_entries:
                self.cache.clear()
            self.cache[key] = compute()
        return self.cache[key]


class SearcherPool:
    """Lends each concurrent search a searcher of its own, reused until the index changes.

    Whoosh searchers hold file positions and caches, so two threads never use one at once.
    Changes made in this process are seen at once (generation counter); changes by another
    process are noticed within ``check_interval`` seconds (a directory listing).
    """

    def __init__(self, index_fn: Callable[[], Index], check_interval: float = 0.25) -> None:
        self._index_fn = index_fn
        self._check_interval = check_interval
        self._idle: list[View] = []
        self._lock = threading.Lock()
        self._generation = 0
        self._closed = False

    def changed(self) -> None:
        """Call after every commit made through this process."""
        with self._lock:
            self._generation += 1

    @contextmanager
    def view(self) -> Iterator[View]:
        entry = self._checkout()
        try:
            yield entry
        finally:
            self._checkin(entry)

    def _checkout(self) -> View:
        with self._lock:
            if self._closed:
                raise RuntimeError("search backend is closed")
            entry = self._idle.pop() if self._idle else None
            generation = self._generation
        now = monotonic()
        if entry is None:
            return View(self._index_fn().searcher(), generation, now)
        if entry.generation != generation or now - entry.checked_at >= self._check_interval:
            if not entry.searcher.up_to_date():
                entry.searcher = self._refreshed(entry.searcher)
                entry.cache = {}
            entry.generation, entry.checked_at = generation, now
        return entry

    def _refreshed(self, searcher: Searcher) -> Searcher:
        """A new searcher, not ``Searcher.refresh()``.

        whoosh-reloaded 2.7.5 ``refresh`` reuses a segment's reader even when the segment gained
        deletions, and keeps segments a merge or rebuild dropped: deleted and replaced apps
        would stay findable, some twice. It also fails on an empty index.
        """
        searcher.close()
        return self._index_fn().searcher()

    def _checkin(self, entry: View) -> None:
        with self._lock:
            if not self._closed:
                self._idle.append(entry)
                return
        entry.searcher.close()

    def reset(self) -> None:
        """Drop idle searchers, e.g. after the index directory was recreated."""
        with self._lock:
            idle, self._idle = self._idle, []
            self._generation += 1
        for entry in idle:
            entry.searcher.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self.reset()
