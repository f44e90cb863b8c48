"""Values derived from one version of the data, in a bounded LRU (cachetools), dropped when a newer version is seen.

One helper for what the page cache (data version), the search backend (index generation) and
the deep name order (data version) each keep per process: every value belongs to the version
it was computed from, the cache follows one version at a time, and a reader that still holds
an older one is answered without disturbing the newer values.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Hashable
from time import monotonic
from typing import Any

from cachetools import LRUCache, TLRUCache


def _later(candidate: Any, current: Any, _since: float) -> bool:
    return candidate > current


class VersionedCache:
    """An LRU of `(value, weight)` bounded by `maxsize` in total weight (and `max_entries` in
    number when given). A value weighs `getsizeof(value)`, or 1, unless told otherwise.

    `is_newer(candidate, current, since)` says whether a version other than the current one
    replaces it (default: `candidate > current`); `since` is when this process first saw the
    current one. `expires(value)` (monotonic seconds) gives values a time limit of their own.
    A version of None caches nothing: nothing would tell when its values go stale. A cache
    inherited through fork() starts empty in the child.
    """

    def __init__(self, maxsize: int, *, max_entries: int | None = None,
                 getsizeof: Callable[[Any], int] | None = None,
                 expires: Callable[[Any], float] | None = None,
                 is_newer: Callable[[Any, Any, float], bool] = _later) -> None:
        self.maxsize, self.max_entries = maxsize, max_entries
        self._getsizeof, self._expires, self._is_newer = getsizeof, expires, is_newer
        self._lock = threading.Lock()
        self._reset()

    def _new_lru(self) -> LRUCache:
        weigh = (lambda entry: entry[1])  # noqa: E731 - the weight stored beside each value
        if self._expires is None:
            return LRUCache(self.maxsize, getsizeof=weigh)
        expires = self._expires
        return TLRUCache(self.maxsize, lambda _key, entry, _now: expires(entry[0]), timer=monotonic, getsizeof=weigh)

    def _reset(self) -> None:
        self._pid, self._values = os.getpid(), self._new_lru()
        self.version: Any = None
        self.since = 0.0  # monotonic time this process first saw `version`

    def _follows(self, version: Any) -> bool:
        """Under the lock: adopt a newer version (dropping every value); True when `version`
        is the current one afterwards."""
        if self._pid != os.getpid():
            self._reset()
        if version is None:
            return False
        if version != self.version and (self.version is None or self._is_newer(version, self.version, self.since)):
            self._values.clear()
            self.version, self.since = version, monotonic()
        return version == self.version

    def follow(self, version: Any) -> float | None:
        """Note a version a reader saw: since when (monotonic) the cache follows it, or None
        when it follows another one."""
        with self._lock:
            return self.since if self._follows(version) else None

    def peek(self, version: Any, key: Hashable) -> Any:
        """The value kept for `key` at `version`, or None (never computes, never adopts)."""
        with self._lock:
            if self._pid != os.getpid() or version is None or version != self.version:
                return None
            entry = self._values.get(key)
            return None if entry is None else entry[0]

    def get(self, version: Any, key: Hashable, compute: Callable[[], Any],
            weight: Callable[[Any], int] | None = None) -> Any:
        """The value for `key` at `version`, computed (and kept) when missing. A reader of an
        older version gets its own value computed, and the newer ones stay."""
        with self._lock:
            follows = self._follows(version)
            entry = self._values.get(key) if follows else None
        if entry is not None:
            return entry[0]
        # Outside the lock: a computation may ask the cache for other values, and two threads
        # may compute the same value once each.
        value = compute()
        if follows:
            self.put(version, key, value, weight(value) if weight else None)
        return value

    def put(self, version: Any, key: Hashable, value: Any, weight: int | None = None) -> bool:
        """Keep `value` (replacing what `key` held) if `version` is the current one and the value
        fits; True when kept. Never adopts: a page rendered from an older version is not kept."""
        if weight is None:
            weight = self._getsizeof(value) if self._getsizeof else 1
        with self._lock:
            if self._pid != os.getpid() or version is None or version != self.version:
                return False
            try:
                self._values[key] = (value, weight)
            except ValueError:  # heavier than the whole cache
                return False
            while self.max_entries is not None and len(self._values) > self.max_entries:
                self._values.popitem()
            return True

    def clear(self) -> None:
        """Forget every value and the version (the next reader's version is adopted)."""
        with self._lock:
            self._reset()

    @property
    def currsize(self) -> int:
        """Total weight of the values kept."""
        return self._values.currsize

    def __len__(self) -> int:
        return len(self._values)
