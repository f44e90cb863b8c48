"""Every test app has an engine of its own, and each engine starts with an empty cache of compiled
SQL: every statement a test runs was compiled again, test after test (about a fifth of the CPU of
a request in the authorization matrix). SQLAlchemy keys that cache by the dialect object, though
compiled SQL depends only on the dialect's class and settings; so the engines of a test process
share one cache, keyed by those (a production process keeps its one engine and is left alone)."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.util import LRUCache

_SETTINGS = (bool, int, float, str, tuple, type(None))


class _SharedCompiledCache:
    """A compiled cache whose keys name the dialect by its class and plain settings; an entry
    made on one engine's dialect serves every engine whose dialect has the same settings."""

    def __init__(self, size: int = 20_000):
        self._entries = LRUCache(size)

    @staticmethod
    def _key(key: tuple) -> tuple:
        dialect = key[0]
        settings = tuple(sorted((name, value) for name, value in vars(dialect).items()
                                if isinstance(value, _SETTINGS)))
        return (type(dialect), settings, *key[1:])

    def get(self, key, default=None):
        return self._entries.get(self._key(key), default)

    def __setitem__(self, key, value) -> None:
        self._entries[self._key(key)] = value

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()


SHARED = _SharedCompiledCache()


def _share(connection) -> None:
    """On each connection, before it runs anything: its engine takes the shared cache (an
    engine made with caching off keeps it off)."""
    engine = connection.engine
    if engine._compiled_cache is not None and engine._compiled_cache is not SHARED:
        engine._compiled_cache = SHARED


def install() -> None:
    event.listen(Engine, "engine_connect", _share)
