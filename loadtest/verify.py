"""After the load: is every acknowledged write in the database and the repositories?"""
from __future__ import annotations

import subprocess
from collections import defaultdict
from pathlib import Path

import sqlalchemy as sa

from .users import Record


def _rows(engine: sa.Engine, table: str, columns: str, ids: list[int]) -> dict[int, tuple]:
    if not ids:
        return {}
    stmt = sa.text(f"SELECT id, {columns} FROM {table} WHERE id IN :ids").bindparams(
        sa.bindparam("ids", expanding=True))
    with engine.connect() as conn:
        return {row[0]: tuple(row[1:]) for row in conn.execute(stmt, {"ids": ids})}


def _events(engine: sa.Engine, ids: list[int]) -> set[tuple[int, str, str, str]]:
    if not ids:
        return set()
    stmt = sa.text("SELECT deployment_id, kind, from_value, to_value FROM deployment_event "
                   "WHERE deployment_id IN :ids").bindparams(sa.bindparam("ids", expanding=True))
    with engine.connect() as conn:
        return {(r[0], r[1], r[2] or "", r[3] or "") for r in conn.execute(stmt, {"ids": ids})}


def _branch_commits(repo: Path) -> set[str]:
    out = subprocess.run(["git", f"--git-dir={repo}", "rev-list", "refs/heads/main"], capture_output=True,
                         text=True, timeout=120)
    return set(out.stdout.split()) if out.returncode == 0 else set()


def check_writes(record: Record, database_url: str, repos: Path) -> dict:
    """Counts of acknowledged vs found writes, with the first few missing ones named."""
    engine = sa.create_engine(database_url)
    try:
        forks = _rows(engine, "fork", "relpath", list(record.forks))
        fork_missing = [fid for fid, relpath in record.forks.items()
                        if forks.get(fid, (None,))[0] != relpath or not (repos / relpath / "HEAD").exists()]
        by_repo: dict[str, list[str]] = defaultdict(list)
        for relpath, sha in record.pushes:
            by_repo[relpath].append(sha)
        push_missing = []
        for relpath, shas in by_repo.items():
            present = _branch_commits(repos / relpath)
            push_missing += [f"{relpath}@{sha[:12]}" for sha in shas if sha not in present]
        events = _events(engine, sorted({w[0] for w in record.deployment_writes}))
        write_missing = [f"{dep_id} {kind} {old}->{new}" for dep_id, kind, old, new in record.deployment_writes
                         if (dep_id, kind, old, new) not in events]
        deps = _rows(engine, "deployment", "status", list(record.deployments))
        dep_missing = []
        for dep_id, acked in record.deployments.items():
            found = deps.get(dep_id, (None,))[0]
            # a write answered by nothing (client timeout) may have landed too
            if found != acked and found not in record.unacked.get(dep_id, []):
                dep_missing.append(f"{dep_id}: acknowledged {acked}, found {found}")
    finally:
        engine.dispose()
    return {
        "forks": {"acknowledged": len(record.forks), "found": len(record.forks) - len(fork_missing),
                  "missing": fork_missing[:20]},
        "pushes": {"acknowledged": len(record.pushes), "found": len(record.pushes) - len(push_missing),
                   "missing": push_missing[:20]},
        "deployment_writes": {"acknowledged": len(record.deployment_writes),
                              "found": len(record.deployment_writes) - len(write_missing),
                              "missing": write_missing[:20]},
        "deployments": {"acknowledged": len(record.deployments),
                        "found": len(record.deployments) - len(dep_missing), "missing": dep_missing[:20]},
    }
