"""Alembic: one head, upgrade from an empty database, and the result matches the models."""
from __future__ import annotations

import os
import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
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
            conn.execute(text("DROP TABLE IF EXISTS index_outbox"))  # before 20261207_01: not in the models
        yield app
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
            conn.execute(text("DROP TABLE IF EXISTS index_outbox"))  # before 20261207_01: not in the models
        db.engine.dispose()


@pytest.mark.filterwarnings("ignore:.*expression-based index:UserWarning",
                            "ignore:.*expression-based index:sqlalchemy.exc.SAWarning")
def test_upgrade_from_empty_matches_models(empty_app):
    upgrade(directory=str(ROOT / "migrations"))
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        # SQLite's reflection skips the index on lower(name): its definition is read instead.
        postgresql = db.engine.dialect.name == "postgresql"
        definitions = dict(conn.execute(text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'app'" if postgresql
            else "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'app' AND type = 'index'")).all())
    assert diff == []
    assert re.search(r"\(category, lower\(\(?name", definitions["ix_app_category_name"].replace('"', ""))
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


def test_token_scopes_migration_keeps_old_tokens_working_and_makes_them_expire(empty_app):
    """20261206_04: tokens made before scopes keep all three (they could do everything) and get
    an expiry: 90 days from the migration when they had none, at most 365 days, earlier kept."""
    from datetime import UTC, datetime, timedelta

    import sqlalchemy as sa

    from catalog.models import AccessToken

    upgrade(directory=str(ROOT / "migrations"), revision="20261206_03")
    now = datetime.now(UTC)
    stamp = sa.DateTime(timezone=True)
    org = sa.table("organization", *(sa.column(c) for c in ("id", "code", "slug", "name", "kind")))
    person = sa.table("user_account", sa.column("id"), sa.column("email"), sa.column("name"),
                      sa.column("organization_id"), sa.column("role"), sa.column("password_hash"),
                      sa.column("active"), sa.column("session_version"), sa.column("created_at", stamp))
    token = sa.table("access_token", sa.column("id"), sa.column("user_id"), sa.column("label"),
                     sa.column("prefix"), sa.column("token_hash"), sa.column("created_at", stamp),
                     sa.column("expires_at", stamp))
    with db.engine.begin() as conn:
        conn.execute(org.insert().values(id=1, code="21", slug="kepri", name="Kepri", kind="province"))
        conn.execute(person.insert().values(id=1, email="a@uji.go.id", name="A", organization_id=1, role="adopter",
                                            password_hash="x", active=True, session_version=1, created_at=now))
        for n, expires in ((1, None), (2, now + timedelta(days=10)), (3, now + timedelta(days=1000))):
            conn.execute(token.insert().values(id=n, user_id=1, label=f"t{n}", prefix=f"kbp_{n}",
                                               token_hash=str(n) * 64, created_at=now, expires_at=expires))
    upgrade(directory=str(ROOT / "migrations"), revision="20261206_04")
    from sqlalchemy.orm import lazyload
    # Only the token's own columns: the owner's row has columns of later revisions.
    rows = {t.id: t for t in db.session.execute(db.select(AccessToken).options(lazyload("*"))).scalars()}
    assert {t.scopes for t in rows.values()} == {"git,read,write"}
    assert all(t.allows("git") and t.allows("read") and t.allows("write") for t in rows.values())
    day = timedelta(days=1)
    assert abs(rows[1].expires_at - (now + timedelta(days=90))) < day
    assert abs(rows[2].expires_at - (now + timedelta(days=10))) < timedelta(seconds=1)
    assert abs(rows[3].expires_at - (now + timedelta(days=365))) < day
    db.session.rollback()
    with db.engine.connect() as conn:  # no default left behind: a new row must name its scopes
        assert not [c for c in inspect(conn).get_columns("access_token")
                    if c["name"] == "scopes" and c.get("default")]


