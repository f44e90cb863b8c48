"""The versioned cache: one version at a time, older readers answered without evicting the newer
values, bounded by weight and by number, and a computation may ask the cache again."""
from __future__ import annotations

import threading

from catalog.versioned_cache import VersionedCache


def test_a_newer_version_drops_the_older_values_and_an_older_reader_keeps_them():
    cache = VersionedCache(100)
    assert cache.get(2, "k", lambda: "two") == "two"
    assert cache.get(1, "k", lambda: "one") == "one"  # a reader from before the change: its own value
    assert cache.peek(2, "k") == "two" and cache.peek(1, "k") is None
    assert not cache.put(1, "other", "stale")  # never kept under an older version
    assert cache.get(3, "k", lambda: "three") == "three" and cache.peek(2, "k") is None


def test_no_version_caches_nothing():
    cache = VersionedCache(100)
    calls = []
    for _ in range(2):
        cache.get(None, "k", lambda: calls.append(1))
    assert len(calls) == 2 and len(cache) == 0


def test_the_newer_rule_is_the_callers():
    cache = VersionedCache(100, is_newer=lambda candidate, current, since: candidate != "old")
    cache.follow("b")
    assert cache.follow("a") is not None  # not greater, still adopted by this rule
    assert cache.follow("old") is None and cache.version == "a"


def test_bounded_by_weight_and_number():
    cache = VersionedCache(100, max_entries=3, getsizeof=len)
    cache.follow(1)
    for i in range(10):
        cache.put(1, i, "x" * 30)
    assert cache.currsize <= 100 and len(cache) == 3
    assert cache.peek(1, 9) is not None and cache.peek(1, 0) is None
    assert not cache.put(1, "heavy", "x" * 101)  # heavier than the whole cache
    assert cache.peek(1, 9) is not None


def test_a_computation_may_ask_the_cache_again():
    cache = VersionedCache(100)
    cache.follow(2)
    answers = []

    def ask(version):
        answers.append(cache.get(version, "outer", lambda: cache.get(version, "inner", lambda: 1) + 1))

    for version in (2, 1):  # the current version and an older reader's
        worker = threading.Thread(target=ask, args=(version,), daemon=True)
        worker.start()
        worker.join(10)
        assert not worker.is_alive(), f"get() at version {version} deadlocked"
    assert answers == [2, 2] and cache.peek(2, "inner") == 1
