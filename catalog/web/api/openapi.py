"""GET /api/v1/openapi.json: the OpenAPI 3.1 description of every /api/v1 route."""
from __future__ import annotations

from typing import Any

from flask import request

from ...services.catalog import browse
from ...services.oversight import tables as report_tables
from ...vocab import apps as vocab
from ...vocab import deployments as dv
from . import openapi_accounts, openapi_contributions, openapi_heartbeat
from .blueprint import bp
from .openapi_schemas import INT, SCHEMAS, STR, STRS, ref

JSON = "application/json"
ERRORS = {400: "Permintaan tidak dapat diproses.", 401: "Token tidak ada, tidak valid atau dicabut.",
          403: "Tidak diizinkan.", 404: "Tidak ditemukan.", 409: "Bertentangan dengan keadaan data.",
          413: "Terlalu besar.", 422: "Data tidak valid; `fields` menyebut masalah per isian."}
SLUG = {"name": "slug", "in": "path", "required": True, "example": "simanja",
        "schema": {"type": "string", "maxLength": 64}}
ID = {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}  # unknown ids answer 404
FORK_ID = {"name": "fork_id", "in": "path", "required": True, "example": 1, "schema": ID}
PROPOSAL_ID = {"name": "proposal_id", "in": "path", "required": True, "example": 1, "schema": ID}
DEPLOYMENT_ID = {"name": "deployment_id", "in": "path", "required": True, "example": 1, "schema": ID}
PAGE = [{"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000000}},
        {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}}]


def q(name: str, schema: dict[str, Any] | None = None, description: str = "") -> dict[str, Any]:
    out = {"name": name, "in": "query", "schema": schema or STR}
    return {**out, "description": description} if description else out


def body(schema: dict[str, Any], required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {JSON: {"schema": schema}}}


def op(summary: str, ok: int, schema: dict[str, Any] | None, *errors: int, params: list | None = None,
       request_body: dict | None = None, auth: bool = False, media: str = JSON, tag: str = "") -> dict[str, Any]:
    """One operation: its success response, the error responses it can give, and its inputs."""
    responses: dict[str, Any] = {str(ok): {"description": "Berhasil",
                                           "content": {media: {"schema": schema or {}}}}}
    for code in sorted(set(errors) | ({401} if auth else set())):
        responses[str(code)] = {"description": ERRORS[code], "content": {JSON: {"schema": ref("Error")}}}
    out: dict[str, Any] = {"summary": summary, "responses": responses, "tags": [tag] if tag else []}
    if params:
        out["parameters"] = params
    if request_body:
        out["requestBody"] = request_body
    out["security"] = [{"bearerAuth": []}] if auth else [{}, {"bearerAuth": []}]
    return out


def listing(name: str) -> dict[str, Any]:
    return {"type": "object", "required": ["items", "total", "page", "per_page"],
            "properties": {"items": {"type": "array", "items": ref(name)}, "total": INT, "page": INT,
                           "per_page": INT}}


TEXT = {"type": "string"}
# With q: "partial" is true when no app holds every word (the items hold most of them); when only
# a few hold every word, "closest" adds on page 1 the nearest ones holding some.
SEARCH_LISTING = {**listing("AppSummary"), "properties": {
    **listing("AppSummary")["properties"], "partial": {"type": "boolean"},
    "closest": {"type": "array", "items": ref("AppSummary")}}}
NOTE = body({"type": "object", "properties": {"note": STR}}, required=False)
APP_WRITE = (401, 403, 404, 409, 422)
STRENGTH = q("strength", {"enum": ["observed", "confirmed", "declared"]},
             "Hanya pemakaian dengan kekuatan bukti ini (declared: tidak dikonfirmasi dan tidak terpantau)")


