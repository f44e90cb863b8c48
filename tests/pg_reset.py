"""A fresh catalog schema per test on PostgreSQL without rebuilding it every time.

Dropping and creating every table, then seeding the 552 regions, cost about 1.5 s per test on
PostgreSQL (DDL and a flushed file per table and index), most of why the PostgreSQL pass took
1.6x the SQLite one. Instead the worker's database is built once; before each test its rows are
deleted (the seeded organizations kept) and its sequences set back, which leaves what a rebuild
leaves. A test that changed the schema itself, or a seeded organization (migration tests, a
renamed region), is noticed by a fingerprint of the catalog tables and gets a real rebuild.
"""
from __future__ import annotations

import io

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from catalog.extensions import db

# Names, columns, constraints, indexes, triggers and functions of the public schema, as one hash.
SCHEMA_FINGERPRINT = text("""
SELECT md5(coalesce(string_agg(part, '|' ORDER BY part), '')) FROM (
  SELECT c.relname || ':' || c.relkind::text AS part FROM pg_class c
   WHERE c.relnamespace = 'public'::regnamespace
  UNION ALL SELECT table_name || '.' || column_name || ':' || data_type || ':' || is_nullable || ':'
         || coalesce(column_default, '') FROM information_schema.columns WHERE table_schema = 'public'
  UNION ALL SELECT conrelid::regclass::text || ':' || conname || ':' || pg_get_constraintdef(oid)
              FROM pg_constraint WHERE connamespace = 'public'::regnamespace
  UNION ALL SELECT tgrelid::regclass::text || ':' || tgname || ':' || tgenabled::text
              FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
             WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace
  UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'
  UNION ALL SELECT p.proname || ':' || md5(p.prosrc) FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
) parts""")
SEEDED_ORGS = text("SELECT md5(coalesce(string_agg(o::text, ',' ORDER BY o.id), '')), coalesce(max(o.id), 0) "
                   "FROM organization o")
SEQUENCES = text("SELECT c.relname FROM pg_class c WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace")
ORG_SEQUENCE = text("SELECT pg_get_serial_sequence('organization', 'id')")


class _Reference:
    """What the worker's database looks like right after a rebuild (one per test process)."""

    schema: str | None = None
    orgs: str | None = None
    last_org_id: int = 0
    org_sequence: str | None = None
    superuser = True  # clearing and restoring turn triggers off, which only a superuser may


def fresh_schema() -> None:
    """Leave the app's database as `drop_all(); create_all(); seed_regions()` would, quickly."""
    if _Reference.schema is None or not _Reference.superuser or not _cleared():
        _rebuild()


def clear_rows() -> None:
    """After a test: no rows of its own left behind for whatever runs next on this database."""
    if _Reference.schema is not None and _Reference.superuser:
        _cleared()


def can_restore() -> bool:
    """Whether snapshots can be put back here (a superuser's connection; see fresh_schema)."""
    return _Reference.superuser


def _cleared() -> bool:
    """Delete every row the seed did not make and reset the sequences; False when the schema or
    the seeded organizations differ from the reference (then only a rebuild gives a fresh one)."""
    db.session.remove()
    with db.engine.connect() as conn:
        if conn.execute(SCHEMA_FINGERPRINT).scalar_one() != _Reference.schema:
            conn.rollback()
            return False
        # Triggers off for this transaction only: the audit trail's append-only guard and the
        # foreign keys' checks (every referencing row goes in the same transaction).
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in reversed(db.metadata.sorted_tables):
            if table.name != "organization":
                conn.execute(table.delete())
        conn.execute(text("DELETE FROM organization WHERE id > :last"), {"last": _Reference.last_org_id})
        if conn.execute(SEEDED_ORGS).first()[0] != _Reference.orgs:
            conn.rollback()
            return False
        sequences = [name for name in conn.execute(SEQUENCES).scalars()
                     if f"public.{name}" != _Reference.org_sequence]
        if sequences:
            conn.execute(text("SELECT " + ", ".join(f"setval('public.\"{name}\"', 1, false)" for name in sequences)))
        if _Reference.org_sequence:
            conn.execute(text("SELECT setval(:seq, :last, true)"),
                         {"seq": _Reference.org_sequence, "last": max(_Reference.last_org_id, 1)})
        conn.commit()
    return True


def _rebuild() -> None:
    """The schema from scratch (everything in `public`, tables the models do not name too), the
    regions seeded, and the reference taken from the result."""
    from seed.regions import seed_regions

    db.session.remove()
    try:
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    except DBAPIError:  # a user who may not drop the schema: the models' tables, as before
        db.drop_all()
    db.create_all()
    seed_regions()
    db.session.commit()
    db.session.remove()
    with db.engine.connect() as conn:
        _Reference.schema = conn.execute(SCHEMA_FINGERPRINT).scalar_one()
        _Reference.orgs, _Reference.last_org_id = conn.execute(SEEDED_ORGS).first()
        _Reference.org_sequence = conn.execute(ORG_SEQUENCE).scalar_one()
        _Reference.superuser = bool(conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))
                                    .scalar())


class Snapshot:
    """Every row of the catalog tables (COPY's own text form, byte for byte) and every sequence's
    position: a world built once per test process is put back with it instead of built again."""

    def __init__(self, tables: dict[str, bytes], sequences: dict[str, tuple[int, bool]]) -> None:
        self.tables, self.sequences = tables, sequences


def snapshot() -> Snapshot:
    db.session.remove()
    tables, sequences = {}, {}
    with db.engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()
        for table in db.metadata.sorted_tables:
            tables[table.name] = _copy_out(cursor, f'COPY "{table.name}" TO STDOUT')
        for name in conn.execute(SEQUENCES).scalars():
            sequences[name] = tuple(conn.execute(text(f'SELECT last_value, is_called FROM public."{name}"')).one())
        conn.rollback()
    return Snapshot(tables, sequences)


def restore(saved: Snapshot) -> None:
    """Over a fresh schema (fresh_schema first): the saved rows and sequence positions."""
    db.session.remove()
    with db.engine.connect() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))  # rows go in whatever the order
        conn.execute(text("DELETE FROM organization"))
        cursor = conn.connection.driver_connection.cursor()
        for name, rows in saved.tables.items():
            _copy_in(cursor, f'COPY "{name}" FROM STDIN', rows)
        for name, (last, called) in saved.sequences.items():
            conn.execute(text("SELECT setval(:seq, :last, :called)"),
                         {"seq": f'public."{name}"', "last": last, "called": called})
        conn.commit()


def _copy_out(cursor, sql: str) -> bytes:
    """COPY … TO STDOUT with either driver the catalog runs on (psycopg2, psycopg 3)."""
    if hasattr(cursor, "copy_expert"):  # psycopg2
        buffer = io.BytesIO()
        cursor.copy_expert(sql, buffer)
        return buffer.getvalue()
    with cursor.copy(sql) as copy:
        return b"".join(bytes(block) for block in copy)


def _copy_in(cursor, sql: str, rows: bytes) -> None:
    if hasattr(cursor, "copy_expert"):  # psycopg2
        cursor.copy_expert(sql, io.BytesIO(rows))
        return
    with cursor.copy(sql) as copy:
        copy.write(rows)
