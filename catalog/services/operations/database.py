"""The database part of a backup: a consistent dump taken while the catalog serves writes.

SQLite: the `sqlite3` online backup API copies the whole file in one step, inside one read
transaction, so the copy is the database at one moment whatever writers do meanwhile.
PostgreSQL: `pg_dump --format=custom` in a snapshot exported by a REPEATABLE READ transaction
that also reads the repository rows, so the dump and the list of repositories to copy are the
same moment. The URL reaches pg_dump/pg_restore through PG* environment variables, never their
command line (which `ps` shows to every user of the machine).
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, make_url

from ...extensions import db
from ...models import Fork, Mirror
from .manifest import BackupError

SQLITE_FILE = "database/catalog.sqlite3"
PG_FILE = "database/catalog.pgdump"
PG_TIMEOUT = 6 * 3600


@dataclass(frozen=True)
class RepoRow:
    kind: str  # "mirror" or "fork"
    relpath: str
    app_id: int


@dataclass(frozen=True)
class Dump:
    kind: str  # "sqlite" or "postgresql"
    file: str  # relative to the backup directory
    alembic_revision: str | None
    repositories: list[RepoRow]  # as the dumped database names them


def _url():
    return make_url(current_url())


def current_url() -> str:
    return str(db.engine.url.render_as_string(hide_password=False))


def kind() -> str:
    backend = _url().get_backend_name()
    if backend == "sqlite":
        return "sqlite"
    if backend.startswith("postgresql"):
        return "postgresql"
    raise BackupError(f"backups support SQLite and PostgreSQL, not {backend}")


def _rows(conn: Connection) -> tuple[str | None, list[RepoRow]]:
    revision = None
    if inspect(conn).has_table("alembic_version"):
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    mirrors = [RepoRow("mirror", r.relpath, r.app_id) for r in conn.execute(
        db.select(Mirror.relpath, Mirror.app_id).order_by(Mirror.relpath))]
    forks = [RepoRow("fork", r.relpath, r.app_id) for r in conn.execute(
        db.select(Fork.relpath, Fork.app_id).order_by(Fork.relpath))]
    return revision, mirrors + forks


def dump(root: Path) -> Dump:
    """Write the database into the backup at `root`. Raises BackupError."""
    (root / "database").mkdir(parents=True, exist_ok=True)
    return _dump_sqlite(root) if kind() == "sqlite" else _dump_postgresql(root)


def _sqlite_path() -> Path:
    name = _url().database
    if not name or name == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(name)


def _dump_sqlite(root: Path) -> Dump:
    target = root / SQLITE_FILE
    source = sqlite3.connect(_sqlite_path(), timeout=60)
    dest = sqlite3.connect(target)
    try:
        source.execute("PRAGMA busy_timeout=60000")
        source.backup(dest)  # pages=-1: the whole file in one step, one read transaction
        dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        dest.close()
        source.close()
    engine = create_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as conn:
            revision, rows = _rows(conn)
    finally:
        engine.dispose()
    return Dump("sqlite", SQLITE_FILE, revision, rows)


def pg_environment(url=None) -> dict[str, str]:
    """libpq's environment for the catalog's database (or `url`): host, port, user, password,
    database and the ssl settings of the URL's query."""
    url = url or _url()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    values = {"PGHOST": url.host, "PGPORT": url.port, "PGUSER": url.username,
              "PGPASSWORD": url.password, "PGDATABASE": url.database}
    for key, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("sslcert", "PGSSLCERT"),
                     ("sslkey", "PGSSLKEY"), ("host", "PGHOST"), ("port", "PGPORT")):
        if key in url.query:
            value = url.query[key]
            values[var] = value if isinstance(value, str) else value[0]
    env.update({k: str(v) for k, v in values.items() if v not in (None, "")})
    return env


def _run_pg(argv: list[str], env: dict[str, str], what: str) -> subprocess.CompletedProcess:
    if shutil.which(argv[0]) is None:
        raise BackupError(f"{argv[0]} not found: install the PostgreSQL client (apt-get install postgresql-client)")
    try:
        result = subprocess.run(argv, env=env, capture_output=True, encoding="utf-8", errors="replace",
                                timeout=PG_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise BackupError(f"{what} still running after {PG_TIMEOUT} s; stopped") from None
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip()[-2000:]}")
    return result


def _dump_postgresql(root: Path) -> Dump:
    target = root / PG_FILE
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        with conn.begin():
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            revision, rows = _rows(conn)
            # The exporting transaction stays open until pg_dump has finished with its snapshot.
            _run_pg(["pg_dump", "--format=custom", "--no-password", f"--snapshot={snapshot}",
                     f"--file={target}"], pg_environment(), "pg_dump")
    return Dump("postgresql", PG_FILE, revision, rows)


def check_readable(root: Path, dump_kind: str, name: str) -> str:
    """Open the dump without restoring it; returns what was found. Raises BackupError."""
    path = root / name
    if dump_kind == "sqlite":
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
                tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
            finally:
                conn.close()
        except sqlite3.Error as exc:
            raise BackupError(f"{name}: not a readable SQLite database ({exc})") from None
        if verdict != "ok" or not tables:
            raise BackupError(f"{name}: SQLite integrity check failed ({verdict}, {tables} tables)")
        return f"SQLite database, {tables} tables, integrity ok"
    if dump_kind == "postgresql":
        listing = _run_pg(["pg_restore", "--list", str(path)], dict(os.environ), f"pg_restore --list {name}")
        entries = sum(1 for line in listing.stdout.splitlines() if line and not line.startswith(";"))
        return f"pg_dump archive, {entries} entries"
    raise BackupError(f"unknown database kind in the manifest: {dump_kind}")


# Rows that `flask db upgrade` writes into an empty catalog: the schema's revision and the
# audit verification marker (it vouches for nothing, the chain it marks is in audit_event).
BOOKKEEPING = frozenset({"alembic_version", "audit_verified"})


def database_is_empty() -> tuple[bool, str]:
    """True when the catalog's database holds no row in any table but BOOKKEEPING (an empty
    schema counts as empty: `flask db upgrade` may have run); else False and what it found."""
    with db.engine.connect() as conn:
        names = [n for n in inspect(conn).get_table_names() if n not in BOOKKEEPING]
        for name in sorted(names):
            quoted = conn.dialect.identifier_preparer.quote(name)
            if conn.execute(text(f"SELECT 1 FROM {quoted} LIMIT 1")).first() is not None:  # noqa: S608
                return False, f"table {name} has rows"
    return True, ""


def restore(root: Path, dump_kind: str, name: str) -> None:
    """Load the dump into the catalog's (empty) database. Raises BackupError."""
    if dump_kind != kind():
        raise BackupError(f"the backup holds a {dump_kind} database but this catalog uses {kind()}")
    db.session.remove()
    db.engine.dispose()
    path = root / name
    if dump_kind == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        dest = sqlite3.connect(_sqlite_path(), timeout=60)
        try:
            source.backup(dest)
        finally:
            dest.close()
            source.close()
    else:
        url = _url()
        # --clean --if-exists: an empty schema made by `flask db upgrade` is replaced by the dump's.
        _run_pg(["pg_restore", "--no-password", "--no-owner", "--no-privileges", "--clean", "--if-exists",
                 "--exit-on-error", "--single-transaction", f"--dbname={url.database}", str(path)],
                pg_environment(url), "pg_restore")
    db.engine.dispose()
