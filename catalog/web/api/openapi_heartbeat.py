"""OpenAPI entries of the heartbeat routes (issue 19), built with openapi.py's helpers."""
from __future__ import annotations

from typing import Any

from .openapi_schemas import INT, STR, STRS, obj, ref

BEAT_BODY = obj({
    "version": {**STR, "minLength": 1, "maxLength": 200}, "url": {**STR, "maxLength": 500},
    "info": obj({"opd_units": STRS, "active_users": {**INT, "minimum": 0}, "database": {**STR, "maxLength": 50}},
                required=(), additionalProperties=False),
}, required=("version",))
BEAT = obj({"deployment_id": INT, "observed_version": STR, "last_seen_at": STR,
            "flags": {"type": "array", "items": {"enum": ["stale", "version_mismatch"]}},
            "change": {"enum": ["first", "version", "back", None]}})
EVIDENCE = obj({"declared": {"type": "boolean"}, "confirmed": {"type": "boolean"}, "observed": {"type": "boolean"}})
NSTR = {"type": ["string", "null"]}
USED_BY = obj({"app": STR, "total": INT, "rule": STR, "items": {"type": "array", "items": obj({
    "name": STR, "org": obj({"code": STR, "name": STR}), "deployment_id": INT, "deployment_url": STR,
    "evidence": EVIDENCE, "confirmation": {"anyOf": [obj({"role": NSTR, "at": NSTR}), {"type": "null"}]},
    "last_seen_at": NSTR, "observed_version": NSTR})}})
TOKEN = obj({"token": STR, "prefix": STR, "deployment_id": INT, "issued_at": STR})


def paths(op, body, deployment_id: dict[str, Any], slug: dict[str, Any]) -> dict[str, Any]:
    beat = op("Heartbeat pemakaian: `Authorization: Bearer <token heartbeat>` (bukan token akses pribadi); "
              "paling banyak sekali per menit per token (429 dengan Retry-After), isi maksimal 4 KiB (413)",
              200, BEAT, 401, 404, 413, 422, auth=True, params=[deployment_id], request_body=body(BEAT_BODY),
              tag="deployments")
    beat["responses"]["429"] = {"description": "Terlalu sering; tunggu `Retry-After` detik.",
                                "headers": {"Retry-After": {"schema": INT}},
                                "content": {"application/json": {"schema": ref("Error")}}}
    return {
        "/apps/{slug}/used-by": {"get": op(
            "Bukti di balik setiap nama usedBy publiccode.yml: pemakaian produksi yang dikonfirmasi atau terpantau",
            200, USED_BY, 401, 404, params=[slug], tag="publiccode")},
        "/deployments/{deployment_id}/heartbeat": {"post": beat},
        "/deployments/{deployment_id}/heartbeat-token": {
            "post": op("Buat atau ganti token heartbeat (ditampilkan sekali; adopter organisasi pemakai)", 201,
                       TOKEN, 401, 403, 404, 409, auth=True, params=[deployment_id], tag="deployments"),
            "delete": op("Cabut token heartbeat", 204, None, 401, 403, 404, 409, auth=True,
                         params=[deployment_id], tag="deployments")},
        "/deployments/{deployment_id}/adopt-observed-version": {"post": op(
            "Jadikan versi yang dilaporkan sistem sebagai versi tercatat (diaudit)", 200, ref("Deployment"),
            401, 403, 404, 409, 422, auth=True, params=[deployment_id], tag="deployments")},
    }
