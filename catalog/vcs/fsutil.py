"""Filesystem helpers: build a repository in a temp dir beside its target, then rename it in,
and mark one as not yet owned by a row until that row commits."""
from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import N_, VcsError

STAGING_MARK = ".tmp-"
UNOWNED_MARK = "catalog-unowned"  # a file in a repository whose row has not committed yet


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


class Unowned:
    """A repository (or its staging dir) that no row owns yet, and this process's hold on it.

    Its maker builds it with the mark inside (`mark_unowned`), locked with `flock` while its row
    is being written; `owned()` drops the mark once the row committed, `abandon()` removes the
    repository when the row will not be. A killed maker releases the lock with its process and
    leaves the mark: whoever then gets the lock (`claim_unowned`) knows the maker is gone, and
    decides by the rows alone whether the repository is kept (a row committed) or removed.
    """

    def __init__(self, repo: Path, fd: int) -> None:
        self.repo, self._fd = Path(repo), fd

    def moved_to(self, repo: Path) -> None:
        """The directory was renamed (staging dir into place): the open mark goes with it."""
        self.repo = Path(repo)

    def owned(self) -> None:
        """Its row committed: the repository is an ordinary one from now on."""
        try:
            (self.repo / UNOWNED_MARK).unlink(missing_ok=True)
        finally:
            self.release()

    def abandon(self) -> None:
        """No row will own it: out of its name at once (one rename), then deleted, the mark last,
        so that a kill during the delete leaves a marked staging dir the next sweep finds."""
        try:
            gone = self.repo.with_name(f".{self.repo.name}{STAGING_MARK}gone-{secrets.token_hex(4)}")
            try:
                os.rename(self.repo, gone)
            except FileNotFoundError:
                return
            with os.scandir(gone) as entries:
                for entry in entries:
                    if entry.name == UNOWNED_MARK:
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        shutil.rmtree(entry.path, ignore_errors=True)
                    else:
                        os.unlink(entry.path)
            shutil.rmtree(gone, ignore_errors=True)
        finally:
            self.release()

    def release(self) -> None:
        """Let go without deciding (as a kill would): the mark stays for the next claimant."""
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            os.close(fd)  # the flock goes with the last descriptor of this open file


def mark_unowned(repo: Path) -> Unowned:
    """Put the mark into `repo` (a fresh staging dir no one else knows of) and lock it."""
    fd = os.open(Path(repo) / UNOWNED_MARK, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, f"made by pid {os.getpid()}; removed once its row commits\n".encode())
    except BaseException:
        os.close(fd)
        raise
    return Unowned(Path(repo), fd)


def is_unowned(repo: Path) -> bool:
    return (Path(repo) / UNOWNED_MARK).is_file()


def claim_unowned(repo: Path) -> Unowned | None:
    """The hold on a marked repository whose maker is gone; None when it carries no mark or its
    maker (another process, or another thread here) still holds it."""
    mark = Path(repo) / UNOWNED_MARK
    try:
        fd = os.open(mark, os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW)
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        # Still the mark at that path: another claimant may have removed this repository (and a
        # new maker put a new one in its place) between our open and our lock.
        here, opened = os.stat(mark, follow_symlinks=False), os.fstat(fd)
        if (here.st_dev, here.st_ino) != (opened.st_dev, opened.st_ino):
            raise BlockingIOError
    except (BlockingIOError, FileNotFoundError):
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    return Unowned(Path(repo), fd)
