"""20261206_07 on a database with accounts in it: they keep working, with no last sign-in yet,
and the revision goes down again cleanly."""
from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from catalog import ROOT, create_app
from catalog.extensions import db

MIGRATIONS = str(ROOT / "migrations")


@pytest.fixture
def empty_app(tmp_path):
    url = os.environ.get("CATALOG_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    application = create_app({"DATA_DIR": str(tmp_path), "SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with application.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
            conn.execute(sa.text("DROP TABLE IF EXISTS index_outbox"))  # left by a run stopped mid-way
        yield application
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS account_link"))
            conn.execute(sa.text("DROP TABLE IF EXISTS index_outbox"))  # before 20261207_01: not in the models
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.engine.dispose()


def test_existing_accounts_upgrade_and_downgrade(empty_app):
    upgrade(directory=MIGRATIONS, revision="20261206_06")
    org = sa.table("organization", *(sa.column(c) for c in ("id", "code", "slug", "name", "kind")))
    person = sa.table("user_account", *(sa.column(c) for c in (
        "id", "email", "name", "organization_id", "role", "password_hash", "active", "session_version")),
        sa.column("created_at", sa.DateTime(timezone=True)))
    with db.engine.begin() as conn:
        conn.execute(org.insert().values(id=1, code="21.01", slug="bintan", name="Bintan", kind="regency"))
        conn.execute(person.insert().values(id=1, email="a@bintankab.go.id", name="A", organization_id=1,
                                            role="adopter", password_hash="x", active=True, session_version=1,
                                            created_at=datetime.now(UTC)))
    upgrade(directory=MIGRATIONS, revision="20261206_07")
    with db.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT email, last_login_at FROM user_account")).one()
        assert tuple(row) == ("a@bintankab.go.id", None)
        assert conn.execute(sa.text("SELECT COUNT(*) FROM account_link")).scalar_one() == 0
    downgrade(directory=MIGRATIONS, revision="20261206_06")
    columns = {c["name"] for c in sa.inspect(db.engine).get_columns("user_account")}
    assert "last_login_at" not in columns and "account_link" not in sa.inspect(db.engine).get_table_names()
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT email FROM user_account")).scalar_one() == "a@bintankab.go.id"
