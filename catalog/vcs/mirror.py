"""Upstream mirrors: clone, fetch and bundle import, atomic and capped in time and size."""
from __future__ import annotations

import fcntl
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .env import GitOptions
from .errors import N_, GitCommandError, InvalidBundle, SizeLimitExceeded, VcsError
from .fsutil import dir_size, staged
from .layout import MIRROR_CONFIG, branches, init_bare, set_config, set_head, write_commit_graph
from .progress import ProgressCallback, ProgressParser
from .refs import is_valid_ref_name
from .repos import head_info
from .results import RepoInfo
from .runner import run_git
from .sync import QUARANTINE_PREFIX, migrate, quarantine
from .urls import CheckedRemote

GiB = 1024 ** 3
REFSPECS = ("+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")
LOCK_FILE = "catalog-fetch.lock"
# A refresh lands in staging refs and a quarantined object dir first; only once it is known to
# fit under the size cap do the objects move in and the refs change, in one transaction.
INCOMING = "refs/catalog-incoming/"
INCOMING_REFSPECS = (f"+refs/heads/*:{INCOMING}heads/*", f"+refs/tags/*:{INCOMING}tags/*")


def _size_guard(path: Path, max_bytes: int):
    def check() -> None:
        if dir_size(path) > max_bytes:
            raise SizeLimitExceeded()
    return check


def _finish(tmp: Path, max_bytes: int) -> None:
    _size_guard(tmp, max_bytes)()
    set_config(tmp, MIRROR_CONFIG)
    write_commit_graph(tmp)