def test_local_repo_url_migration_keeps_folders_and_drops_loopback(empty_app):
    """20261206_05: folder paths (only an admin could ever save one) stay fetchable; a loopback
    address may have come from a publisher, so it waits for an admin to save it again."""
    import sqlalchemy as sa

    upgrade(directory=str(ROOT / "migrations"), revision="20261206_04")
    org = sa.table("organization", *(sa.column(c) for c in ("id", "code", "slug", "name", "kind")))
    app_table = sa.Table("app", sa.MetaData(), autoload_with=db.engine)
    filler = {sa.String: "x", sa.Text: "", sa.Integer: 1, sa.Boolean: False, sa.JSON: [], sa.Date: None}
    required = {c.name: next((v for t, v in filler.items() if isinstance(c.type, t)), "x")
                for c in app_table.columns if not c.nullable and c.server_default is None}
    with db.engine.begin() as conn:
        conn.execute(org.insert().values(id=1, code="21", slug="kepri", name="Kepri", kind="province"))
        for n, url in enumerate(("/srv/repos/simanja.git", "file:///srv/repos/siap.git",
                                 "https://127.0.0.1:5443/x.git", "https://git.pemda.go.id/y.git"), 1):
            conn.execute(app_table.insert().values({**required, "id": n, "slug": f"a{n}", "publisher_id": 1,
                                                    "repo_url": url, "created_at": sa.func.now(),
                                                    "updated_at": sa.func.now()}))
    upgrade(directory=str(ROOT / "migrations"), revision="20261206_05")
    with db.engine.connect() as conn:
        rows = dict(conn.execute(sa.text("SELECT slug, local_repo_url FROM app")).tuples().all())
    assert rows == {"a1": "/srv/repos/simanja.git", "a2": "file:///srv/repos/siap.git", "a3": "", "a4": ""}


def test_index_change_log_migration_keeps_the_queue_and_goes_back(empty_app):
    """20261207_01: the outbox's rows become the change log with the same ids, and the next id
    follows them (a PostgreSQL sequence set past the copied ids); the downgrade keeps them too."""
    import sqlalchemy as sa

    upgrade(directory=str(ROOT / "migrations"), revision="20261206_12")
    with db.engine.begin() as conn:
        for n in (3, 7):
            conn.execute(sa.text("INSERT INTO index_outbox (id, app_id, queued_at) "
                                 "VALUES (:id, :app, CURRENT_TIMESTAMP)"), {"id": n, "app": n * 10})
    upgrade(directory=str(ROOT / "migrations"), revision="20261207_01")
    with db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO index_change (app_id, queued_at) VALUES (99, CURRENT_TIMESTAMP)"))
        rows = conn.execute(sa.text("SELECT id, app_id FROM index_change ORDER BY id")).tuples().all()
        assert rows == [(3, 30), (7, 70), (8, 99)]
        # ids below the oldest row were applied and deleted by the single worker: the log starts at 3
        assert conn.execute(sa.text("SELECT through_id FROM index_change_pruned WHERE id = 1")).scalar() == 2
        conn.execute(sa.text("DELETE FROM index_change WHERE id = 8"))  # pruned at the top
        conn.execute(sa.text("INSERT INTO index_change (app_id, queued_at) VALUES (5, CURRENT_TIMESTAMP)"))
        assert conn.execute(sa.text("SELECT max(id) FROM index_change")).scalar() == 9  # never 8 again
    downgrade(directory=str(ROOT / "migrations"), revision="20261206_12")
    with db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO index_outbox (app_id, queued_at) VALUES (1, CURRENT_TIMESTAMP)"))
        ids = conn.execute(sa.text("SELECT id FROM index_outbox ORDER BY id")).scalars().all()
    assert ids == [3, 7, 9, 10]
    assert not {"index_change", "index_node", "index_change_pruned"} & set(inspect(db.engine).get_table_names())
