"""`flask catalog backup DIR`: an online, consistent backup; `--verify DIR` checks one.

Order, and why. The database is the source of truth for what the catalog acknowledged, so it
goes first, then the repositories it names (mirrors, then forks):

1. the audit checkpoint (`make_checkpoint`): taken before the dump, so the dumped chain holds
   it (the chain only grows) and `audit-verify --checkpoint` passes on the restored catalog;
2. the database, in one snapshot (database.py);
3. each repository the dumped rows name, as a bundle (repositories.py, catalog/vcs/bundle.py).

A push moves its refs before the catalog acknowledges it (the `fork.push` event is written
after git has finished), and a deployment names a commit already in its fork, which
pre-receive then keeps reachable. So everything the dumped database acknowledged is in the
repositories before their bundles are made, and is in the backup. Pushes landing between the
dump and a bundle make refs newer than the database: harmless, `catalog fsck --repair` in the
restore recomputes what the rows say about them. The other order would lose them: a push
acknowledged after the repositories were copied but before the dump would be recorded
without its commits.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from flask import current_app

from ...extensions import db
from ...models import AuditEvent
from ...models.types import utcnow
from ..errors import ServiceError
from ..oversight import checkpoints
from . import database, manifest, repositories
from .manifest import BackupError

CHECKPOINT = "audit-checkpoint.json"
PACKAGE = "katalog-bagi-pakai"


def catalog_version() -> str:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class BackupResult:
    root: Path
    manifest: dict[str, Any]

    def summary(self) -> str:
        m = self.manifest
        kinds = [e["kind"] for e in m["repositories"] if e.get("present")]
        seq = (m.get("audit_checkpoint") or {}).get("seq")
        return (f"backup written to {self.root}: {m['database']['kind']} database, "
                f"{kinds.count('mirror')} mirrors, {kinds.count('fork')} forks, "
                f"audit checkpoint {seq if seq is not None else 'none (empty chain)'}, {len(m['files'])} files")


def _prepare(root: Path) -> bool:
    """The target must be missing or an empty directory; returns whether we created it."""
    if root.exists():
        if not root.is_dir():
            raise BackupError(f"{root} exists and is not a directory")
        if any(root.iterdir()):
            raise BackupError(f"{root} is not empty: back up into a new directory")
        return False
    root.mkdir(parents=True)
    return True


def make_backup(target: Path) -> BackupResult:
    """Write a backup into `target` (missing or empty) while the catalog keeps serving.
    Raises BackupError; a failed backup leaves `target` as it found it."""
    root = Path(target).resolve()
    created = _prepare(root)
    try:
        return _write(root)
    except BaseException:
        if created:
            shutil.rmtree(root, ignore_errors=True)
        else:
            for child in root.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise


def _write(root: Path) -> BackupResult:
    started = utcnow()
    files: list[str] = []
    checkpoint = None
    try:
        checkpoint = checkpoints.make_checkpoint(current_app.config["BASE_URL"])
    except ServiceError as exc:  # an empty chain has no checkpoint; a broken one must not be vouched for
        if db.session.execute(db.select(AuditEvent.seq).limit(1)).first() is not None:
            raise BackupError(f"no audit checkpoint, no backup made: {exc.message}") from None
    if checkpoint is not None:
        (root / CHECKPOINT).write_text(json.dumps(checkpoint, indent=2) + "\n")
        files.append(CHECKPOINT)
    dump = database.dump(root)
    files.append(dump.file)
    entries, written = repositories.back_up(root, dump.repositories)
    files += written
    body = {
        "catalog_version": catalog_version(),
        "alembic_revision": dump.alembic_revision,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": utcnow().isoformat(timespec="seconds"),
        "database": {"kind": dump.kind, "file": dump.file},
        "audit_checkpoint": None if checkpoint is None else {"file": CHECKPOINT, "seq": checkpoint["seq"],
                                                             "hash": checkpoint["hash"]},
        "order": ["audit_checkpoint", "database", "mirrors", "forks"],
        "repositories": entries,
        "files": manifest.hash_files(root, files),
    }
    manifest.write(root, body)
    return BackupResult(root, body)


@dataclass
class VerifyReport:
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_backup(target: Path) -> VerifyReport:
    """Check a backup without restoring it: the manifest's sha256 of every file, the database
    dump opens, the checkpoint reads, and every bundle verifies — mirrors applied to scratch
    repositories (in the system's temp dir), forks verified against them."""
    root = Path(target).resolve()
    report = VerifyReport()
    try:
        body = manifest.read(root)
    except BackupError as exc:
        report.problems.append(str(exc))
        return report
    report.problems += [str(p) for p in manifest.check_hashes(root, body)]
    report.checked.append(f"{len(body['files'])} files against their sha256")
    db_info = body.get("database") or {}
    try:
        report.checked.append(database.check_readable(root, db_info.get("kind", ""), db_info.get("file", "")))
    except BackupError as exc:
        report.problems.append(str(exc))
    cp = body.get("audit_checkpoint")
    if cp:
        try:
            doc = json.loads(manifest.inside(root, cp["file"]).read_text())
            if doc.get("seq") != cp["seq"] or doc.get("hash") != cp["hash"]:
                report.problems.append(f"{cp['file']}: does not match the manifest's checkpoint")
        except (OSError, ValueError, AttributeError, BackupError) as exc:
            report.problems.append(f"{cp['file']}: unreadable checkpoint ({exc})")
    with tempfile.TemporaryDirectory(prefix="catalog-verify-") as scratch:
        bundle_problems = repositories.check_bundles(root, body.get("repositories") or [], Path(scratch))
    report.problems += bundle_problems
    present = [e for e in body.get("repositories") or [] if e.get("present")]
    report.checked.append(f"{len(present)} repositories rebuilt from their bundles in a scratch directory")
    return report
