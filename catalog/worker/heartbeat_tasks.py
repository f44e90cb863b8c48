"""Heartbeat jobs (issue 19): the reported version's lag, and the daily audit summary."""
from __future__ import annotations

from ..jobs.queue import job, periodic
from ..services.deployments import heartbeat


@job("deployment.observed_lag")
def refresh_observed_lag(deployment_id: int) -> bool:
    """After a beat reported a new version: its release lag (git work, kept out of the beat)."""
    return heartbeat.refresh_observed_lag(deployment_id)


@job("deployment.observed_lag_app")
def refresh_app_observed_lag(app_id: int) -> int:
    """After an upstream fetch: the reported versions' lag of the app's deployments."""
    return heartbeat.refresh_app_observed_lag(app_id)


@periodic("deployment.heartbeat_summary", hour="0", minute="10")
def summarize_heartbeats() -> int:
    """Once a day: a summary per deployment that beat goes into the audit chain."""
    return heartbeat.summarize_day()
