"""The jobs the worker runs: mirror fetches, divergence refreshes, index updates, sweeps."""
from __future__ import annotations

from . import job, notify, periodic  # noqa: F401  (notify registers the e-mail jobs)


@job("index.apply")
def apply_index() -> int:
    from ..services import indexing
    return indexing.drain()


@job("mirror.fetch")
def fetch_mirror(app_id: int) -> str:
    from ..services import mirrors
    return mirrors.run_fetch(app_id)


@job("mirror.import_bundle")
def import_bundle(app_id: int, bundle_path: str) -> str:
    from ..services import mirrors
    return mirrors.run_bundle_import(app_id, bundle_path)


@job("fork.refresh")
def refresh_fork(fork_id: int) -> None:
    from ..services import forks
    forks.refresh_divergence(fork_id)


@periodic("mirror.sweep", minute="*/15")
def sweep_mirrors() -> int:
    from ..services import mirrors
    return mirrors.queue_due_refreshes()


@periodic("index.sweep", minute="*")
def sweep_index() -> int:
    from ..services import indexing
    return indexing.drain()
