"""Search adapter: frozen documents in, ranked app ids out; Whoosh stays behind this door."""

from __future__ import annotations

import os
from typing import Any

from .documents import (
    FILTER_KEYS,
    AppDocument,
    FacetCounts,
    QueryError,
    SearchBackend,
    SearchResult,
)
from .whoosh_backend import IndexBusy, WhooshBackend

__all__ = [
    "FILTER_KEYS",
    "AppDocument",
    "FacetCounts",
    "IndexBusy",
    "QueryError",
    "SearchBackend",
    "SearchResult",
    "WhooshBackend",
    "open_backend",
]


BACKENDS = ("whoosh", "tantivy")


def _tantivy_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("tantivy") is not None


def open_backend(index_dir: str | os.PathLike[str], kind: str | None = None, **options: Any) -> SearchBackend:
    """Open the index in ``index_dir``, creating an empty one if it is missing or outdated.

    ``kind`` (config SEARCH_BACKEND, default "tantivy") picks the engine: "tantivy" (compiled)
    keeps its files in ``index_dir/tantivy`` and stays fast at ten times national size; "whoosh"
    is pure Python and meets the targets at national size (see docs/performance.md); "auto" is
    tantivy when the package is installed, else whoosh. A freshly created index has ``needs_rebuild`` set; run
    the reindex command to fill it.
    """
    kind = (kind or "tantivy").strip().lower()
    if kind == "auto":
        kind = "tantivy" if _tantivy_installed() else "whoosh"
    if kind == "tantivy":
        from .tantivy_backend import TantivyBackend

        return TantivyBackend(index_dir, **options)
    if kind != "whoosh":
        raise ValueError(f"unknown search backend {kind!r}; expected one of {', '.join(BACKENDS)}")
    return WhooshBackend(index_dir, **options)

