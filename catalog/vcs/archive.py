"""Stream `git archive` of a commit as zip or tar.gz without buffering it, within size caps."""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from .errors import N_, SizeLimitExceeded, VcsError
from .repos import require_commit
from .runner import MiB
from .stream import GitStream

_PREFIX_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
CONTENT_TYPES = {"zip": "application/zip", "tar.gz": "application/gzip"}
MAX_BYTES = 1024 * MiB      # sum of file sizes an archive may hold (before compression)
MAX_ENTRIES = 100_000       # paths an archive may hold; a "git bomb" has billions
MAX_MEMORY = 512 * MiB      # git archive reads the whole tree into an index first
ENTRY_OVERHEAD = 4096       # tar header and padding, or zip local + central headers, per path
MAX_RECORD = 64 * 1024      # one ls-tree record (mode, type, oid, size, path)
TOO_BIG = N_("Arsip versi ini terlalu besar untuk diunduh (terlalu banyak berkas atau terlalu "
             "besar). Ambil kodenya dengan git clone.")


def measure_tree(repo: Path, sha: str, *, max_entries: int = MAX_ENTRIES,
                 max_bytes: int = MAX_BYTES, timeout: float = 60) -> tuple[int, int]:
    """(paths, bytes of blobs) in the whole tree of commit `sha`, counted from a streamed
    `ls-tree -r -l`; raises SizeLimitExceeded (and kills git) as soon as a cap is passed, so
    a tree that expands to billions of paths costs no more than `max_entries` lines."""
    entries = total = 0
    pending = b""
    with GitStream(["ls-tree", "-r", "-l", "-z", "--end-of-options", sha], git_dir=repo,
                   timeout=timeout) as stream:
        while chunk := stream.read():
            records = (pending + chunk).split(b"\0")
            pending = records.pop()
            if len(pending) > MAX_RECORD:
                raise SizeLimitExceeded(TOO_BIG, detail="ls-tree record too long")
            for record in records:
                meta = record.split(b"\t", 1)[0].split()
                entries += 1
                if len(meta) == 4 and meta[3].isdigit():
                    total += int(meta[3])
                if entries > max_entries or total > max_bytes:
                    raise SizeLimitExceeded(
                        TOO_BIG, detail=f"over {max_entries} paths or {max_bytes} bytes")
        stream.finish()
    return entries, total


def stream_archive(repo: Path, rev: str, fmt: Literal["zip", "tar.gz"], prefix: str, *,
                   timeout: float = 600, max_bytes: int = MAX_BYTES,
                   max_entries: int = MAX_ENTRIES, max_memory: int = MAX_MEMORY) -> Iterator[bytes]:
    """Resolve `rev` and measure its tree now (raising RevisionNotFound or SizeLimitExceeded
    before any byte is sent), then return an iterator of chunks; closing it early (client
    gone) kills git. The output is capped too: should git ever write more than the measured
    tree can account for, it is killed and the body ends short instead of growing forever."""
    if fmt not in CONTENT_TYPES:
        raise VcsError(N_("Format arsip tidak didukung."))
    if not _PREFIX_RE.fullmatch(prefix) or ".." in prefix:
        raise VcsError(N_("Nama folder arsip tidak valid."))
    sha = require_commit(repo, rev)
    entries, size = measure_tree(repo, sha, max_entries=max_entries, max_bytes=max_bytes,
                                 timeout=min(timeout, 60))
    stream = GitStream(["archive", f"--format={fmt}", f"--prefix={prefix}/",
                        "--end-of-options", sha], git_dir=repo, timeout=timeout,
                       max_memory=max_memory)
    return stream.chunks(max_bytes=size + size // 100 + (entries + 1) * ENTRY_OVERHEAD + MiB)
