"""A copy of a data dir the demo was seeded into (`db upgrade` + `catalog seed --demo` on SQLite),
for tools that need many fresh demo catalogs (the test suite, the load smoke): copying takes a
fraction of a second where seeding again takes about ten seconds of CPU.

Repositories are found by relative paths (forks borrow from their mirror through a relative
alternates file, hooks name no path) and the search index holds none; the one absolute path is
where each demo app's upstream source lives (seed_apps puts them in the data dir), rewritten to
the copy's own sources so that the copy shares nothing with the original.
"""
from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

DATABASE = "catalog.sqlite3"
SOURCE_COLUMNS = ("repo_url", "local_repo_url")  # app columns that may name a demo source path


def checkpoint(data_dir: Path) -> None:
    """Fold the SQLite write-ahead log into the database file, so that the data dir is the one
    file plus repositories and index (call it when no process has the database open)."""
    with closing(sqlite3.connect(Path(data_dir) / DATABASE)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def copy_demo_data(seeded: Path, dest: Path) -> Path:
    """Copy the seeded data dir `seeded` to `dest` (which must not exist) and point the apps'
    source paths into the copy. Returns `dest`."""
    seeded, dest = Path(seeded).resolve(), Path(dest).absolute()
    shutil.copytree(seeded, dest, symlinks=True)
    old, new = f"{seeded}/", f"{dest}/"
    with closing(sqlite3.connect(dest / DATABASE)) as conn, conn:
        for column in SOURCE_COLUMNS:
            rows = conn.execute(f"SELECT id, {column} FROM app WHERE substr({column}, 1, ?) = ?",
                                (len(old), old)).fetchall()
            conn.executemany(f"UPDATE app SET {column} = ? WHERE id = ?",
                             [(new + value[len(old):], row_id) for row_id, value in rows])
    return dest
