"""Upstream mirrors: clone, fetch and bundle import, atomic and capped in time and size."""
from __future__ import annotations

import fcntl
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .env import DEFAULT_OPTIONS, GitOptions, config_args
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
FETCH_BUSY = N_("Pembaruan mirror ini sedang berjalan.")
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
    """The fetch lock of one machine. Several nodes on PostgreSQL also hold it in the
    database first (services/repos/repo_locks.py), whatever their NFS mount options."""
    with open(Path(path) / LOCK_FILE, "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise VcsError(FETCH_BUSY) from None
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


# What the fetch path refuses, in words. A bundle is not a fetch: git (before 2.47) indexes a
# bundle's pack without its transfer.fsckObjects checks, so the import runs `git fsck` itself
# with the same severities (issue 13, finding 6). Keys are git's fsck message ids.
FSCK_REASONS = {
    "gitmodulesUrl": N_("Bundel ditolak: berkas .gitmodules memuat alamat submodul yang berbahaya "
                        "(misalnya diawali tanda \"-\", sehingga dibaca git sebagai opsi perintah). "
                        "Pemeriksaan yang gagal: gitmodulesUrl."),
    "gitmodulesPath": N_("Bundel ditolak: berkas .gitmodules memuat jalur submodul yang diawali "
                         "tanda \"-\" (dibaca git sebagai opsi perintah). Pemeriksaan yang gagal: "
                         "gitmodulesPath."),
    "gitmodulesName": N_("Bundel ditolak: berkas .gitmodules memuat nama submodul yang tidak aman "
                         "(misalnya berisi \"..\" yang keluar dari folder modul git). Pemeriksaan "
                         "yang gagal: gitmodulesName."),
    "hasDotgit": N_("Bundel ditolak: repositori memuat folder atau berkas bernama .git, yang dapat "
                    "menimpa konfigurasi atau hook git saat kode diambil. Pemeriksaan yang gagal: "
                    "hasDotgit."),
    "hasDotdot": N_("Bundel ditolak: repositori memuat entri bernama \"..\", yang dapat menulis di "
                    "luar folder kode saat diambil. Pemeriksaan yang gagal: hasDotdot."),
    "hasDot": N_("Bundel ditolak: repositori memuat entri bernama \".\". Pemeriksaan yang gagal: "
                 "hasDot."),
}
GITMODULES_UNREADABLE = N_("Bundel ditolak: berkas .gitmodules tidak dapat diperiksa dengan aman "
                           "(rusak, terlalu besar atau berupa tautan simbolik).")
OBJECTS_MISSING = N_("Bundel ditolak: objek git di dalamnya tidak lengkap (ada objek yang dirujuk "
                     "tetapi tidak ikut dikirim).")
OBJECTS_INVALID = N_("Bundel ditolak: objek git di dalamnya rusak atau tidak sah menurut pemeriksaan "
                     "git fsck.")
NO_BRANCH = N_("Bundel tidak berisi cabang (branch). Buat dengan: git bundle create aplikasi.bundle --all")
# "error in tree <id>: hasDotdot: …" (fsck) or "error: object <id>: gitmodulesUrl: …" (index-pack)
_FSCK_MESSAGE = re.compile(r"(?:error in [a-z]+ [0-9a-f]+|object [0-9a-f]+): ([a-zA-Z]+):")
_FSCK_MISSING = re.compile(r"^(?:missing [a-z]+ [0-9a-f]+|broken link from)", re.MULTILINE)


def fsck_severities() -> tuple[str, ...]:
    """`fsck.<id>=<severity>` for every `fetch.fsck.<id>` the fetch path sets (env.config_args),
    so that `git fsck` forgives exactly what a fetch forgives and nothing more."""
    pairs = config_args(DEFAULT_OPTIONS)[1::2]
    return tuple(f"fsck.{pair[len('fetch.fsck.'):]}" for pair in pairs if pair.startswith("fetch.fsck."))


def object_refusal(stderr: str) -> str | None:
    """The reason, in words, for the first object check git reports in `stderr`; None if none."""
    match = _FSCK_MESSAGE.search(stderr)
    if match:
        msg_id = match.group(1)
        if msg_id in FSCK_REASONS:
            return FSCK_REASONS[msg_id]
        return GITMODULES_UNREADABLE if msg_id.startswith("gitmodules") else OBJECTS_INVALID
    if _FSCK_MISSING.search(stderr):
        return OBJECTS_MISSING
    return None


def check_objects(path: Path, *, timeout: float = 3600) -> None:
    """Every object in `path` through git's object checks as a fetch applies them
    (`transfer.fsckObjects` with the fetch.fsck.* severities: `--strict` turns the warnings a
    checkout would regret — `.git`, `..`, `.` entries — into errors, like index-pack's); also
    connectivity, so a bundle that leans on objects it does not carry is refused.
    Raises InvalidBundle with the failed check in words."""
    opts = GitOptions(config=fsck_severities())
    result = run_git(["fsck", "--strict", "--no-dangling", "--no-reflogs", "--no-progress"],
                     git_dir=path, opts=opts, timeout=timeout, check=False)
    if result.returncode != 0:
        stderr = result.stderr.decode("utf-8", "replace")
        raise InvalidBundle(object_refusal(stderr) or OBJECTS_INVALID, detail=stderr[-2000:])


def _verify(repo: Path, bundle: Path, timeout: float) -> dict[str, str]:
    """`git bundle verify` (complete, readable) and its refs as {name: id}; needs at least a branch."""
    file_ok = GitOptions(allow_file=True)
    try:
        run_git(["bundle", "verify", "--quiet", "--", str(bundle)], git_dir=repo,
                opts=file_ok, timeout=min(timeout, 600))
    except GitCommandError as exc:
        raise InvalidBundle(detail=exc.stderr) from None
    heads = run_git(["bundle", "list-heads", "--", str(bundle)], git_dir=repo, opts=file_ok,
                    timeout=min(timeout, 600)).text.split()
    refs = dict(zip(heads[1::2], heads[0::2], strict=False))
    if not any(name.startswith("refs/heads/") for name in refs):
        raise InvalidBundle(NO_BRANCH)
    return refs


def verify_bundle(bundle_path: Path, *, timeout: float = 120) -> dict[str, str]:
    """The quick check an upload gets before it is queued: the header says a complete bundle
    with at least one branch (reads the header, never the pack). Raises InvalidBundle."""
    bundle = Path(bundle_path).resolve()
    if not bundle.is_file():
        raise InvalidBundle(N_("Berkas bundle tidak ditemukan."))
    with tempfile.TemporaryDirectory(prefix=".verify-", dir=bundle.parent) as scratch:
        init_bare(Path(scratch))
        return _verify(Path(scratch), bundle, timeout)


def import_bundle(dest: Path, bundle_path: Path, *, timeout: float = 3600,
                  max_bytes: int = 2 * GiB,
                  progress: ProgressCallback | None = None) -> RepoInfo:
    """Create a mirror from a complete `git bundle` file (offline installs).

    The bundle is fetched into a staging repository beside `dest` (never served: a dot-named
    temp dir no row points to) and passes the same object checks as a fetch (`check_objects`)
    before it is renamed into place. Raises InvalidBundle (unreadable, needs commits we don't
    have, or refused by an object check: the message says which, in words), SizeLimitExceeded,
    GitTimeout. Nothing is left behind on failure.
    """
    bundle = Path(bundle_path).resolve()
    if not bundle.is_file():
        raise InvalidBundle(N_("Berkas bundle tidak ditemukan."))
    parser = ProgressParser(progress)
    file_ok = GitOptions(allow_file=True)
    with staged(Path(dest)) as tmp:
        init_bare(tmp)
        refs = _verify(tmp, bundle, timeout)
        try:
            run_git(["fetch", "--progress", "--no-write-fetch-head", "--", str(bundle), *REFSPECS],
                    git_dir=tmp, opts=file_ok, timeout=timeout, on_stderr=parser.feed,
                    watchdog=_size_guard(tmp, max_bytes))
        except GitCommandError as exc:  # newer gits check a bundle's objects while fetching
            raise InvalidBundle(object_refusal(exc.stderr), detail=exc.stderr) from None
        _size_guard(tmp, max_bytes)()
        parser.report(90, "Memeriksa objek")
        check_objects(tmp, timeout=timeout)
        _choose_head(tmp, refs)
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

