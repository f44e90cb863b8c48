"""Whole-repository bundles for backups: snapshot the refs, write, verify and apply a bundle.

A backup keeps each repository as one `git bundle` file, not as a copy of its directory:

- A bundle is a snapshot. `git bundle create` reads every ref once and packs exactly the
  objects those refs reach, so a push landing meanwhile cannot leave a ref naming an object
  the copy lacks (a file-by-file copy of `objects/` and `packed-refs` can, and a concurrent
  repack or prune can delete a pack between listing and copying it).
- A bundle checks itself: `git bundle verify` and the fetch that restores it check the pack
  and the prerequisites, so a damaged backup is found before anything is restored from it.
- Forks keep sharing objects with their mirror. A fork's bundle names the mirror's backed-up
  refs as prerequisites (`^<id>`), so it holds only the fork's own objects; restored with
  `objects/info/alternates` pointing at the restored mirror, the fork borrows the rest again,
  as `create_fork` made it. A fork with nothing of its own has no bundle, only its refs
  (`covered`), and the restore checks that the mirror holds each of them.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from .env import GitOptions
from .errors import GitCommandError, SizeLimitExceeded, VcsError
from .refs import is_full_sha, is_valid_ref_name
from .runner import run_git

# Staging refs of a mirror fetch in progress (mirror.INCOMING): never part of a backup.
SKIPPED_REFS = ("refs/catalog-incoming/",)
FILE_OK = GitOptions(allow_file=True)
EMPTY_BUNDLE = "Refusing to create empty bundle"


def list_refs(repo: Path) -> dict[str, str]:
    """{refname: object id} of every ref but the staging ones."""
    out = run_git(["for-each-ref", "--format=%(objectname) %(refname)"], git_dir=repo).text
    refs = {}
    for line in out.splitlines():
        sha, _, name = line.partition(" ")
        if name and not name.startswith(SKIPPED_REFS):
            refs[name] = sha
    return refs


def symbolic_head(repo: Path) -> str | None:
    """The branch HEAD names (`refs/heads/main`), or None when HEAD is detached or missing."""
    out = run_git(["symbolic-ref", "-q", "HEAD"], git_dir=repo, check=False)
    name = out.text.strip()
    return name if out.returncode == 0 and is_valid_ref_name(name) else None


def create_bundle(repo: Path, dest: Path, *, prerequisites: Iterable[str] = (),
                  timeout: float = 3600) -> dict[str, str] | None:
    """Write every ref of `repo` (staging refs aside) and the objects they reach into `dest`,
    minus what `prerequisites` (object ids the restore will already have) reach.

    Returns the refs the bundle holds — the repository's refs at the moment git read them —
    or None when there is nothing to write: no ref, or every object already reachable from
    the prerequisites (then the refs alone, from `list_refs`, describe the repository).
    """
    excluded = "".join(f"^{sha}\n" for sha in prerequisites if is_full_sha(sha))
    try:
        run_git(["bundle", "create", "--quiet", str(dest), "--exclude=refs/catalog-incoming/*",
                 "--all", "--stdin"], git_dir=repo, input=excluded.encode(), opts=FILE_OK,
                timeout=timeout)
    except GitCommandError as exc:
        if EMPTY_BUNDLE in exc.stderr:
            Path(dest).unlink(missing_ok=True)
            return None
        raise
    return {name: sha for name, sha in bundle_heads(dest).items() if name != "HEAD"}


def covered(repo: Path, refs: Mapping[str, str], prerequisites: Iterable[str], *,
            timeout: float = 600) -> bool:
    """True when every object `refs` reach is also reached from `prerequisites`: the refs
    alone then describe the repository, given what the prerequisites' bundle holds."""
    tips = sorted({sha for sha in refs.values() if is_full_sha(sha)})
    if not tips:
        return True
    bases = sorted({sha for sha in prerequisites if is_full_sha(sha)})
    if not bases:
        return False
    stdin = "".join(f"{sha}\n" for sha in tips) + "".join(f"^{sha}\n" for sha in bases)
    try:
        out = run_git(["rev-list", "--objects", "--stdin"], git_dir=repo, input=stdin.encode(),
                      timeout=timeout, max_output=64 * 1024)
    except SizeLimitExceeded:
        return False  # more than a screenful of objects of its own
    return not out.stdout.strip()


def bundle_heads(bundle: Path, *, timeout: float = 600) -> dict[str, str]:
    """{refname: object id} that the bundle's header lists."""
    out = run_git(["bundle", "list-heads", "--", str(Path(bundle).resolve())], opts=FILE_OK,
                  timeout=timeout).text
    refs = {}
    for line in out.splitlines():
        sha, _, name = line.partition(" ")
        if name:
            refs[name] = sha
    return refs


def verify_bundle(repo: Path, bundle: Path, *, timeout: float = 600) -> None:
    """`git bundle verify` inside `repo` (which must hold the prerequisites). Raises VcsError."""
    try:
        run_git(["bundle", "verify", "--quiet", "--", str(Path(bundle).resolve())], git_dir=repo,
                opts=FILE_OK, timeout=timeout)
    except GitCommandError as exc:
        raise VcsError(detail=exc.stderr) from None


def fetch_bundle(repo: Path, bundle: Path, *, timeout: float = 3600) -> None:
    """Every ref of the bundle into `repo` under the same name, with its objects (git checks the
    pack and that everything the refs reach is present). Raises VcsError."""
    try:
        run_git(["fetch", "--quiet", "--no-write-fetch-head", "--update-head-ok", "--",
                 str(Path(bundle).resolve()), "+refs/*:refs/*"], git_dir=repo, opts=FILE_OK,
                timeout=timeout)
    except GitCommandError as exc:
        raise VcsError(detail=exc.stderr) from None


def write_refs(repo: Path, refs: Mapping[str, str]) -> None:
    """Create `refs` in one transaction; git refuses (VcsError) a ref whose object is missing."""
    lines = "".join(f"update {name} {sha}\n" for name, sha in sorted(refs.items())
                    if is_valid_ref_name(name) and is_full_sha(sha))
    if not lines:
        return
    try:
        run_git(["update-ref", "--stdin"], git_dir=repo, input=lines.encode())
    except GitCommandError as exc:
        raise VcsError(detail=exc.stderr) from None


def missing_objects(repo: Path, shas: Iterable[str]) -> list[str]:
    """Those of `shas` that `repo` (with its alternates) does not hold."""
    wanted = sorted({s for s in shas if is_full_sha(s)})
    if not wanted:
        return []
    out = run_git(["cat-file", "--batch-check=%(objectname)"], git_dir=repo,
                  input="".join(f"{s}\n" for s in wanted).encode()).text
    return [line.split()[0] for line in out.splitlines() if line.endswith(" missing")]
