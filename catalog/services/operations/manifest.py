"""The backup's manifest: what the backup holds, with the sha256 of every file in it.

`manifest.json` is written last, so a directory without one is an interrupted backup.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
FORMAT = 1
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup could not be made, checked or restored; the message says why, for the operator."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def hash_files(root: Path, names: list[str]) -> dict[str, str]:
    """{relative name: sha256} for the files written into the backup."""
    return {name: sha256_file(root / name) for name in sorted(names)}


def write(root: Path, body: dict[str, Any]) -> Path:
    path = root / MANIFEST
    tmp = root / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps({"format": FORMAT, **body}, indent=2, sort_keys=True) + "\n")
    tmp.rename(path)
    return path


def read(root: Path) -> dict[str, Any]:
    """The manifest of the backup in `root`. Raises BackupError."""
    path = Path(root) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{path}: no manifest (not a backup, or an interrupted one)")
    try:
        body = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path}: unreadable manifest ({exc})") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT or not isinstance(body.get("files"), dict):
        raise BackupError(f"{path}: not a manifest of this catalog's backup format {FORMAT}")
    return body


def inside(root: Path, name: str) -> Path:
    """The file `name` of the manifest, refusing names that leave the backup directory."""
    base = Path(root).resolve()
    path = (base / name).resolve()
    if base not in path.parents:
        raise BackupError(f"manifest names a file outside the backup: {name}")
    return path


@dataclass(frozen=True)
class HashProblem:
    name: str
    problem: str

    def __str__(self) -> str:
        return f"{self.name}: {self.problem}"


def check_hashes(root: Path, body: dict[str, Any]) -> list[HashProblem]:
    """Every file the manifest lists exists with its recorded sha256."""
    problems = []
    for name, digest in sorted(body["files"].items()):
        try:
            path = inside(root, name)
        except BackupError as exc:
            problems.append(HashProblem(name, str(exc)))
            continue
        if not path.is_file():
            problems.append(HashProblem(name, "missing"))
        elif sha256_file(path) != digest:
            problems.append(HashProblem(name, "sha256 differs from the manifest (file altered or damaged)"))
    return problems
