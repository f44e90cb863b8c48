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
    """After a push: the fork's counts now, its details in a follow-up job."""
    from ..services import fork_refresh
    fork_refresh.refresh_batch([fork_id])


@job("fork.refresh_app")
def refresh_forks_of_app(app_id: int) -> int:
    """After an upstream fetch: every fork of the app in one batch (one transaction)."""
    from ..services import fork_refresh
    return len(fork_refresh.refresh_forks_of_app(app_id).refreshed)


@job("fork.details")
def refresh_fork_details(fork_ids: list[int]) -> int:
    """Merge base, own commits, missed releases for lists and reports; after the counts."""
    from ..services import fork_refresh
    return fork_refresh.refresh_details(fork_ids)


@periodic("mirror.sweep", minute="*/15")
def sweep_mirrors() -> int:
    from ..services import mirrors
    return mirrors.queue_due_refreshes()


@periodic("index.sweep", minute="*")
def sweep_index() -> int:
    from ..services import indexing
    return indexing.drain()