def create_mirror(dest: Path, remote: CheckedRemote, *, timeout: float = 3600,
                  max_bytes: int = 2 * GiB,
                  progress: ProgressCallback | None = None) -> RepoInfo:
    """Clone branches and tags of `remote` into a new bare mirror at `dest`.

    `clone --bare` rather than `--mirror`: forges advertise refs/pull/* and similar that we
    neither want nor should store. Raises GitTimeout, SizeLimitExceeded, GitCommandError;
    on any failure nothing is left at or beside `dest`.
    """
    if not isinstance(remote, CheckedRemote):
        raise TypeError("remote must come from check_remote_url()")
    parser = ProgressParser(progress)
    with staged(Path(dest)) as tmp:
        run_git(["clone", "--bare", "--no-local", "--progress", "--", remote.url, str(tmp)],
                opts=remote.git_options(), timeout=timeout, on_stderr=parser.feed,
                watchdog=_size_guard(tmp, max_bytes))
        run_git(["config", "--remove-section", "remote.origin"], git_dir=tmp, check=False)
        _finish(tmp, max_bytes)
        info = head_info(tmp)
    parser.report(100, "Selesai")
    return RepoInfo(Path(dest), info.head, info.default_branch)


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    with open(Path(path) / LOCK_FILE, "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise VcsError(N_("Pembaruan mirror ini sedang berjalan.")) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _remove_partial_packs(path: Path) -> None:
    pack_dir = Path(path) / "objects" / "pack"
    for entry in pack_dir.glob("tmp_*"):
        try:
            entry.unlink()
        except OSError:
            pass


def _refs(path: Path, prefix: str) -> dict[str, str]:
    out = run_git(["for-each-ref", "--format=%(objectname) %(refname)", prefix], git_dir=path).text
    return {name: sha for sha, _, name in (line.partition(" ") for line in out.splitlines())}


def _drop_incoming(path: Path) -> None:
    """Forget what an abandoned (or crashed) refresh left: staging refs and quarantines.
    Called under the fetch lock, so no fetch of ours is using them."""
    stale = _refs(path, INCOMING)
    if stale:
        run_git(["update-ref", "--stdin"], git_dir=path,
                input="".join(f"delete {name}\n" for name in stale).encode())
    for tmp in (Path(path) / "objects").glob(f"{QUARANTINE_PREFIX}fetch-*"):
        shutil.rmtree(tmp, ignore_errors=True)


def _promote(path: Path) -> None:
    """Make the staging refs the mirror's branches and tags in one transaction: changed refs
    move, refs upstream no longer has are pruned (objects stay, forks may borrow them)."""
    incoming = _refs(path, INCOMING)
    wanted = {f"refs/{name[len(INCOMING):]}": sha for name, sha in incoming.items()}
    current = {**_refs(path, "refs/heads/"), **_refs(path, "refs/tags/")}
    lines = [f"update {name} {sha}\n" for name, sha in wanted.items()
             if current.get(name) != sha and is_valid_ref_name(name)]
    lines += [f"delete {name}\n" for name in current if name not in wanted]
    lines += [f"delete {name}\n" for name in incoming]
    run_git(["update-ref", "--stdin"], git_dir=path, input="".join(lines).encode())


def _remote_head(path: Path, remote: CheckedRemote, timeout: float) -> str | None:
    out = run_git(["ls-remote", "--symref", "--", remote.url, "HEAD"], git_dir=path,
                  opts=remote.git_options(), timeout=timeout, check=False).text
    for line in out.splitlines():
        if line.startswith("ref: refs/heads/") and line.endswith("\tHEAD"):
            branch = line[len("ref: refs/heads/"):-len("\tHEAD")]
            return branch if is_valid_ref_name(branch) else None
    return None


def fetch_mirror(path: Path, remote: CheckedRemote, *, timeout: float = 3600,
                 max_bytes: int = 2 * GiB,
                 progress: ProgressCallback | None = None) -> RepoInfo:
    """Fetch branches and tags (pruning deleted ones, all-or-nothing) into an existing mirror.

    Pruning removes refs only; objects stay, so forks never lose what they borrow. New objects
    arrive in a quarantine under staging refs; a refresh that fails or grows the mirror past
    `max_bytes` is dropped whole, leaving refs and objects as they were.
    Raises GitTimeout, SizeLimitExceeded, GitCommandError, VcsError (fetch already running).
    """
    if not isinstance(remote, CheckedRemote):
        raise TypeError("remote must come from check_remote_url()")
    path = Path(path)
    parser = ProgressParser(progress)
    with _exclusive(path):
        _drop_incoming(path)
        try:
            with quarantine(path, label="fetch-") as (tmp, env):
                run_git(["fetch", "--progress", "--atomic", "--no-write-fetch-head",
                         "--", remote.url, *INCOMING_REFSPECS], git_dir=path,
                        opts=remote.git_options(), timeout=timeout, on_stderr=parser.feed,
                        env_extra=env, watchdog=_size_guard(path / "objects", max_bytes))
                _size_guard(path / "objects", max_bytes)()
                migrate(tmp, path.resolve() / "objects")
        except BaseException:
            _drop_incoming(path)
            _remove_partial_packs(path)
            raise
        _promote(path)
        head = _remote_head(path, remote, timeout=min(timeout, 120))
        if head and head in branches(path):
            set_head(path, head)
        _finish(path, max_bytes)
    parser.report(100, "Selesai")
    return head_info(path)


def import_bundle(dest: Path, bundle_path: Path, *, timeout: float = 3600,
                  max_bytes: int = 2 * GiB,
                  progress: ProgressCallback | None = None) -> RepoInfo:
    """Create a mirror from a complete `git bundle` file (offline installs).

    Raises InvalidBundle (unreadable, or needs commits we don't have), SizeLimitExceeded,
    GitTimeout. Nothing is left behind on failure.
    """
    bundle = Path(bundle_path).resolve()
    if not bundle.is_file():
        raise InvalidBundle(N_("Berkas bundle tidak ditemukan."))
    parser = ProgressParser(progress)
    file_ok = GitOptions(allow_file=True)
    with staged(Path(dest)) as tmp:
        init_bare(tmp)
        try:
            run_git(["bundle", "verify", "--quiet", "--", str(bundle)], git_dir=tmp,
                    opts=file_ok, timeout=min(timeout, 600))
        except GitCommandError as exc:
            raise InvalidBundle(detail=exc.stderr) from None
        heads = run_git(["bundle", "list-heads", "--", str(bundle)], git_dir=tmp,
                        opts=file_ok).text.split()
        run_git(["fetch", "--progress", "--no-write-fetch-head", "--", str(bundle), *REFSPECS],
                git_dir=tmp, opts=file_ok, timeout=timeout, on_stderr=parser.feed,
                watchdog=_size_guard(tmp, max_bytes))
        _choose_head(tmp, dict(zip(heads[1::2], heads[0::2], strict=False)))
        _finish(tmp, max_bytes)
        info = head_info(tmp)
    parser.report(100, "Selesai")
    return RepoInfo(Path(dest), info.head, info.default_branch)


def _choose_head(path: Path, bundle_refs: dict[str, str]) -> None:
    """HEAD follows the bundle's HEAD when it names a branch, else main/master/first branch."""
    names = branches(path)
    if not names:
        return
    head_sha = bundle_refs.get("HEAD")
    matching = [b for b in names if bundle_refs.get(f"refs/heads/{b}") == head_sha]
    for candidate in [*(matching if head_sha else []), "main", "master", names[0]]:
        if candidate in names:
            set_head(path, candidate)
            return


def repack_mirror(path: Path, *, timeout: float = 3600) -> None:
    """Consolidate packs; `--keep-unreachable` keeps objects forks may still borrow."""
    with _exclusive(Path(path)):
        run_git(["repack", "-a", "-d", "-q", "--keep-unreachable"], git_dir=path,
                timeout=timeout)
        write_commit_graph(path)

