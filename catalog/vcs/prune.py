"""Delete objects that no ref reaches, so that a commit a push dropped can no longer be fetched.

Protocol v2 upload-pack serves any object the repository stores, reachable or not, so a secret
that was force-pushed away stays fetchable by its id for as long as its objects exist. Hiding
is not possible there; deleting is. `prune` expires reflogs, repacks only what refs reach and
deletes the rest, except:

- objects younger than `grace` seconds: a push (or a sync, or a mirror fetch) writes its objects
  before it moves its refs, and deleting them in between would corrupt the repository. What a
  grace keeps is recorded (the pending file), and `prune` runs again once it has passed;
- `keep`: object ids that must survive although no branch or tag reaches them (deployed commits,
  objects that forks borrow from a mirror). They get refs under `refs/catalog-keep/` for the
  length of the repack (hidden from clients by `transfer.hideRefs`), and lose them afterwards.

A repository remembers the ref tips of its last prune (`catalog-prune-tips`); after a push,
`dropped_tips` compares them with the refs now, so that a push that only added commits costs
one `for-each-ref` and no repack.
"""
from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import N_, GitCommandError, VcsError
from .layout import write_commit_graph
from .mirror import INCOMING
from .mirror import LOCK_FILE as MIRROR_LOCK_FILE
from .refs import ZERO_SHA, is_full_sha
from .runner import run_git

TIPS_FILE = "catalog-prune-tips"        # the ref tips at the last prune (and dropped ones still stored)
PENDING_FILE = "catalog-prune-pending"  # dropped objects were kept by the grace: prune again later
LOCK_FILE = "catalog-prune.lock"
KEEP_PREFIX = "refs/catalog-keep/"
BUSY = N_("Pembersihan repositori ini sedang berjalan. Coba lagi beberapa saat lagi.")


@dataclass(frozen=True)
class PruneResult:
    ran: bool                   # False: no push dropped anything since the last prune; nothing done
    dropped: tuple[str, ...]    # tips of the last prune that no ref reaches now
    remaining: tuple[str, ...]  # of those, still stored (younger than the grace): pruned again later
    objects_before: int = 0
    objects_after: int = 0


def _ago(seconds: int) -> str:
    return "now" if seconds <= 0 else f"{int(seconds)}.seconds.ago"


def list_refs(repo: Path) -> list[tuple[str, str]]:
    """(object id, name) of every ref."""
    out = run_git(["for-each-ref", "--format=%(objectname) %(refname)"], git_dir=repo).text
    return [(sha, name) for sha, _sep, name in (line.partition(" ") for line in out.splitlines()) if name]


def ref_tips(repo: Path, refs: list[tuple[str, str]] | None = None) -> list[str]:
    """Object ids of every ref (of `refs`, when given: a listing already made) but our own
    temporary ones (keep refs, a mirror's staging refs)."""
    listed = list_refs(repo) if refs is None else refs
    return sorted({sha for sha, name in listed if not name.startswith((KEEP_PREFIX, INCOMING))})


def object_types(repo: Path, ids: Iterable[str]) -> dict[str, str]:
    """The type of each of `ids` the repository (or its alternates) stores; missing ones left out."""
    wanted = sorted({i for i in ids if is_full_sha(i)})
    if not wanted:
        return {}
    out = run_git(["cat-file", "--batch-check=%(objectname) %(objecttype)"], git_dir=repo,
                  input="".join(f"{i}\n" for i in wanted).encode(), timeout=120).text
    found = {}
    for i, line in zip(wanted, out.splitlines(), strict=True):
        kind = line.rpartition(" ")[2]
        if kind != "missing":
            found[i] = kind
    return found


def present(repo: Path, ids: Iterable[str]) -> list[str]:
    """Which of `ids` the repository (or its alternates) stores."""
    return sorted(object_types(repo, ids))


def _read_tips(repo: Path) -> list[str] | None:
    try:
        text = (Path(repo) / TIPS_FILE).read_text()
    except FileNotFoundError:
        return None
    return [line.strip() for line in text.splitlines() if is_full_sha(line.strip())]


def _read_pending(repo: Path) -> set[str]:
    try:
        text = (Path(repo) / PENDING_FILE).read_text()
    except FileNotFoundError:
        return set()
    return {line.strip() for line in text.splitlines() if is_full_sha(line.strip())}


