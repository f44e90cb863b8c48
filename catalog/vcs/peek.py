"""Read one file from a remote repository without keeping it: a shallow, capped, timed fetch."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from .errors import SizeLimitExceeded
from .fsutil import dir_size
from .layout import init_bare
from .repos import read_blob
from .runner import MiB, run_git
from .urls import CheckedRemote

PEEK_REF = "refs/heads/catalog-peek"


def peek_file(remote: CheckedRemote, *paths: str, max_bytes: int = 256 * 1024,
              timeout: float = 30, max_transfer: int = 64 * MiB) -> bytes | None:
    """Content of the first of `paths` present at the remote's HEAD, or None.

    One `fetch --depth=1` of HEAD into a temporary bare repository that is always removed.
    Blobs over `max_bytes` are filtered out where the server supports it; the whole transfer
    is capped at `max_transfer` and the wall clock at `timeout`. Raises GitTimeout,
    SizeLimitExceeded, GitCommandError (unreachable remote, empty repository).
    """
    if not isinstance(remote, CheckedRemote):
        raise TypeError("remote must come from check_remote_url()")
    tmp = Path(tempfile.mkdtemp(prefix="catalog-peek-"))
    try:
        init_bare(tmp)

        def guard() -> None:
            if dir_size(tmp) > max_transfer:
                raise SizeLimitExceeded()

        run_git(["fetch", "--quiet", "--depth=1", "--no-tags", "--no-write-fetch-head",
                 f"--filter=blob:limit={int(max_bytes)}", "--", remote.url, f"+HEAD:{PEEK_REF}"],
                git_dir=tmp, opts=remote.git_options(), timeout=timeout, watchdog=guard)
        for path in paths:
            blob = read_blob(tmp, PEEK_REF, path, max_bytes=max_bytes)
            if blob is not None:
                return blob
        return None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
