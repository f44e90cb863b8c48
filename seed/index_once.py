"""The seed applies the search index once, when the story is told, not after every submit and publish.

The services still queue each change in the index outbox inside their own transactions, as for
anyone; only the step that applies the outbox (inline during the seed: a Tantivy commit each
time, about a third of the seed's work) waits until the block ends, then runs once. Nothing reads
the index while the seed runs; an outbox left by a crash is applied by the worker's `index.sweep`.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from catalog.services.catalog import indexing


@contextmanager
def index_applied_once() -> Iterator[None]:
    """Hold back the services' `indexing.apply_soon()` inside the block; apply the outbox once after.
    Nested blocks apply once, at the outermost end."""
    original = indexing.apply_soon
    if getattr(original, "held_by_seed", False):
        yield
        return

    def hold() -> None:
        """The outbox keeps the change; it is applied when the seed's block ends."""

    hold.held_by_seed = True
    indexing.apply_soon = hold
    try:
        yield
    finally:
        indexing.apply_soon = original
    original()
