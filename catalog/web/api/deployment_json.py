"""Deployments and their events as JSON; private fields only for those allowed to read them."""
from __future__ import annotations

from typing import Any

from flask import url_for

from ...models import Deployment, DeploymentEvent, User
from ...services.deployments import heartbeat
from ...services.deployments.lifecycle import History
from ...services.permissions import can_view_deployment_details
from ...vocab import deployments as dv
from .serializers import organization_json


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def event_json(event: DeploymentEvent, *, private: bool) -> dict[str, Any]:
    hidden = not private and event.field in dv.PRIVATE_FIELDS
    data: dict[str, Any] = {
        "at": _iso(event.at), "kind": event.kind, "field": event.field or None,
        "from": None if hidden else (event.from_value or None), "to": None if hidden else (event.to_value or None),
        "actor": {"org": event.actor.organization.code if event.actor else None,
                  "name": event.actor.name if (event.actor and private) else None},
    }
    if private:
        data["note"] = event.note or None
    return data


def deployment_json(dep: Deployment, actor: User | None, *, history: History | None = None) -> dict[str, Any]:
    """The contract's deployment; `url` and `note` appear only for the organization, the app's
    publisher, auditors in scope and admins. With `history`: its latest `events`, oldest first,
    and `events_complete` false when older ones were left out."""
    private = can_view_deployment_details(actor, dep)
    confirmer = dep.confirmed_by
    data: dict[str, Any] = {
        "id": dep.id, "org": organization_json(dep.organization),
        "app": {"slug": dep.app.slug, "name": dep.app.name, "publisher": dep.app.publisher.code},
        "fork_id": dep.fork_id, "fork": {"id": dep.fork.id, "name": dep.fork.name} if dep.fork else None,
        "environment": dep.environment, "status": dep.status, "next_statuses": list(dv.next_statuses(dep.status)),
        "version": dep.version, "commit": dep.version_commit, "hosting": dep.hosting,
        "opd_units": list(dep.opd_units), "go_live_on": _iso(dep.go_live_on),
        "status_changed_at": _iso(dep.status_changed_at), "created_at": _iso(dep.created_at),
        "updated_at": _iso(dep.updated_at), "confirmed": dep.confirmed,
        "confirmation": {"role": dep.confirmed_role, "org": confirmer.organization.code if confirmer else None,
                         "at": _iso(dep.confirmed_at)} if dep.confirmed else None,
        "lag": {"releases": dep.lag_releases, "commits": dep.lag_commits,
                "latest_release": dep.lag_latest_release, "computed_at": _iso(dep.lag_computed_at)},
        "html_url": url_for("ui.deployment_detail", deployment_id=dep.id, _external=True),
        # Issue 19: how strong the evidence is, and what the running system itself reported.
        "evidence": heartbeat.evidence(dep), "strengths": heartbeat.strengths(dep),
        "last_seen_at": _iso(dep.last_seen_at), "observed_version": dep.observed_version,
        "observed_lag": {"releases": dep.observed_lag_releases, "commits": dep.observed_lag_commits},
        "flags": heartbeat.flags(dep),
    }
    if private:
        data["url"] = dep.url or None
        data["note"] = dep.note or None
        data["observed_url"] = dep.observed_url
        data["observed_info"] = heartbeat.observed_info(dep) or None
        data["heartbeat_token"] = {"prefix": dep.heartbeat_token_prefix,
                                   "issued_at": _iso(dep.heartbeat_token_issued_at)} \
            if dep.heartbeat_token_hash else None
    if history is not None:
        data["events"] = [event_json(e, private=private) for e in history.events]
        data["events_complete"] = history.complete
    return data
