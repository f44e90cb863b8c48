"""Our receive hooks: the scripts in each fork, the entry point they call, the push receipt.

The scripts hold no path of this install. The web process names its entry point
(CATALOG_HOOK, the `catalog-hook` console script next to its own Python) at every push, so a
moved install or a rebuilt venv keeps working without touching the repositories. post-receive
starts no Python at all: it copies the updated refs into a receipt file the web process named
(CATALOG_PUSH_RECEIPT), and the web process records the push once git has finished.
"""
from __future__ import annotations

import fcntl
import os
import sys
import sysconfig
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .refs import ZERO_SHA, is_full_sha, is_valid_ref_name

HOOK_ENV = "CATALOG_HOOK"
RECEIPT_ENV = "CATALOG_PUSH_RECEIPT"
ENTRY_POINT = "catalog-hook"  # [project.scripts] in pyproject.toml
PROTECTED_FILE = "catalog-protected-commits"
MAX_RECEIPT = 4 * 1024 * 1024
_OLD_FILES = ("catalog-hooks.json",)  # the post-receive command file of earlier releases

_HEADER = ("#!/bin/sh\n"
           "# Installed by Katalog Bagi-Pakai; do not edit (`flask catalog fsck --repair` "
           "rewrites it).\n")
HOOK_SCRIPTS = {
    # The catalog names its entry point when it serves a push; anything else is refused.
    "pre-receive": _HEADER + f'exec "${{{HOOK_ENV}:?push hanya melalui katalog}}" pre-receive\n',
    # Which refs this push updated; the catalog records the push after git has finished.
    "post-receive": _HEADER + f'[ -z "${RECEIPT_ENV}" ] || exec cat >> "${RECEIPT_ENV}"\n',
}


@dataclass(frozen=True)
class RefUpdate:
    old: str
    new: str
    ref: str

    @property
    def deletes(self) -> bool:
        return self.new == ZERO_SHA

    @property
    def creates(self) -> bool:
        return self.old == ZERO_SHA


def parse_updates(text: str, *, strict: bool = False) -> list[RefUpdate]:
    """`<old> <new> <ref>` lines; with strict, a malformed line raises instead of being
    skipped (the pre-receive hook must never let an unchecked update through)."""
    updates = []
    for line in text.splitlines():
        parts = line.split(" ")
        if len(parts) == 3 and is_full_sha(parts[0]) and is_full_sha(parts[1]):
            updates.append(RefUpdate(*parts))
        elif strict and line:
            raise ValueError("malformed ref update line")
    return updates


def entry_point() -> Path | None:
    """The `catalog-hook` script of the running install (next to its Python), or None when
    the project itself was not installed into this environment (`make install` does)."""
    for folder in (sysconfig.get_path("scripts"), os.path.dirname(sys.executable)):
        candidate = Path(folder) / ENTRY_POINT
        if folder and candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _write_atomic(path: Path, text: str, mode: int = 0o644) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def install_hooks(repo: Path) -> None:
    """Write our pre-receive/post-receive into `<repo>/hooks` (pushes are served with
    core.hooksPath pointing there) and remove what earlier releases left beside them."""
    hooks = Path(repo) / "hooks"
    hooks.mkdir(exist_ok=True)
    for name, text in HOOK_SCRIPTS.items():
        _write_atomic(hooks / name, text, 0o755)
    for name in _OLD_FILES:
        (Path(repo) / name).unlink(missing_ok=True)


def stale_hooks(repo: Path) -> list[str]:
    """What differs from what install_hooks writes (empty when the hooks are current)."""
    stale = []
    for name, text in HOOK_SCRIPTS.items():
        path = Path(repo) / "hooks" / name
        try:
            current = path.read_text() == text and os.access(path, os.X_OK)
        except (OSError, UnicodeDecodeError):
            current = False
        if not current:
            stale.append(f"hooks/{name}")
    return stale + [name for name in _OLD_FILES if (Path(repo) / name).exists()]


def new_receipt() -> Path:
    """An empty file for one push's post-receive to write into (the caller removes it)."""
    fd, name = tempfile.mkstemp(prefix="catalog-push-", suffix=".txt")
    os.close(fd)
    return Path(name)


def read_receipt(path: Path) -> list[RefUpdate]:
    """The refs a push updated, as post-receive wrote them; re-validated, never trusted."""
    try:
        with open(path, "rb") as fh:
            text = fh.read(MAX_RECEIPT).decode("utf-8", "replace")
    except OSError:
        return []
    return [u for u in parse_updates(text) if is_valid_ref_name(u.ref)]


def write_protected_commits(repo: Path, shas: Iterable[str]) -> None:
    """Replace the list of commits (used by deployments) that pushes must keep reachable."""
    clean = sorted({s.strip().lower() for s in shas if is_full_sha(s.strip().lower())})
    _write_atomic(Path(repo) / PROTECTED_FILE, "".join(f"{s}\n" for s in clean))


@contextmanager
def protected_commits_lock(repo: Path) -> Iterator[None]:
    """Held by whoever reads the deployed commits from the rows and writes the list: of two
    writers that both committed, the one that writes last also read last (never an older list)."""
    with open(Path(repo) / f"{PROTECTED_FILE}.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def read_protected_commits(repo: Path) -> list[str]:
    try:
        text = (Path(repo) / PROTECTED_FILE).read_text()
    except FileNotFoundError:
        return []
    return [line.strip() for line in text.splitlines() if is_full_sha(line.strip())]
