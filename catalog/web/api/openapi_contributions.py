"""The OpenAPI entries of the contribution routes (contributions_api.py), merged into openapi.py's document."""
from __future__ import annotations

from typing import Any

from ...models import ContributionState
from .openapi_schemas import INT, NSTR, STR, obj, ref

STATE = {"enum": [s.value for s in ContributionState]}
COMMIT = obj({"sha": STR, "summary": STR, "author": STR, "date": STR, "note": STR})
CONTRIBUTION = obj({
    "id": INT, "state": STATE, "title": STR, "description": STR, "app": STR,
    "fork": obj({"id": INT, "name": STR, "org": STR}), "commits": {"type": "array", "items": COMMIT},
    "upstream_commit": STR, "created_at": STR, "decided_at": NSTR, "decision_note": NSTR, "merged_at": NSTR,
    "merged_release": NSTR, "url": STR, "patch_url": STR, "bundle_url": STR,
})
CREATE = obj({"title": STR, "description": STR, "commits": {"type": "array", "items": STR},
              "notes": {"type": "object", "additionalProperties": STR}}, required=("title",))
HOTSPOTS = obj({
    "files": {"type": "array", "items": obj({"path": STR, "forks": {"type": "array", "items": INT}})},
    "common_changes": {"type": "array", "items": obj({
        "patch_id": STR, "summary": STR, "forks": {"type": "array", "items": INT},
        "commits": {"type": "array", "items": obj({"fork": INT, "sha": STR})}})},
    "computed_at": NSTR, "partial": {"type": "boolean"},
})
SCHEMAS: dict[str, Any] = {"Contribution": CONTRIBUTION, "ContributionCreate": CREATE, "Hotspots": HOTSPOTS}


def paths(op, q, body, listing, page, id_schema, slug, fork_id) -> dict[str, Any]:
    """Built with openapi.py's helpers (passed in, so that neither module imports the other)."""
    cid = {"name": "contribution_id", "in": "path", "required": True, "example": 1, "schema": id_schema}
    note = body({"type": "object", "properties": {"note": STR}}, required=False)
    tag = "contributions"
    return {
        "/forks/{fork_id}/contributions": {"post": op(
            "Tawarkan commit salinan ke induk (bawaan: semua commit milik daerah yang belum ada di induk)", 201,
            ref("Contribution"), 401, 403, 404, 409, 422, auth=True, params=[fork_id],
            request_body=body(ref("ContributionCreate")), tag=tag)},
        "/apps/{slug}/contributions": {"get": op(
            "Usulan perubahan kode untuk aplikasi, terbaru dahulu", 200, listing("Contribution"), 404, 422,
            params=[slug, q("state", STATE), *page], tag=tag)},
        "/contributions/{contribution_id}": {"get": op("Satu usulan perubahan kode", 200, ref("Contribution"), 404,
                                                       params=[cid], tag=tag)},
        "/contributions/{contribution_id}.patch": {"get": op(
            "Rangkaian patch (mbox dari git format-patch) untuk git am", 200, {"type": "string"}, 404, 409,
            params=[cid], media="application/mbox", tag=tag)},
        "/contributions/{contribution_id}.bundle": {"get": op(
            "Bundle git: riwayat salinan sampai commit terbaru yang ditawarkan, tanpa revisi induk", 200,
            {"type": "string", "format": "binary"}, 404, 409, params=[cid], media="application/octet-stream",
            tag=tag)},
        "/contributions/{contribution_id}/accept": {"post": op(
            "Terima (penerbit aplikasi); tertutup sebagai merged saat induk memuatnya", 200, ref("Contribution"),
            401, 403, 404, 409, 422, auth=True, params=[cid], request_body=note, tag=tag)},
        "/contributions/{contribution_id}/decline": {"post": op(
            "Tolak dengan catatan (penerbit aplikasi)", 200, ref("Contribution"), 401, 403, 404, 409, 422,
            auth=True, params=[cid], request_body=note, tag=tag)},
        "/contributions/{contribution_id}/merge": {"post": op(
            "Gabungkan usulan yang diterima ke induk yang di-host katalog (409 dengan `conflicts` bila bentrok)",
            200, {"allOf": [ref("Contribution"), obj({"outcome": STR})]}, 401, 403, 404, 409, auth=True,
            params=[cid], tag=tag)},
        "/apps/{slug}/hotspots": {"get": op(
            "Perubahan yang sama di banyak salinan: berkas yang paling sering diubah, commit dengan patch-id sama",
            200, ref("Hotspots"), 404, params=[slug], tag=tag)},
    }