def _write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _unreached(repo: Path, tips: list[str], now: list[str], timeout: float) -> list[str]:
    """Which of `tips` (stored objects) no ref in `now` reaches. A tip that is no commit (an
    annotated tag, a tag of a blob) and no ref names any more counts as dropped."""
    types = object_types(repo, set(tips) - set(now))
    others = [t for t, kind in types.items() if kind != "commit"]
    commits = sorted(t for t, kind in types.items() if kind == "commit")
    if not commits:
        return sorted(others)
    lines = [*commits, *(f"^{t}" for t in now)]
    try:
        out = set(run_git(["rev-list", "--stdin"], git_dir=repo, timeout=timeout,
                          input="".join(f"{x}\n" for x in lines).encode()).text.split())
    except GitCommandError:  # a ref now names no commit (a tag of a blob): assume all were dropped
        out = set(commits)
    return sorted({*others, *(c for c in commits if c in out)})


def dropped_tips(repo: Path, *, timeout: float = 300) -> list[str] | None:
    """Tips recorded at the last prune that are still stored but that no ref reaches now (a
    force push, a deleted branch); None when the repository was never pruned."""
    old = _read_tips(repo)
    if old is None:
        return None
    return _unreached(repo, old, ref_tips(repo), timeout)


def is_pending(repo: Path) -> bool:
    return (Path(repo) / PENDING_FILE).exists()


def mark_pending(repo: Path) -> None:
    """Ask the sweep to prune this repository (a prune that could not run now)."""
    path = Path(repo) / PENDING_FILE
    if not path.exists():
        _write(path, "")


def count_objects(repo: Path) -> int:
    """Objects stored in the repository itself (loose and packed; alternates not counted)."""
    fields = dict(line.split(": ", 1) for line in
                  run_git(["count-objects", "-v"], git_dir=repo).text.splitlines() if ": " in line)
    return int(fields.get("count", 0)) + int(fields.get("in-pack", 0))


def borrowed_objects(fork: Path, mirror: Path, *, extra_tips: Iterable[str] = (),
                     timeout: float = 600) -> list[str]:
    """Objects the fork reaches (from its refs and `extra_tips`) that the mirror's refs do not:
    what a prune of the mirror must keep, as the fork may borrow them through its alternates."""
    tips = present(fork, [*ref_tips(fork), *extra_tips])
    if not tips:
        return []
    lines = [*tips, *(f"^{t}" for t in ref_tips(mirror))]
    out = run_git(["rev-list", "--objects", "--stdin"], git_dir=fork, timeout=timeout,
                  max_output=512 * 1024 * 1024,
                  input="".join(f"{x}\n" for x in lines).encode()).text
    return sorted({line[:line.index(" ")] if " " in line else line for line in out.splitlines() if line})


