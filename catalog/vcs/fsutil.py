"""Filesystem helpers: build a repository in a temp dir beside its target, then rename it in."""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import N_, VcsError

STAGING_MARK = ".tmp-"


def dir_size(path: Path) -> int:
    """Bytes used by regular files under `path` (symlinks not followed; vanished files skipped)."""
    total = 0
    stack = [str(path)]
    while stack:
        try:
            entries = os.scandir(stack.pop())
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_size
                except OSError:
                    continue
    return total


@contextmanager
def staged(dest: Path) -> Iterator[Path]:
    """Yield an empty temp dir on dest's filesystem; on success rename it to dest, else delete it.

    Readers never see a half-built repository, and a crash leaves only a dot-named temp dir
    that `stale_staging_dirs` finds (fsck removes them).
    """
    dest = Path(dest)
    if dest.exists():
        raise VcsError(N_("Repositori tujuan sudah ada."), detail=str(dest))
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}{STAGING_MARK}", dir=dest.parent))
    try:
        yield tmp
        os.rename(tmp, dest)  # refuses a non-empty dest that appeared meanwhile
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def stale_staging_dirs(parent: Path, *, older_than: float) -> list[Path]:
    """Temp dirs `staged` left in `parent` (a crashed job) not changed for `older_than` seconds."""
    cutoff = time.time() - older_than + 1e-3  # older_than=0: also one made this very moment
    found = []
    for entry in Path(parent).glob(f".*{STAGING_MARK}*"):
        try:
            if entry.is_dir() and not entry.is_symlink() and entry.stat().st_mtime < cutoff:
                found.append(entry)
        except OSError:  # vanished meanwhile: a job finished with it
            continue
    return found
