"""Slow down password guessing without letting anyone lock a colleague out.

Two counters, shared by all worker processes through the database:

- per (account, address) pair: after `PAIR_LIMIT` failures in `WINDOW` that address may not try
  that account until the window ends. Failures from elsewhere never count: a stranger cannot lock
  the owner out, and the owner's correct password is never refused because others failed on it;
- per address: after `ADDRESS_LIMIT` failures in `WINDOW` (made-up e-mails included) the address
  waits `ADDRESS_DELAY` after each further failure: a slow-down, not a lockout, so that an office
  behind one NAT address keeps working.

There is deliberately no account-wide lock (GitLab's locks let anyone deny service to a known
e-mail). The address is `request.remote_addr`, which is the client's only when
`CATALOG_TRUSTED_PROXIES` matches the proxies in front (README, "Reverse proxy").
"""
from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import case, literal
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ...extensions import db
from ...models import LoginThrottle
from ...models.types import UTCDateTime, utcnow
from ..errors import ServiceError
from ..tx import write

WINDOW = timedelta(minutes=15)
PAIR_LIMIT = 5
ADDRESS_LIMIT = 50
ADDRESS_DELAY = timedelta(seconds=5)


class TooManyAttempts(ServiceError):
    code, status = "too_many_requests", 429


def _key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def _pair_key(email: str, address: str) -> str:
    return _key("pair", f"{email.strip().lower()}|{address or '-'}")


def _address_key(address: str) -> str:
    return _key("ip", address or "-")


def _live(row: LoginThrottle | None, now: datetime) -> bool:
    return row is not None and now - row.window_start < WINDOW


def check(email: str, address: str) -> None:
    """Raise TooManyAttempts when this address has failed too often on this account, or must
    wait a few seconds after its last failure. Failures from other addresses never refuse."""
    now = utcnow()
    pair = db.session.get(LoginThrottle, _pair_key(email, address))
    if _live(pair, now) and pair.failures >= PAIR_LIMIT:
        minutes = int((pair.window_start + WINDOW - now).total_seconds() // 60) + 1
        raise TooManyAttempts(ngettext("Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam %(num)s menit.",
                                       "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam %(num)s menit.",
                                       minutes))
    addr = db.session.get(LoginThrottle, _address_key(address))
    if _live(addr, now) and addr.failures >= ADDRESS_LIMIT and addr.last_failure_at is not None:
        wait = (addr.last_failure_at + ADDRESS_DELAY - now).total_seconds()
        if wait > 0:
            raise TooManyAttempts(_("Terlalu banyak percobaan masuk dari alamat ini. Tunggu %(seconds)s detik, "
                                    "lalu coba lagi.", seconds=math.ceil(wait)))


def _bump(key: str, now: datetime) -> None:
    """Count one failure in one statement (an upsert): two processes failing at once, or a
    success deleting the row meanwhile, can neither collide on the insert nor update a lost row."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    expired = LoginThrottle.window_start <= now - WINDOW
    at = literal(now, UTCDateTime())
    stmt = insert(LoginThrottle).values(key=key, window_start=now, failures=1, last_failure_at=now)
    stmt = stmt.on_conflict_do_update(index_elements=[LoginThrottle.key], set_={
        "window_start": case((expired, at), else_=LoginThrottle.window_start),
        "failures": case((expired, 1), else_=LoginThrottle.failures + 1),
        "last_failure_at": at,
    })
    db.session.execute(stmt)


def record_failure(email: str, address: str) -> None:
    with write():
        now = utcnow()
        _bump(_pair_key(email, address), now)
        _bump(_address_key(address), now)
        # Old counters go: made-up e-mails would otherwise fill the table.
        db.session.execute(db.delete(LoginThrottle).where(LoginThrottle.window_start < now - 2 * WINDOW))


def record_success(email: str, address: str) -> None:
    """A correct password clears this address's counter for this account (not the address's own)."""
    with write():
        db.session.execute(db.delete(LoginThrottle).where(LoginThrottle.key == _pair_key(email, address)))
