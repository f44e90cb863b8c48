"""The vitality index jobs: after each mirror fetch, and a daily sweep (docs/vitality.md)."""
from __future__ import annotations

from ..jobs.queue import job, periodic
from ..services.catalog import vitality


@job("vitality.compute")
def compute_vitality(app_id: int) -> int | None:
    """The app's vitality index from its mirror's history, its forks and its deployments."""
    row = vitality.compute(app_id)
    return row.score if row else None


@periodic("vitality.sweep", hour="2", minute="30")
def sweep_vitality() -> int:
    """Daily: queue every published app whose index is older than a day (or missing)."""
    return vitality.queue_daily()
