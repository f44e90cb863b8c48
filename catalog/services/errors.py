"""Domain errors raised by services; only the web layer turns them into HTTP responses."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ServiceError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str = "", fields: Mapping[str, str] | None = None,
                 extra: Mapping[str, Any] | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.fields = {k: str(v) for k, v in (fields or {}).items()}
        self.extra = dict(extra or {})  # more machine-readable detail, e.g. conflicting paths


class NotFound(ServiceError):
    code, status = "not_found", 404


class PermissionDenied(ServiceError):
    code, status = "forbidden", 403


class Unauthenticated(ServiceError):
    code, status = "unauthenticated", 401


class ValidationFailed(ServiceError):
    code, status = "invalid", 422


class Conflict(ServiceError):
    code, status = "conflict", 409


def require(allowed: bool, message: str = "") -> None:
    """Raise PermissionDenied unless allowed; the single way services enforce a can_* rule."""
    if not allowed:
        from flask_babel import gettext as _

        raise PermissionDenied(message or _("Anda tidak memiliki izin untuk tindakan ini."))