def paths() -> dict[str, Any]:
    return {
        "/organizations": {"get": op("Organisasi (provinsi, kab/kota, instansi)", 200, listing("Organization"),
                                     404, 422, params=[q("kind", {"enum": ["province", "regency", "city", "agency"]}),
                                             q("parent"), q("q"), *PAGE], tag="organizations")},
        "/organizations/{code}": {"get": op(
            "Satu organisasi: yang diterbitkan, dipakai, disalin; kab/kota untuk provinsi", 200,
            ref("OrganizationProfile"), 404, 422, tag="organizations",
            params=[{"name": "code", "in": "path", "required": True, "example": "21",
                     "schema": {"type": "string", "maxLength": 32}},
                    q("forks_page", {"type": "integer", "minimum": 1, "maximum": 1000000})])},
        "/apps": {
            "get": op("Katalog: cari dan saring aplikasi terbit", 200, SEARCH_LISTING, 422,
                      params=[q("q"), *[q(k) for k in browse.FILTER_KEYS if k != "status"],
                              q("status", {"enum": list(vocab.DEVELOPMENT_STATUSES)}),
                              q("sort", {"enum": ["vitality"]}, "vitality: paling hidup dulu (docs/vitality.md)"),
                              q("min_vitality", {"type": "integer", "minimum": 0, "maximum": 100},
                                "Hanya aplikasi dengan indeks vitalitas setidaknya ini"), *PAGE], tag="apps"),
            "post": op("Daftarkan aplikasi (draf)", 201, ref("App"), *APP_WRITE, auth=True,
                       request_body=body(ref("AppCreate")), tag="apps")},
        "/apps/import": {"post": op("Daftarkan aplikasi dari publiccode.yml", 201, ref("ImportedApp"), *APP_WRITE,
                                    auth=True, request_body=body(ref("Import")), tag="apps")},
        "/apps/{slug}": {
            "get": op("Satu aplikasi", 200, ref("App"), 401, 404, params=[SLUG], tag="apps"),
            "patch": op("Ubah isian aplikasi", 200, ref("App"), *APP_WRITE, params=[SLUG], auth=True,
                        request_body=body(ref("AppPatch")), tag="apps")},
        "/apps/{slug}/submit": {"post": op("Ajukan untuk verifikasi", 200, ref("App"), 401, 403, 404, 409,
                                           params=[SLUG], auth=True, tag="apps")},
        "/apps/{slug}/publish": {"post": op("Terbitkan (admin)", 200, ref("App"), 401, 403, 404, 409,
                                            params=[SLUG], auth=True, request_body=NOTE, tag="apps")},
        "/apps/{slug}/return": {"post": op("Kembalikan ke penerbit dengan catatan (admin)", 200, ref("App"),
                                           *APP_WRITE, params=[SLUG], auth=True,
                                           request_body=body({"type": "object", "required": ["note"],
                                                              "properties": {"note": STR}}), tag="apps")},
        "/apps/{slug}/refresh": {"post": op("Ambil ulang mirror induk sekarang", 202, ref("App"), 401, 403, 404, 409,
                                            params=[SLUG], auth=True, tag="repositories")},
        "/apps/{slug}/publiccode.yml": {"get": op("Entri sebagai publiccode.yml", 200, TEXT, 401, 404, 422,
                                                  params=[SLUG], media="text/yaml", tag="publiccode")},
        "/apps/{slug}/forks": {
            "get": op("Salinan daerah dari aplikasi", 200, listing("Fork"), 404, 422, params=[SLUG, *PAGE],
                      tag="repositories"),
            "post": op("Salin ke daerah", 201, ref("Fork"), *APP_WRITE, params=[SLUG], auth=True,
                       request_body=body({"type": "object", "properties": {"org": STR, "name": STR}},
                                         required=False), tag="repositories")},
        "/forks/{fork_id}": {"get": op("Satu salinan dengan selisihnya dari induk", 200, ref("Fork"), 404,
                                       params=[FORK_ID], tag="repositories")},
        "/forks/{fork_id}/refresh": {"post": op("Hitung ulang selisih", 200, ref("Fork"), 401, 403, 404,
                                                params=[FORK_ID], auth=True, tag="repositories")},
        "/forks/{fork_id}/sync": {"post": op("Ambil pembaruan induk (409 dengan `conflicts`)", 200, ref("ForkSync"),
                                             401, 403, 404, 409, params=[FORK_ID], auth=True, tag="repositories")},
        "/forks/{fork_id}/publiccode.yml": {"get": op("Salinan sebagai varian publiccode.yml (isBasedOn induk)", 200,
                                                      TEXT, 404, 422, params=[FORK_ID], media="text/yaml",
                                                      tag="publiccode")},
        "/deployments": {
            "get": op("Pemakaian aplikasi", 200, listing("Deployment"), 401, 404, 422,
                      params=[q("org"), q("app"), q("status", {"enum": list(dv.STATUSES)}), q("province"), STRENGTH,
                              *PAGE],
                      tag="deployments"),
            "post": op("Catat pemakaian", 201, ref("Deployment"), *APP_WRITE, auth=True,
                       request_body=body(ref("DeploymentCreate")), tag="deployments")},
        "/deployments/{deployment_id}": {
            "get": op("Satu pemakaian dengan riwayatnya", 200, ref("Deployment"), 401, 404,
                      params=[DEPLOYMENT_ID], tag="deployments"),
            "patch": op("Ubah data pemakaian", 200, ref("Deployment"), *APP_WRITE, params=[DEPLOYMENT_ID],
                        auth=True, request_body=body(ref("DeploymentPatch")), tag="deployments")},
        "/deployments/{deployment_id}/status": {"post": op(
            "Ubah status (409 bila siklus melarang)", 200, ref("Deployment"), *APP_WRITE, params=[DEPLOYMENT_ID],
            auth=True, request_body=body({"type": "object", "required": ["status"], "properties": {
                "status": {"enum": list(dv.STATUSES)}, "note": STR}}), tag="deployments")},
        "/deployments/{deployment_id}/confirm": {"post": op(
            "Konfirmasi pemakaian (penerbit atau auditor)", 200, ref("Deployment"), *APP_WRITE,
            params=[DEPLOYMENT_ID], auth=True, request_body=NOTE, tag="deployments")},
        "/reports/reuse": {"get": op("Laporan pemakaian ulang (auditor, admin)", 200, {
            "type": "object", "required": ["scope", "statuses", "apps", "regions"], "properties": {
                "scope": {"type": "object"}, "statuses": {"type": "array"}, "apps": {"type": "array"},
                "regions": {"type": "array"}}}, 401, 403, 404, 422, params=[q("province"), STRENGTH], auth=True,
            tag="reports")},
        "/reports/tables/{key}": {"get": op("Satu tabel laporan", 200, {
            "type": "object", "required": ["key", "columns", "rows"], "properties": {
                "key": STR, "columns": {"type": "array", "items": STR},
                "rows": {"type": "array", "items": {"type": "array", "items": STR}}}}, 401, 403, 404, 422,
            params=[{"name": "key", "in": "path", "required": True, "example": "apps",
                     "schema": {"type": "string", "enum": list(report_tables.TABLES)}}, q("province"), STRENGTH],
            auth=True, tag="reports")},
        "/audit/events": {"get": op("Peristiwa audit berantai hash", 200, {
            "type": "object", "required": ["items", "next_after"], "properties": {
                "items": {"type": "array", "items": ref("AuditEvent")}, "next_after": INT}}, 422,
            params=[q("after", {"type": "integer", "minimum": 0}),
                    q("limit", {"type": "integer", "minimum": 1, "maximum": 1000})], tag="audit")},
        "/audit/checkpoint": {"get": op("Checkpoint ujung rantai audit (409 bila kosong atau rusak)", 200, {
            "type": "object", "required": ["seq", "hash", "at", "generated_at", "catalog_url", "checksum"]},
            409, tag="audit")},
        "/export/apps.json": {"get": op("Seluruh katalog terbit (JSON)", 200, {
            "type": "object", "required": ["items", "total", "page", "per_page", "generated_at"], "properties": {
                "items": {"type": "array", "items": ref("CatalogItem")}, "total": INT, "page": INT,
                "per_page": INT, "generated_at": STR}}, tag="exports")},
        "/export/apps.csv": {"get": op("Seluruh katalog terbit (CSV, UTF-8, baris judul)", 200, TEXT,
                                       media="text/csv", tag="exports")},
        "/notifications": {"get": op("Pemberitahuan pemilik token (`unread=1`: yang belum dibaca)", 200, {
            **listing("Notification"), "required": ["items", "total", "page", "per_page", "unread"],
            "properties": {**listing("Notification")["properties"], "unread": INT}}, 422, auth=True,
            params=[q("unread", {"enum": ["0", "1", "true", "false"]}), *PAGE], tag="notifications")},
        "/notifications/read": {"post": op("Tandai sudah dibaca: semua, atau `ids`", 200, {
            "type": "object", "required": ["marked"], "properties": {"marked": INT}}, 422, auth=True,
            request_body=body({"type": "object", "properties": {"ids": {"type": "array", "items": INT}}},
                              required=False), tag="notifications")},
        "/notifications/{notification_id}/read": {"post": op(
            "Tandai satu pemberitahuan sudah dibaca", 200, ref("Notification"), 404, auth=True,
            params=[{**FORK_ID, "name": "notification_id"}], tag="notifications")},
        "/apps/{slug}/proposals": {"get": op("Usulan perubahan dari publiccode.yml (penerbit)", 200,
                                             listing("Proposal"), 403, 404, 422, params=[SLUG, *PAGE],
                                             auth=True, tag="publiccode")},
        "/proposals/{proposal_id}": {"get": op("Satu usulan perubahan", 200, ref("Proposal"), 404, auth=True,
                                               params=[PROPOSAL_ID], tag="publiccode")},
        "/proposals/{proposal_id}/accept": {"post": op(
            "Terapkan usulan (`fields`: isian yang dipilih, semua bila kosong)", 200, ref("Proposal"),
            404, 409, 422, auth=True, params=[PROPOSAL_ID], tag="publiccode",
            request_body=body({"type": "object", "properties": {"fields": STRS}}, required=False))},
        "/proposals/{proposal_id}/reject": {"post": op("Tolak usulan; entri tetap", 200, ref("Proposal"),
                                                       404, 409, 422, auth=True, params=[PROPOSAL_ID],
                                                       tag="publiccode", request_body=NOTE)},
        "/openapi.json": {"get": op("Dokumen ini", 200, {"type": "object"}, tag="meta")},
        **openapi_accounts.paths(op, q, body, listing, PAGE, ID),
        **openapi_heartbeat.paths(op, body, DEPLOYMENT_ID, SLUG),
        **openapi_contributions.paths(op, q, body, listing, PAGE, ID, SLUG, FORK_ID),
    }


def document(server_url: str = "/api/v1") -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Katalog Bagi-Pakai API", "version": "1.0.0",
                 "description": "Katalog aplikasi bagi-pakai SPBE. Bacaan data terbit tanpa login; penulisan dengan "
                                "`Authorization: Bearer <token akses pribadi>`. Galat 4xx: `{error, message, fields}`; "
                                "daftar: `{items, total, page, per_page}`."},
        "servers": [{"url": server_url}],
        "paths": paths(),
        "components": {"schemas": {**SCHEMAS, **openapi_accounts.SCHEMAS, **openapi_contributions.SCHEMAS},
                       "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer",
                           "description": "Token akses pribadi (kbp_...) dari halaman Token akses."}}},
    }


@bp.get("/openapi.json")
def api_openapi():
    return document(request.script_root + "/api/v1")
