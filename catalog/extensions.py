"""Flask extensions, created unbound; the app factory binds them with init_app."""
from __future__ import annotations

import contextvars
import sqlite3

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import Pool

from . import sqlite_writers

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()

# When set, the next SQLite transaction starts with BEGIN IMMEDIATE (see services.tx).
sqlite_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("sqlite_write_intent", default=False)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL and a busy timeout let readers and one writer share the file; we drive BEGIN ourselves."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=15000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    if conn.dialect.name != "sqlite":
        return
    if not sqlite_write_intent.get():
        conn.exec_driver_sql("BEGIN")
        return
    with sqlite_writers.WAIT.time():
        sqlite_writers.take_turn(conn, conn.engine.url.database)  # in a queue, not the busy handler's polling
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            sqlite_writers.end_turn(conn.info)
            raise


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _sqlite_end(conn) -> None:
    sqlite_writers.end_turn(conn.info)


@event.listens_for(Pool, "checkin")
def _sqlite_checkin(_dbapi_connection, record) -> None:
    """A connection back in the pool ends its turn, however its transaction ended."""
    if record is not None:
        sqlite_writers.end_turn(record.info)


@event.listens_for(Engine, "handle_error")
def _nul_is_a_data_error(context) -> Exception | None:
    """psycopg2 refuses a NUL character in a parameter itself, with a bare ValueError; PostgreSQL
    (through psycopg 3) answers DataError. The same error whatever the driver, so that the web
    layer answers 404 or 422 for it (web/errors.py), never 500."""
    error = context.original_exception
    if isinstance(error, ValueError) and "NUL (0x00)" in str(error):
        return DataError(context.statement, context.parameters, error)
    return None
