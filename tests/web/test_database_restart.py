"""After PostgreSQL ends the catalog's pooled connections (a restart, an administrator), the next
requests are answered, not a 500 each: the pool checks a connection before a request uses it
(`pool_pre_ping`, catalog/config.py) and replaces one the server closed."""
from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import create_engine, text

from catalog.extensions import db

pytestmark = pytest.mark.skipif(
    not (os.environ.get("CATALOG_TEST_DATABASE_URL") or "").startswith("postgresql"),
    reason="SQLite's connections are files: nothing ends them")

OTHERS = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"


def _end_every_other_connection() -> int:
    """What a restart does to each backend: terminate it (the server says goodbye and closes
    the socket). Returns how many were ended, once they are all gone."""
    admin = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            ended = conn.execute(text(f"SELECT count(pg_terminate_backend(pid)) {OTHERS}")).scalar_one()
            deadline = time.monotonic() + 10
            while conn.execute(text(f"SELECT count(*) {OTHERS}")).scalar_one() and time.monotonic() < deadline:
                time.sleep(0.05)
        return ended
    finally:
        admin.dispose()


def test_signed_in_pages_and_the_api_are_answered_after_the_connections_ended(client, make_user, login, token_for):
    user = make_user("adopter", "21.72")
    bearer = token_for(user)
    login(user)
    assert client.get("/my/region").status_code == 200
    assert client.get("/api/v1/apps", headers=bearer).status_code == 200

    assert _end_every_other_connection() >= 1  # the pooled connections the requests used

    assert client.get("/my/region").status_code == 200  # still signed in: the loader read the user
    assert client.get("/api/v1/apps", headers=bearer).status_code == 200
