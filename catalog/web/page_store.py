"""A size-bounded LRU of rendered pages, one per worker process, safe for gthread threads.

Every entry carries the data version it was rendered at; the whole store follows one current
version and drops everything when a newer one is seen (see page_cache for what the version is).
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from time import monotonic
from typing import Any, Hashable, Optional


@dataclass(frozen=True)
class Page:
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    version: Any
    expires: float

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 200


class PageStore:
    """`max_bytes` bounds bodies plus headers; a page larger than 1/8 of it is never kept."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._pages: OrderedDict[Hashable, Page] = OrderedDict()
        self._bytes = 0
        self.version: Any = None
        self.version_since = 0.0  # monotonic time this process first saw `version`
        self.hits = self.misses = 0

    def _check_fork(self) -> None:
        """A store inherited through fork() starts empty in the child (caller holds the lock)."""
        if os.getpid() != self._pid:
            self._pid = os.getpid()
            self._pages.clear()
            self._bytes, self.version, self.hits, self.misses = 0, None, 0, 0

    def observe(self, version: Any, newer: bool) -> float:
        """Note the version a request read; returns since when this process has seen it.

        A version that is not newer than the current one (a request that read just before a
        commit another request already saw) is not adopted: it neither clears nor stores."""
        with self._lock:
            self._check_fork()
            if version != self.version and newer:
                self._pages.clear()
                self._bytes, self.version, self.version_since = 0, version, monotonic()
            return self.version_since if version == self.version else float("inf")

    def get(self, key: Hashable, version: Any) -> Optional[Page]:
        with self._lock:
            self._check_fork()
            page = self._pages.get(key)
            if page is None or page.version != version or page.expires <= monotonic():
                if page is not None and page.expires <= monotonic():
                    self._drop(key)  # a version mismatch is a reader from before a change: keep it
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return page

    def put(self, key: Hashable, page: Page) -> bool:
        size = page.size
        if size > self.max_bytes // 8:
            return False
        with self._lock:
            self._check_fork()
            if page.version != self.version:
                return False
            if key in self._pages:
                self._drop(key)
            self._pages[key] = page
            self._bytes += size
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._pages)))
            return True

    def _drop(self, key: Hashable) -> None:
        self._bytes -= self._pages.pop(key).size

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0

    @property
    def bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._pages)
