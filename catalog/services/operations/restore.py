"""`flask catalog restore DIR`: an empty catalog (data dir and database) filled from a backup.

Refuses, touching nothing, unless the backup's files match its manifest, the repositories
directory is empty and the database holds no row (an empty schema from `flask db upgrade`
is fine). Then: the database, the mirrors, the forks (alternates to the restored mirrors,
this install's hooks, their protected-commits files), the search index rebuilt from the
database, `catalog fsck --repair` (hooks, divergence of heads pushed after the dump, protected
commits) and a final fsck that must find nothing; the audit chain must hold the backup's
checkpoint.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from .. import fsck
from ..catalog import indexing
from ..oversight import checkpoints
from . import database, manifest, repositories
from .manifest import BackupError


@dataclass
class RestoreReport:
    repositories: int = 0
    indexed: int = 0
    repaired: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _repos_dir_empty() -> tuple[bool, str]:
    root = Path(current_app.config["REPOS_DIR"])
    if root.exists() and any(root.iterdir()):
        return False, f"{root} is not empty"
    return True, ""


def refusal() -> str | None:
    """Why this catalog is not an empty one to restore into, or None."""
    reasons = []
    empty, why = _repos_dir_empty()
    if not empty:
        reasons.append(f"data dir: {why}")
    empty, why = database.database_is_empty()
    if not empty:
        reasons.append(f"database is not empty ({why})")
    return "; ".join(reasons) or None


def _migrations_head() -> str | None:
    try:
        from alembic.script import ScriptDirectory

        return ScriptDirectory(current_app.extensions["migrate"].directory).get_current_head()
    except Exception:  # noqa: BLE001 - only a note to the operator depends on it
        return None


def restore_backup(target: Path) -> RestoreReport:
    """Fill this (empty) catalog from the backup in `target`. Raises BackupError when the
    backup is damaged or the catalog is not empty — then nothing was changed."""
    root = Path(target).resolve()
    body = manifest.read(root)
    damaged = manifest.check_hashes(root, body)
    if damaged:
        raise BackupError("backup damaged, nothing restored: " + "; ".join(str(p) for p in damaged))
    why = refusal()
    if why:
        raise BackupError(f"refusing to restore into a catalog that is not empty, nothing changed: {why}")
    report = RestoreReport()
    db_info = body["database"]
    try:
        database.restore(root, db_info["kind"], db_info["file"])
        report.repositories = repositories.restore(root, body["repositories"])
    except BackupError as exc:
        raise BackupError(f"restore stopped part way: {exc}. Empty the data dir's repos/ and the "
                          "database before trying again") from None
    report.indexed = indexing.reindex_all()
    repair = fsck.check(repair=True, min_age=0)
    report.repaired = list(repair.repaired)
    final = fsck.check(min_age=0)
    report.problems += [f"fsck: {line}" for line in final.problems]
    cp = body.get("audit_checkpoint")
    if cp:
        doc = json.loads(manifest.inside(root, cp["file"]).read_text())
        verdict = checkpoints.verify_checkpoint(doc)
        if verdict.ok:
            report.notes.append(f"audit: {verdict.message}")
        else:
            report.problems.append(f"audit checkpoint: {verdict.message}")
    head = _migrations_head()
    revision = body.get("alembic_revision")
    if revision and head and revision != head:
        report.notes.append(f"the backup's schema is at migration {revision}, this release at {head}: "
                            "run `flask --app wsgi db upgrade`")
    return report
