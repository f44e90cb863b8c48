"""Map domain errors and HTTP errors to HTML pages or JSON, by where the request went."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from ..extensions import db
from ..services.errors import ServiceError
from .i18n import translate

log = logging.getLogger(__name__)

HTTP_MESSAGES = {
    400: _l("Permintaan tidak dapat diproses."),
    401: _l("Silakan masuk terlebih dahulu."),
    403: _l("Anda tidak memiliki izin untuk membuka halaman ini."),
    404: _l("Halaman tidak ditemukan."),
    405: _l("Metode tidak diizinkan untuk alamat ini."),
    409: _l("Permintaan bertentangan dengan keadaan data saat ini."),
    413: _l("Data yang dikirim terlalu besar."),
    422: _l("Data tidak valid."),
    429: _l("Terlalu banyak percobaan. Coba lagi beberapa saat lagi."),
    500: _l("Terjadi kesalahan di server. Tim kami sudah dicatat; silakan coba lagi."),
}
HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "invalid",
              429: "too_many_requests", 500: "server_error"}


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/git/"))


def error_response(status: int, code: str, message, fields: dict | None = None,
                   extra: dict | None = None):
    # Messages made in a request are already in its language; text made elsewhere (git layer,
    # search, a job) is Indonesian and is looked up in the catalog here.
    message = translate(message)
    fields = {k: translate(v) for k, v in (fields or {}).items()}
    if wants_json():
        body = {**(extra or {}), "error": code, "message": message, "fields": fields or {}}
        return jsonify(body), status
    return render_template("errors/error.html", status=status, message=message, fields=fields or {}), status


def register(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError):
        return error_response(exc.status, exc.code, exc.message, exc.fields, exc.extra)

    @app.errorhandler(DataError)
    def _data_error(exc: DataError):
        """Input the database itself refuses (e.g. NUL bytes on PostgreSQL), never a 500: a lookup
        finds nothing (404), a write is invalid (422)."""
        db.session.rollback()
        log.info("database refused input on %s %s: %s", request.method, request.path, exc.orig)
        if request.method in ("GET", "HEAD"):
            return error_response(404, "not_found", str(_l("Data berisi karakter yang tidak diizinkan.")))
        return error_response(422, "invalid", str(_l("Data berisi karakter yang tidak diizinkan.")))

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        return error_response(400, "csrf",
                              _l("Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi."))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        return error_response(status, HTTP_CODES.get(status, "error"), HTTP_MESSAGES.get(status, exc.name))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "server_error", HTTP_MESSAGES[500])
