"""`git archive` of a commit as zip or tar.gz, within size caps, only of what a branch or tag reaches.

Downloads use `resolve_published` (full ids and exact ref names only, reachable from a branch or
tag: a commit a force push dropped is never served, and an abbreviation is never guessed) and
`build_archive` (the whole archive is made into a temporary file first, and git's exit status
checked, so that a git that fails half-way can never look like a complete download).
`stream_archive` streams straight from git, for callers that can tell a short body apart.
"""
from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Literal

from .errors import N_, RevisionNotFound, SizeLimitExceeded, VcsError
from .refs import is_full_sha, validate_rev
from .repos import require_commit, resolve
from .runner import MiB, run_git
from .stream import CHUNK, GitStream

_PREFIX_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
CONTENT_TYPES = {"zip": "application/zip", "tar.gz": "application/gzip"}
MAX_BYTES = 1024 * MiB      # sum of file sizes an archive may hold (before compression)
MAX_ENTRIES = 100_000       # paths an archive may hold; a "git bomb" has billions
MAX_MEMORY = 512 * MiB      # git archive reads the whole tree into an index first
ENTRY_OVERHEAD = 4096       # tar header and padding, or zip local + central headers, per path
MAX_RECORD = 64 * 1024      # one ls-tree record (mode, type, oid, size, path)
ABBREVIATED = N_("Versi harus berupa nama cabang atau tag, atau id commit lengkap (40 karakter). "
                 "Singkatan id commit tidak diterima.")
_HEXISH_RE = re.compile(r"[0-9a-fA-F]{4,64}")
TOO_BIG = N_("Arsip versi ini terlalu besar untuk diunduh (terlalu banyak berkas atau terlalu "
             "besar). Ambil kodenya dengan git clone.")


class AbbreviatedRevision(RevisionNotFound):
    """A hex string that is neither a full object id nor the exact name of a branch or tag."""

    message_id = "abbreviated_revision"
    default_message = ABBREVIATED


def is_published(repo: Path, sha: str) -> bool:
    """True when a branch or tag reaches commit `sha` (a full id)."""
    if not is_full_sha(sha):
        return False
    out = run_git(["rev-list", "-n", "1", sha, "--not", "--branches", "--tags"], git_dir=repo,
                  timeout=60).text
    return not out.strip()


def resolve_published(repo: Path, rev: str) -> str:
    """Full id of the commit `rev` names, where `rev` is `HEAD`, the exact name of a branch or
    tag (short or under refs/heads/, refs/tags/) or a full commit id that a branch or tag
    reaches. Raises AbbreviatedRevision for an abbreviated id, RevisionNotFound otherwise (an
    unknown name, a commit no branch or tag reaches: the same answer, so that the reply never
    tells whether a dropped commit still exists)."""
    rev = validate_rev(rev)
    if is_full_sha(rev.lower()):
        sha = resolve(repo, rev.lower())
        if sha is None or not is_published(repo, sha):
            raise RevisionNotFound()
        return sha
    if rev == "HEAD" or rev.startswith(("refs/heads/", "refs/tags/")):
        names = [rev]
    elif rev.startswith("refs/"):
        names = []  # our own refs (staging, keep) are no versions
    else:
        names = [f"refs/tags/{rev}", f"refs/heads/{rev}"]
    for name in names:
        if name != "HEAD" and run_git(["show-ref", "--verify", "--quiet", name], git_dir=repo,
                                      check=False).returncode != 0:
            continue  # only the exact ref, never git's guesses (refs/remotes/..., an abbreviation)
        sha = resolve(repo, name)
        if sha is not None:
            return sha
    if _HEXISH_RE.fullmatch(rev):
        raise AbbreviatedRevision()
    raise RevisionNotFound()


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


class ArchiveFile:
    """A finished archive in an unlinked temporary file: iterating sends it in chunks (a WSGI
    body), `close()` frees it; `size` is its length in bytes."""

    def __init__(self, fh: IO[bytes], size: int) -> None:
        self.fh, self.size = fh, size

    def __iter__(self) -> ArchiveFile:
        return self

    def __next__(self) -> bytes:
        data = self.fh.read(CHUNK) if not self.fh.closed else b""
        if not data:
            self.close()
            raise StopIteration
        return data

    def close(self) -> None:
        self.fh.close()


def build_archive(repo: Path, sha: str, fmt: Literal["zip", "tar.gz"], prefix: str, *,
                  timeout: float = 600, max_bytes: int = MAX_BYTES, max_entries: int = MAX_ENTRIES,
                  max_memory: int = MAX_MEMORY, tmp_dir: Path | str | None = None) -> ArchiveFile:
    """Make the archive of commit `sha` into a temporary file and return it once git has
    exited 0. Raises SizeLimitExceeded (tree too large, or git's output past the cap measured
    from the tree: git is killed and the file dropped), GitCommandError (git failed: a corrupt
    object, a kill), GitTimeout; in every case nothing is left on disk."""
    if fmt not in CONTENT_TYPES:
        raise VcsError(N_("Format arsip tidak didukung."))
    if not _PREFIX_RE.fullmatch(prefix) or ".." in prefix:
        raise VcsError(N_("Nama folder arsip tidak valid."))
    if not is_full_sha(sha):
        raise RevisionNotFound()
    entries, size = measure_tree(repo, sha, max_entries=max_entries, max_bytes=max_bytes,
                                 timeout=min(timeout, 60))
    cap = size + size // 100 + (entries + 1) * ENTRY_OVERHEAD + MiB
    fh = tempfile.TemporaryFile(prefix="catalog-archive-", dir=tmp_dir)
    try:
        written = 0
        with GitStream(["archive", f"--format={fmt}", f"--prefix={prefix}/", "--end-of-options", sha],
                       git_dir=repo, timeout=timeout, max_memory=max_memory) as stream:
            while chunk := stream.read():
                written += len(chunk)
                if written > cap:
                    raise SizeLimitExceeded(TOO_BIG, detail=f"archive output over {cap} bytes")
                fh.write(chunk)
            stream.finish()
        fh.flush()
        fh.seek(0)
        return ArchiveFile(fh, written)
    except BaseException:
        fh.close()
        raise