@contextmanager
def _locked(repo: Path, name: str) -> Iterator[None]:
    with open(Path(repo) / name, "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise VcsError(BUSY) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextmanager
def _repo_lock(repo: Path, mirror: bool) -> Iterator[None]:
    """Our own lock; a mirror's fetch lock too (a fetch moves objects in before its refs)."""
    with _locked(repo, LOCK_FILE):
        if mirror:
            with _locked(repo, MIRROR_LOCK_FILE):
                yield
        else:
            yield


def _set_keep_refs(repo: Path, ids: list[str]) -> None:
    hidden = run_git(["config", "--get-all", "transfer.hideRefs"], git_dir=repo, check=False).text.split()
    if KEEP_PREFIX.rstrip("/") not in hidden:
        run_git(["config", "--add", "transfer.hideRefs", KEEP_PREFIX.rstrip("/")], git_dir=repo)
    if ids:
        run_git(["update-ref", "--stdin"], git_dir=repo, timeout=300,
                input="".join(f"update {KEEP_PREFIX}{i} {i}\n" for i in ids).encode())


def _delete_refs(repo: Path, refs: list[tuple[str, str]], prefix: str) -> None:
    """Delete those of `refs` (a listing) under `prefix`: keep refs a killed prune left, or a
    mirror's staging refs left by a crashed fetch (we hold its fetch lock: their objects were
    never moved in, so a walk from them would fail)."""
    stale = [name for _sha, name in refs if name.startswith(prefix)]
    if stale:
        run_git(["update-ref", "--stdin"], git_dir=repo, timeout=300,
                input="".join(f"delete {name}\n" for name in stale).encode())


def _own(repo: Path, ids: list[str]) -> list[str]:
    """Those of `ids` that are not also in the repositories this one borrows from (a fork's
    mirror): a fork cannot delete what it borrows, and need not (it is upstream's history)."""
    try:
        lines = (repo / "objects" / "info" / "alternates").read_text().splitlines()
    except FileNotFoundError:
        return ids
    borrowed: set[str] = set()
    for line in lines:
        if line.strip() and not line.startswith("#"):
            objects = (repo / "objects" / line.strip()).resolve()
            if (objects.parent / "HEAD").exists():
                borrowed.update(present(objects.parent, ids))
    return [i for i in ids if i not in borrowed]


def _logged_tips(repo: Path) -> list[str]:
    """Every old and new value in the reflogs (core.logAllRefUpdates, set by the first prune):
    the tips that pushes moved through since the last prune, in case a later push dropped one
    before the job ran. A deleted branch takes its reflog with it (a limit: a branch created and
    deleted before the job ran is found by the admin's purge, not here)."""
    tips: set[str] = set()
    logs = Path(repo) / "logs" / "refs"
    if not logs.is_dir():
        return []
    for path in logs.rglob("*"):
        if not path.is_file():
            continue
        try:
            text = path.read_text(errors="replace")
        except OSError:
            continue
        for line in text.splitlines():
            parts = line.split(" ", 2)
            tips.update(p for p in parts[:2] if is_full_sha(p) and p != ZERO_SHA)
    return sorted(tips)


def _expire_reflogs(repo: Path, timeout: float) -> None:
    run_git(["reflog", "expire", "--expire=now", "--expire-unreachable=now", "--all"],
            git_dir=repo, timeout=timeout)


def _repack(repo: Path, grace: int, timeout: float) -> None:
    """Pack what refs reach (our own objects only: a fork's borrowed ones stay in the mirror);
    unreachable objects younger than the grace become loose, so that `prune` keeps them."""
    keep_young = ["-A", f"--unpack-unreachable={_ago(grace)}"] if grace > 0 else ["-a"]
    run_git(["-c", "gc.writeCommitGraph=false", "repack", *keep_young, "-d", "-l", "-q"],
            git_dir=repo, timeout=timeout)
    run_git(["prune", f"--expire={_ago(grace)}"], git_dir=repo, timeout=timeout)


def prune(repo: Path, *, grace: int, keep: Iterable[str] = (), force: bool = False,
          mirror: bool = False, timeout: float = 3600, retry_pending: bool = True) -> PruneResult:
    """Delete every object that no ref (nor `keep`) reaches and that is older than `grace`
    seconds. Without `force`, does nothing (but remember the tips) unless a push dropped a tip
    since the last prune, or the repository was never pruned. Raises VcsError (BUSY) while
    another prune of the same repository (or, for a mirror, a fetch) runs; GitCommandError or
    GitTimeout from git.

    Without `retry_pending`, tips an earlier prune kept for the grace (the pending file) do not
    count as dropped: they are younger than the grace, so a repack now would keep them again.
    The push job passes it, so each push after a force push does not repack the repository
    until the grace has passed; the sweep of pending repositories retries them."""
    repo = Path(repo)
    with _repo_lock(repo, mirror):
        refs = list_refs(repo)  # one listing: the deletions below leave every other ref as it is
        if mirror:
            _delete_refs(repo, refs, INCOMING)
        _delete_refs(repo, refs, KEEP_PREFIX)  # what a killed prune may have left
        old = _read_tips(repo)
        known = None if old is None else [*old, *_logged_tips(repo)]
        now = ref_tips(repo, refs)
        dropped = _unreached(repo, known, now, timeout) if known is not None else []
        waiting = set() if retry_pending else _read_pending(repo) & set(dropped)
        if known is not None and not force and set(dropped) <= waiting:
            _expire_reflogs(repo, timeout)  # every tip they name is reachable or waiting: nothing more to remember
            _write(repo / TIPS_FILE, "".join(f"{t}\n" for t in sorted({*now, *waiting})))
            if not waiting:
                (repo / PENDING_FILE).unlink(missing_ok=True)
            return PruneResult(False, (), tuple(sorted(waiting)))
        run_git(["config", "core.logAllRefUpdates", "true"], git_dir=repo)
        before = count_objects(repo)
        _set_keep_refs(repo, present(repo, keep))
        try:
            _expire_reflogs(repo, timeout)
            _repack(repo, grace, timeout)
        finally:
            _delete_refs(repo, list_refs(repo), KEEP_PREFIX)
        if mirror:
            write_commit_graph(repo)  # the old graph may name commits that are gone now
        remaining = _own(repo, present(repo, dropped))
        _write(repo / TIPS_FILE, "".join(f"{t}\n" for t in sorted({*now, *remaining})))
        if remaining:
            _write(repo / PENDING_FILE, "".join(f"{t}\n" for t in remaining))
        else:
            (repo / PENDING_FILE).unlink(missing_ok=True)
        return PruneResult(True, tuple(dropped), tuple(remaining), before, count_objects(repo))
