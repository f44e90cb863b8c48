"""Limit "Lupa kata sandi" requests per e-mail address and per client, like sign-in throttling.

Counted in the sign-in counters' table, under keys of their own, with the same 15-minute window:
at most RESET_PER_EMAIL requests for one address (a mailbox cannot be flooded with links) and
RESET_PER_ADDRESS from one client (nobody walks a list of addresses). An unknown e-mail counts
exactly like a known one, so the answer still says nothing about which exist.
"""
from __future__ import annotations

from flask_babel import ngettext

from ...extensions import db
from ...models import LoginThrottle
from ...models.types import utcnow
from ..tx import write
from .throttle import WINDOW, TooManyAttempts, _bump, _key, _live

RESET_PER_EMAIL = 3
RESET_PER_ADDRESS = 20


def count_request(email: str, address: str) -> None:
    """Count one reset request, or raise TooManyAttempts (nothing counted) past a limit. Commits."""
    now = utcnow()
    keys = (_key("reset-mail", email.strip().lower()), _key("reset-ip", address or "-"))
    with write():
        for key, limit in zip(keys, (RESET_PER_EMAIL, RESET_PER_ADDRESS), strict=True):
            row = db.session.get(LoginThrottle, key)
            if _live(row, now) and row.failures >= limit:
                minutes = int((row.window_start + WINDOW - now).total_seconds() // 60) + 1
                raise TooManyAttempts(ngettext(
                    "Terlalu banyak permintaan atur ulang kata sandi. Coba lagi dalam %(num)s menit.",
                    "Terlalu banyak permintaan atur ulang kata sandi. Coba lagi dalam %(num)s menit.", minutes))
        for key in keys:
            _bump(key, now)
