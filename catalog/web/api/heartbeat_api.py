"""Deployment heartbeats in the API (issue 19): the adopter's token, and the beat itself.

The beat is hit by many servers every few minutes, so it reads the body itself with a hard
limit (413 past HEARTBEAT_MAX_BYTES, whatever Content-Length claims), never touches the
personal-access-token path, and answers every refusal as JSON (401, 413, 422, 429 with
Retry-After)."""
from __future__ import annotations

import json

from flask import request
from flask_babel import gettext as _

from ...services.deployments import heartbeat
from ...services.deployments import lifecycle as deployments
from ..errors import error_response
from .blueprint import bp
from .common import require_actor
from .deployment_json import deployment_json


@bp.post("/deployments/<int:deployment_id>/heartbeat-token")
def api_heartbeat_token(deployment_id: int):
    actor = require_actor()
    dep, plain = heartbeat.issue_token(deployment_id, actor=actor)
    return {"token": plain, "prefix": dep.heartbeat_token_prefix, "deployment_id": dep.id,
            "issued_at": dep.heartbeat_token_issued_at.isoformat()}, 201


@bp.delete("/deployments/<int:deployment_id>/heartbeat-token")
def api_heartbeat_token_revoke(deployment_id: int):
    actor = require_actor()
    heartbeat.revoke_token(deployment_id, actor=actor)
    return "", 204


def _read_body() -> object:
    limit = heartbeat.max_bytes()
    if (request.content_length or 0) > limit:
        raise heartbeat.TooLarge(_("Isi heartbeat maksimal %(n)s bita.", n=limit))
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        raise heartbeat.TooLarge(_("Isi heartbeat maksimal %(n)s bita.", n=limit))
    try:
        return json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (ValueError, UnicodeDecodeError):
        return None  # judged after the token: the service answers 422 "must be a JSON object"


@bp.post("/deployments/<int:deployment_id>/heartbeat")
def api_heartbeat(deployment_id: int):
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    token = token if scheme.lower() == "bearer" else ""
    try:
        beat = heartbeat.receive(deployment_id, token, _read_body())
    except heartbeat.TooFrequent as exc:
        response, status = error_response(exc.status, exc.code, exc.message, exc.fields, exc.extra)
        response.headers["Retry-After"] = str(exc.extra.get("retry_after", 60))
        return response, status
    return {"deployment_id": beat.deployment_id, "observed_version": beat.observed_version,
            "last_seen_at": beat.last_seen_at.isoformat(), "flags": beat.flags, "change": beat.change}



@bp.post("/deployments/<int:deployment_id>/adopt-observed-version")
def api_adopt_observed_version(deployment_id: int):
    """One click: the declared version becomes the one the running system reports (audited)."""
    actor = require_actor()
    dep = heartbeat.adopt_observed_version(deployment_id, actor=actor)
    return deployment_json(dep, actor, history=deployments.history(dep))
