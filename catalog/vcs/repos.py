"""Read-only queries on a bare repository: HEAD, revisions, blobs, trees and releases."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from .errors import N_, RevisionNotFound, SizeLimitExceeded
from .refs import validate_rev, validate_tree_path
from .results import Release, RepoInfo, TreeEntry
from .runner import MiB, run_git
from .stream import GitStream

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_MESSAGE = 8 * 1024
_SIGNATURES = (b"-----BEGIN PGP SIGNATURE-----", b"-----BEGIN SSH SIGNATURE-----",
               b"-----BEGIN SIGNED MESSAGE-----")
_KINDS = {"040000": "tree", "120000": "symlink", "160000": "submodule"}


def resolve(path: Path, rev: str) -> str | None:
    """Full sha of the commit `rev` names, or None when it is missing or not a valid name."""
    try:
        rev = validate_rev(rev)
    except RevisionNotFound:
        return None
    result = run_git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
                     git_dir=path, check=False)
    return result.text.strip() if result.returncode == 0 else None


def require_commit(path: Path, rev: str) -> str:
    """Like resolve, but raise RevisionNotFound instead of returning None."""
    sha = resolve(path, rev)
    if sha is None:
        raise RevisionNotFound()
    return sha


def is_ancestor(path: Path, ancestor: str, descendant: str, *,
                env: Mapping[str, str] | None = None) -> bool:
    """True when `ancestor` is reachable from `descendant` (both full shas)."""
    result = run_git(["merge-base", "--is-ancestor", "--end-of-options", ancestor, descendant],
                     git_dir=path, check=False, env_extra=env)
    if result.returncode not in (0, 1):
        raise RevisionNotFound(detail=result.stderr.decode("utf-8", "replace")[:500])
    return result.returncode == 0


def head_info(path: Path) -> RepoInfo:
    """HEAD's commit and branch; both None in an empty repository."""
    ref = run_git(["symbolic-ref", "--quiet", "HEAD"], git_dir=path, check=False).text.strip()
    branch = ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else None
    return RepoInfo(Path(path), resolve(path, "HEAD"), branch)


def object_info(path: Path, name: str) -> tuple[str, str, int] | None:
    """(oid, type, size) for an object expression like `<sha>:<path>`, or None when missing."""
    out = run_git(["cat-file", "--batch-check"], git_dir=path,
                  input=name.encode() + b"\n").text.strip()
    fields = out.split(" ")
    if len(fields) != 3 or not fields[2].isdigit():
        return None
    return fields[0], fields[1], int(fields[2])


def read_blob(path: Path, rev: str, filepath: str, max_bytes: int = MiB) -> bytes | None:
    """File content at `rev`, None when absent or not a file. A symlink yields its link text —
    git stores that as the blob, nothing on disk is followed. Raises SizeLimitExceeded."""
    sha = resolve(path, rev)
    try:
        clean = validate_tree_path(filepath)
    except RevisionNotFound:
        return None
    if sha is None or not clean:
        return None
    info = object_info(path, f"{sha}:{clean}")
    if info is None or info[1] != "blob":
        return None
    if info[2] > max_bytes:
        raise SizeLimitExceeded(N_("Berkas terlalu besar untuk ditampilkan."))
    return run_git(["cat-file", "blob", info[0]], git_dir=path, max_output=max_bytes).stdout


def list_tree(path: Path, rev: str, subdir: str = "", *, limit: int = 5000) -> list[TreeEntry]:
    """Entries of one directory at `rev` (not recursive). Raises RevisionNotFound."""
    sha = require_commit(path, rev)
    clean = validate_tree_path(subdir)
    info = object_info(path, f"{sha}:{clean}" if clean else f"{sha}^{{tree}}")
    if info is None or info[1] != "tree":
        raise RevisionNotFound(N_("Folder tidak ditemukan."))
    entries: list[TreeEntry] = []
    for record in _tree_records(path, info[0], limit):
        meta, _, name_b = record.partition(b"\t")
        mode, kind, oid, size = meta.decode().split(maxsplit=3)
        name = name_b.decode("utf-8", "replace")
        entries.append(TreeEntry(
            name=name, path=f"{clean}/{name}" if clean else name,
            kind=_KINDS.get(mode, "blob"), mode=mode, oid=oid,  # type: ignore[arg-type]
            size=int(size) if size.strip().isdigit() else None))
    return entries


def _tree_records(path: Path, tree: str, limit: int) -> list[bytes]:
    """Up to `limit` raw `ls-tree -l` records of one tree, read as git writes them; git is
    killed once we have enough, so a directory with millions of entries costs no more."""
    records: list[bytes] = []
    pending = b""
    with GitStream(["ls-tree", "-z", "-l", "--end-of-options", tree], git_dir=path,
                   timeout=60) as stream:
        while len(records) < limit and (chunk := stream.read()):
            parts = (pending + chunk).split(b"\0")
            pending = parts.pop()
            if len(pending) > 64 * 1024:
                raise SizeLimitExceeded(detail="ls-tree record too long")
            records += [p for p in parts if p]
        if len(records) < limit:
            stream.finish()
    return records[:limit]


def _message(raw: bytes) -> str:
    _, _, body = raw.partition(b"\n\n")
    for marker in _SIGNATURES:
        body = body.split(marker, 1)[0]
    return body[:MAX_MESSAGE].decode("utf-8", "replace").strip()


def read_messages(path: Path, oids: list[str]) -> dict[str, str]:
    """Messages of tag/commit objects in one `cat-file --batch` call."""
    if not oids:
        return {}
    out = run_git(["cat-file", "--batch"], git_dir=path,
                  input="".join(f"{oid}\n" for oid in oids).encode()).stdout
    messages, pos = {}, 0
    while pos < len(out):
        eol = out.index(b"\n", pos)
        fields = out[pos:eol].split(b" ")
        pos = eol + 1
        if len(fields) != 3:  # "<oid> missing"
            continue
        size = int(fields[2])
        messages[fields[0].decode()] = _message(out[pos:pos + size])
        pos += size + 1
    return messages


def list_releases(path: Path, *, not_in: str | None = None,
                  limit: int | None = None) -> list[Release]:
    """Tags that point (through any tag chain) at a commit, newest first by tag/commit date.

    `not_in` (a full sha) keeps only tags whose commit is not reachable from it.
    """
    fmt = "%(objectname) %(objecttype) %(creatordate:iso-strict) %(refname)"
    args = ["for-each-ref", "--sort=-creatordate", f"--format={fmt}"]
    if not_in:
        args.append(f"--no-merged={require_commit(path, not_in)}")
    if limit:
        args.append(f"--count={limit}")
    rows = [line.split(" ", 3) for line in
            run_git([*args, "refs/tags/"], git_dir=path).text.splitlines() if line]
    if not rows:
        return []
    peeled = run_git(["cat-file", "--batch-check"], git_dir=path,
                     input="".join(f"{r[0]}^{{commit}}\n" for r in rows).encode()).text
    messages = read_messages(path, sorted({r[0] for r in rows}))
    releases = []
    for row, check in zip(rows, peeled.splitlines(), strict=True):
        oid, _kind, date, ref = row
        fields = check.split(" ")
        if len(fields) != 3 or fields[1] != "commit":
            continue  # a tag on a tree or blob is not a release
        when = datetime.fromisoformat(date) if date else EPOCH
        releases.append(Release(ref.removeprefix("refs/tags/"), fields[0], when,
                                messages.get(oid, "")))
    return releases
