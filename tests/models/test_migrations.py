"""Alembic: one head, upgrade from an empty database, and the result matches the models."""
from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from catalog import ROOT, create_app
from catalog.extensions import db


def test_single_head():
    script = ScriptDirectory(str(ROOT / "migrations"))
    assert len(script.get_heads()) == 1


@pytest.fixture
def empty_app(tmp_path):
    url = os.environ.get("CATALOG_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    app = create_app({"DATA_DIR": str(tmp_path), "SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        yield app
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.engine.dispose()


def test_upgrade_from_empty_matches_models(empty_app):
    upgrade(directory=str(ROOT / "migrations"))
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []
    tables = set(inspect(db.engine).get_table_names())
    assert {"organization", "user_account", "app", "audit_event", "access_token"} <= tables


def test_migrated_audit_table_is_append_only(empty_app):
    upgrade(directory=str(ROOT / "migrations"))
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO audit_event "
                          "(seq, at, actor, action, object_type, object_id, data, prev_hash, hash) "
                          "VALUES (1, CURRENT_TIMESTAMP, 'system', 'x', 'y', '1', '{}', 'a', 'b')"))
    for stmt in ("UPDATE audit_event SET action = 'z'", "DELETE FROM audit_event"):
        with pytest.raises(Exception, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(text(stmt))
