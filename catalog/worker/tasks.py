"""The jobs the worker runs: mirror fetches, divergence refreshes, index updates, sweeps."""
from __future__ import annotations

from ..jobs.queue import job, periodic
from ..services.catalog import indexing
from ..services.deployments import lifecycle as deployments
from ..services.interop import harvest  # noqa: F401  (listens for upstream publiccode.yml changes)
from ..services.repos import contributions, hotspots, mirrors, purge, recovery
from ..services.repos import refresh as fork_refresh
from . import account_mail, heartbeat_tasks, mail  # noqa: F401  (register the e-mail and heartbeat jobs)
from .vitality_tasks import compute_vitality, sweep_vitality  # noqa: F401  (docs/vitality.md)


@job("index.apply")
def apply_index() -> int:
    """The worker follows its own node's index (services/catalog/index_follower.py)."""
    return indexing.drain()


@job("mirror.fetch")
def fetch_mirror(app_id: int) -> str:
    return mirrors.run_fetch(app_id)


@job("mirror.import_bundle")
def import_bundle(app_id: int, bundle_name: str | None = None, bundle_path: str | None = None) -> str:
    return mirrors.run_bundle_import(app_id, bundle_name, bundle_path)  # bundle_path: jobs of earlier releases


@job("deployment.refresh_lag")
def refresh_deployment_lag(app_id: int) -> None:
    """After an upstream fetch moved the head: how far each deployment of the app lags."""
    deployments.refresh_app_lag(app_id)
    heartbeat_tasks.refresh_app_observed_lag(app_id)  # and of the versions the deployments report


@job("fork.refresh")
def refresh_fork(fork_id: int, relpath: str | None = None) -> None:
    """After a push, everything in one job: the fork's counts with their details, written in one
    transaction, then the prune check of `relpath`. One job and one write, not three jobs or two
    writes: each job costs the worker a dispatch, an app context and its own reads, and each write
    a turn at SQLite's writers' lock that deployment writes wait for (docs/performance.md)."""
    fork_refresh.refresh_batch([fork_id], details="now")
    if relpath is not None:
        purge.prune_after_push(relpath)


@job("fork.refresh_app")
def refresh_forks_of_app(app_id: int) -> int:
    """After an upstream fetch: every fork of the app in one batch (one transaction), then the
    contributions upstream now holds close as merged."""
    refreshed = len(fork_refresh.refresh_forks_of_app(app_id).refreshed)
    contributions.recognise_merges(app_id)
    return refreshed


@job("fork.details")
def refresh_fork_details(fork_ids: list[int]) -> int:
    """Merge base, own commits, missed releases for lists and reports; after the counts."""
    return fork_refresh.refresh_details(fork_ids)


@periodic("app.hotspots_sweep", minute="*/10")
def sweep_hotspots() -> int:
    """Changes in common, again for the apps whose forks were refreshed since they were last
    computed (not per push: one app's scan reads all of its forks), within a time budget each."""
    return hotspots.sweep()


@periodic("mirror.sweep", minute="*/15")
def sweep_mirrors() -> int:
    return mirrors.queue_due_refreshes()


@periodic("index.sweep", minute="*")
def sweep_index() -> int:
    """Catch up what a lost job left, and prune the change log once every live node is past it."""
    return indexing.sweep()


@job("repo.prune")
def prune_repository(relpath: str) -> bool:
    """After a push: delete the objects a force push or branch deletion made unreachable."""
    result = purge.prune_after_push(relpath)
    return bool(result and result.ran)


@job("repo.purge")
def purge_repository(relpath: str, actor_id: int | None = None) -> bool:
    """An admin's purge of a fork or mirror (a leaked secret): unreachable objects go now."""
    return purge.run_purge(relpath, actor_id) is not None


@periodic("repo.prune_sweep", minute="*/5")
def sweep_pruning() -> int:
    """Prune again where the last prune kept dropped objects for the grace period."""
    return purge.sweep_pending()


@job("repo.recover", at_worker_start={"grace": 0})
def recover_repositories(grace: float = recovery.PUSH_GRACE) -> dict[str, int]:
    """What a killed process left (services/repos/recovery.py). Also queued by every worker as it
    starts, without the grace: a node restarted after a crash heals what its death left at once."""
    return recovery.recover(grace)


@periodic("repo.recover_sweep", minute="*/2")
def sweep_recovery() -> dict[str, int]:
    """The same for nodes that do not come back: abandoned fork creations, lost push refreshes."""
    return recovery.recover()
