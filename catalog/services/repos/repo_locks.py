"""Locks on a repository that hold across nodes: PostgreSQL advisory locks, keyed by relpath.

Why not the file locks alone: `vcs` takes `flock` on files inside each repository (the fetch
lock, the prune lock, the deployed-commits lock), and NFS v4 does carry `flock` to the server,
but only when every node mounts with the default `local_lock=none`; one node mounted with
`local_lock=all` (or NFS v3 with `nolock`, or a FUSE store without locking) and the lock
silently holds on that node only. The catalog already depends on the one PostgreSQL every node
shares, so the lock lives there: a session-level advisory lock on a connection of its own,
released when the work ends, or by PostgreSQL when the holder's connection dies with its node.
The key is the repository's relpath (the same on every node, whatever the mount point).
The file locks stay beneath: they are the only lock on SQLite installs (one machine).
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from sqlalchemy import text

from ...extensions import db
from ...vcs.errors import VcsError
from ...vcs.mirror import FETCH_BUSY
from ...vcs.prune import BUSY as PRUNE_BUSY

FETCH, PRUNE, PROTECTED = "fetch", "prune", "protected"
_BUSY = {FETCH: FETCH_BUSY, PRUNE: PRUNE_BUSY}


def lock_key(relpath: str, name: str) -> int:
    """A signed 64-bit key, the same on every node, for one lock on one repository."""
    digest = hashlib.sha256(f"catalog.repo-lock:{name}:{relpath}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def _advisory(relpath: str, name: str, *, wait: bool) -> Iterator[None]:
    key = lock_key(relpath, name)
    conn = db.engine.connect()
    try:
        if wait:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
        elif not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
            raise VcsError(_BUSY.get(name, FETCH_BUSY), detail=f"{name} lock on {relpath} held by another process")
        conn.commit()  # a session-level lock outlives the transaction; keep none open meanwhile
        try:
            yield
        finally:
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
            except Exception:  # connection lost: PostgreSQL released the lock with it
                conn.invalidate()
    finally:
        conn.close()


@contextmanager
def held(relpath: str, *names: str, wait: bool = False) -> Iterator[None]:
    """Hold the named locks on `relpath`, in the order given, on PostgreSQL; nothing on SQLite
    (the vcs file locks serve one machine). Without `wait`, a lock another process holds raises
    VcsError with the same message as the file lock would."""
    if db.engine.dialect.name != "postgresql":
        yield
        return
    with ExitStack() as stack:
        for name in names:
            stack.enter_context(_advisory(relpath, name, wait=wait))
        yield
