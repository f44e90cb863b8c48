"""Read one file from a remote repository without keeping it: a shallow, capped, timed fetch."""
from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from .errors import RevisionNotFound, SizeLimitExceeded
from .fsutil import dir_size
from .layout import init_bare
from .refs import validate_tree_path
from .repos import object_info, read_blob
from .runner import MiB, run_git
from .urls import CheckedRemote

PEEK_REF = "refs/heads/catalog-peek"
_KINDS = {"040000": "tree", "120000": "link", "160000": "submodule"}


class TreeFile(NamedTuple):
    """A path of the peeked commit: 'blob', 'tree', 'link', 'submodule' or 'missing', and a blob's
    content when the capped fetch brought it (None for a larger one: it exists, unread)."""

    kind: str
    content: bytes | None = None


def _tree_file(git_dir: Path, path: str, max_bytes: int) -> TreeFile:
    """What the peeked commit holds at `path`, read from its tree (a blob left out by the size
    filter is still listed there)."""
    try:
        clean = validate_tree_path(path)
    except RevisionNotFound:
        return TreeFile("missing")
    if not clean:
        return TreeFile("tree")
    out = run_git(["ls-tree", "-z", "--full-tree", PEEK_REF, "--", clean], git_dir=git_dir,
                  env_extra={"GIT_LITERAL_PATHSPECS": "1"}, max_output=MiB).stdout
    for record in out.split(b"\0"):
        meta, _, name = record.partition(b"\t")
        if name.decode("utf-8", "replace") != clean:
            continue
        mode, _kind, oid = meta.decode().split()
        if mode in _KINDS:
            return TreeFile(_KINDS[mode])
        info = object_info(git_dir, oid)
        if info is None or info[2] > max_bytes:
            return TreeFile("blob")
        return TreeFile("blob", run_git(["cat-file", "blob", oid], git_dir=git_dir,
                                        max_output=max_bytes).stdout)
    return TreeFile("missing")


def peek_file(remote: CheckedRemote, *paths: str, max_bytes: int = 256 * 1024,
              timeout: float = 30, max_transfer: int = 64 * MiB,
              inspect: Callable[[bytes, Callable[[str], TreeFile]], None] | None = None,
              ) -> bytes | None:
    """Content of the first of `paths` present at the remote's HEAD, or None.

    `inspect`, when given, is called with that content and a lookup of other paths of the same
    commit (`TreeFile`), valid only during the call: how a file's references are checked.

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
                if inspect is not None:
                    inspect(blob, lambda other: _tree_file(tmp, other, max_bytes))
                return blob
        return None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
