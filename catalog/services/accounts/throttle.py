"""Slow down password guessing: per account and per address, shared by all worker processes."""
from __future__ import annotations

import hashlib
from datetime import timedelta

from flask_babel import gettext as _

from ...extensions import db
from ...models import LoginThrottle
from ...models.types import utcnow
from ..errors import ServiceError
from ..tx import write

WINDOW = timedelta(minutes=15)
LIMITS = {"account": 5, "ip": 50}


class TooManyAttempts(ServiceError):
    code, status = "too_many_requests", 429


def _key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value.strip().lower()}".encode()).hexdigest()


def _keys(email: str, address: str) -> dict[str, str]:
    return {"account": _key("account", email), "ip": _key("ip", address or "-")}


def check(email: str, address: str) -> None:
    """Raise TooManyAttempts while either counter is over its limit in the current window."""
    now = utcnow()
    for kind, key in _keys(email, address).items():
        row = db.session.get(LoginThrottle, key)
        if row and now - row.window_start < WINDOW and row.failures >= LIMITS[kind]:
            minutes = int((row.window_start + WINDOW - now).total_seconds() // 60) + 1
            raise TooManyAttempts(_("Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam %(minutes)s menit.",
                                    minutes=minutes))


def record_failure(email: str, address: str) -> None:
    with write():
        now = utcnow()
        for key in _keys(email, address).values():
            row = db.session.get(LoginThrottle, key)
            if row is None:
                db.session.add(LoginThrottle(key=key, window_start=now, failures=1))
            elif now - row.window_start >= WINDOW:
                row.window_start, row.failures = now, 1
            else:
                row.failures += 1


def record_success(email: str) -> None:
    """A correct password clears the account's counter (not the address's)."""
    with write():
        row = db.session.get(LoginThrottle, _key("account", email))
        if row is not None:
            db.session.delete(row)
