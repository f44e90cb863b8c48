"""Our receive hooks: the scripts in each fork, the entry point they call, the push receipt,
and a fork's disk quota.

The scripts hold no path of this install. The web process names its entry point
(CATALOG_HOOK, the `catalog-hook` console script next to its own Python) at every push, so a
moved install or a rebuilt venv keeps working without touching the repositories. It also names
its Python and `hookmain.py` as git configuration (`launch_config`, set by `env.config_args` for
pushes; git hands it to hooks in GIT_CONFIG_PARAMETERS): pre-receive then starts that Python
with `-I -S` on that file, without `site` and the editable install's finder, and falls back to
CATALOG_HOOK when either is missing. post-receive starts no Python at all: it copies the updated
refs into a receipt file the web process named (CATALOG_PUSH_RECEIPT), and the web process
records the push once git has finished.

The pre-receive hook imports this module in a fresh Python at every push: only `os` and `sys`
at the top (pathlib, tempfile, dataclasses, contextlib and subprocess cost it ≈ 30 ms of CPU);
what only the web process calls imports what it needs inside.
"""
from __future__ import annotations

import os
import sys

from .refs import ZERO_SHA, is_full_sha, is_valid_ref_name

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: never imported when the hook runs
    from collections.abc import Iterable
    from pathlib import Path

    PathLike = str | os.PathLike[str]

HOOK_ENV = "CATALOG_HOOK"
RECEIPT_ENV = "CATALOG_PUSH_RECEIPT"
ENTRY_POINT = "catalog-hook"  # [project.scripts] in pyproject.toml
PROTECTED_FILE = "catalog-protected-commits"
MAX_RECEIPT = 4 * 1024 * 1024
_OLD_FILES = ("catalog-hooks.json",)  # the post-receive command file of earlier releases
# git configuration the web process passes to pushes (lower case: as git hands it on)
INTERPRETER_KEY, MAIN_KEY = "catalog.hookinterpreter", "catalog.hookmain"
QUOTA_KEY = "catalog.quotaBytes"  # in each fork's own config: its disk quota in bytes (0: none)
LOOSE_SAMPLE = 2000  # loose objects stat'ed before the rest is extrapolated

_HEADER = ("#!/bin/sh\n"
           "# Installed by Katalog Bagi-Pakai; do not edit (`flask catalog fsck --repair` "
           "rewrites it).\n")


def _config_param(key: str) -> str:
    """sh: the value of `key` in GIT_CONFIG_PARAMETERS ('key'='value' …) into $v (empty when
    absent; a value holding a quote comes out cut, fails the checks and takes the fallback)."""
    quoted = f"\"'{key}'='\""
    return (f'v=; case "$GIT_CONFIG_PARAMETERS" in *{quoted}*) v="${{GIT_CONFIG_PARAMETERS#*{quoted}}}"; '
            f'v="${{v%%"\'"*}}";; esac\n')


HOOK_SCRIPTS = {
    # The catalog names its entry point when it serves a push; anything else is refused.
    # Its Python and hookmain.py, when named too, start faster (no site, no finder).
    "pre-receive": _HEADER + f'hook="${{{HOOK_ENV}:?push hanya melalui katalog}}"\n'
    + _config_param(INTERPRETER_KEY) + 'run="$v"\n'
    + _config_param(MAIN_KEY)
    + 'if [ -x "$run" ] && [ -f "$v" ]; then exec "$run" -I -S "$v" pre-receive; fi\n'
    + 'exec "$hook" pre-receive\n',
    # Which refs this push updated; the catalog records the push after git has finished.
    "post-receive": _HEADER + f'[ -z "${RECEIPT_ENV}" ] || exec cat >> "${RECEIPT_ENV}"\n',
}


class RefUpdate(tuple):
    """(old, new, ref) of one ref a push updates: a plain tuple (no dataclass on the hook path)."""

    __slots__ = ()

    def __new__(cls, old: str, new: str, ref: str) -> RefUpdate:
        return tuple.__new__(cls, (old, new, ref))

    @property
    def old(self) -> str:
        return self[0]

    @property
    def new(self) -> str:
        return self[1]

    @property
    def ref(self) -> str:
        return self[2]

    @property
    def deletes(self) -> bool:
        return self.new == ZERO_SHA

    @property
    def creates(self) -> bool:
        return self.old == ZERO_SHA

    def __repr__(self) -> str:
        return f"RefUpdate(old={self.old!r}, new={self.new!r}, ref={self.ref!r})"


def parse_updates(text: str, *, strict: bool = False) -> list[RefUpdate]:
    """`<old> <new> <ref>` lines; with strict, a malformed line raises instead of being
    skipped (the pre-receive hook must never let an unchecked update through)."""
    updates = []
    for line in text.splitlines():
        parts = line.split(" ")
        if len(parts) == 3 and is_full_sha(parts[0]) and is_full_sha(parts[1]):
            updates.append(RefUpdate(*parts))
        elif strict and line:
            raise ValueError("malformed ref update line")
    return updates


def entry_point() -> Path | None:
    """The `catalog-hook` script of the running install (next to its Python), or None when
    the project itself was not installed into this environment (`make install` does)."""
    import sysconfig
    from pathlib import Path

    for folder in (sysconfig.get_path("scripts"), os.path.dirname(sys.executable)):
        candidate = Path(folder) / ENTRY_POINT
        if folder and candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


_LAUNCH: tuple[str, ...] | None = None


def launch_config() -> tuple[str, ...]:
    """`key=value` pairs naming this process's Python and hookmain.py to the pre-receive script
    (passed as `git -c`). Empty when this Python is no plain `python*` executable (an embedding
    server): the script then starts CATALOG_HOOK, as before."""
    global _LAUNCH
    if _LAUNCH is None:
        python = sys.executable or ""
        main = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hookmain.py")
        usable = (os.path.basename(python).startswith("python") and os.access(python, os.X_OK)
                  and os.path.isfile(main) and "'" not in python + main)
        _LAUNCH = (f"{INTERPRETER_KEY}={python}", f"{MAIN_KEY}={main}") if usable else ()
    return _LAUNCH


def _write_atomic(path: Path, text: str, mode: int = 0o644) -> None:
    import tempfile
    from pathlib import Path

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def install_hooks(repo: PathLike) -> None:
    """Write our pre-receive/post-receive into `<repo>/hooks` (pushes are served with
    core.hooksPath pointing there) and remove what earlier releases left beside them."""
    from pathlib import Path

    hooks = Path(repo) / "hooks"
    hooks.mkdir(exist_ok=True)
    for name, text in HOOK_SCRIPTS.items():
        _write_atomic(hooks / name, text, 0o755)
    for name in _OLD_FILES:
        (Path(repo) / name).unlink(missing_ok=True)


def stale_hooks(repo: PathLike) -> list[str]:
    """What differs from what install_hooks writes (empty when the hooks are current)."""
    from pathlib import Path

    stale = []
    for name, text in HOOK_SCRIPTS.items():
        path = Path(repo) / "hooks" / name
        try:
            current = path.read_text() == text and os.access(path, os.X_OK)
        except (OSError, UnicodeDecodeError):
            current = False
        if not current:
            stale.append(f"hooks/{name}")
    return stale + [name for name in _OLD_FILES if (Path(repo) / name).exists()]


def new_receipt() -> Path:
    """An empty file for one push's post-receive to write into (the caller removes it)."""
    import tempfile
    from pathlib import Path

    fd, name = tempfile.mkstemp(prefix="catalog-push-", suffix=".txt")
    os.close(fd)
    return Path(name)


def read_receipt(path: PathLike) -> list[RefUpdate]:
    """The refs a push updated, as post-receive wrote them; re-validated, never trusted."""
    try:
        with open(path, "rb") as fh:
            text = fh.read(MAX_RECEIPT).decode("utf-8", "replace")
    except OSError:
        return []
    return [u for u in parse_updates(text) if is_valid_ref_name(u.ref)]


def write_protected_commits(repo: PathLike, shas: Iterable[str]) -> None:
    """Replace the list of commits (used by deployments) that pushes must keep reachable."""
    from pathlib import Path

    clean = sorted({s.strip().lower() for s in shas if is_full_sha(s.strip().lower())})
    _write_atomic(Path(repo) / PROTECTED_FILE, "".join(f"{s}\n" for s in clean))


class protected_commits_lock:  # noqa: N801  (used as a function: `with protected_commits_lock(repo):`)
    """Held by whoever reads the deployed commits from the rows and writes the list: of two
    writers that both committed, the one that writes last also read last (never an older list)."""

    def __init__(self, repo: PathLike) -> None:
        self._path = os.path.join(repo, f"{PROTECTED_FILE}.lock")
        self._fh = None

    def __enter__(self) -> None:
        import fcntl

        self._fh = open(self._path, "a")  # noqa: SIM115  (closed in __exit__)
        try:
            fcntl.flock(self._fh, fcntl.LOCK_EX)
        except BaseException:
            self._fh.close()
            raise

    def __exit__(self, *exc: object) -> None:
        import fcntl

        try:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
        finally:
            self._fh.close()


def read_protected_commits(repo: PathLike) -> list[str]:
    try:
        with open(os.path.join(repo, PROTECTED_FILE), encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        return []
    return [line.strip() for line in text.splitlines() if is_full_sha(line.strip())]


# -- disk quota ------------------------------------------------------------------------------

_SUFFIXES = {"k": 1024, "m": 1024**2, "g": 1024**3}


def _parse_size(value: str) -> int:
    """A git integer (`123`, `2g`); ValueError for anything else."""
    text = value.strip()
    for mark in ("#", ";"):
        text = text.split(mark, 1)[0].strip()
    text = text.strip('"').strip().lower()
    factor = _SUFFIXES.get(text[-1:], 1)
    number = text[:-1] if factor != 1 else text
    if not number.isdigit():
        raise ValueError(f"{QUOTA_KEY}: not a size: {value!r}")
    return int(number) * factor


def _quota_lines(text: str) -> tuple[list[str], str | None]:
    """The config's lines without those that set the quota, and the last value they set."""
    section, name = (part.lower() for part in QUOTA_KEY.split("."))
    current, found, kept = "", None, []
    for raw in text.splitlines(keepends=True):
        line = raw.strip()
        if line.startswith("["):
            end = line.find("]")
            current = line[1:end].strip().lower() if end > 0 else ""
            line = line[end + 1:].strip() if end > 0 else ""
        key, _eq, value = line.partition("=")
        if line and line[0] not in "#;" and current == section and key.strip().lower() == name:
            found = value  # the last one wins, as in git
            if not raw.lstrip().startswith("["):
                continue
        kept.append(raw)
    # a `[catalog]` header left with nothing under it (a quota written before) goes too
    empty = f"[{section}]"
    kept = [raw for i, raw in enumerate(kept) if raw.strip().lower() != empty
            or (i + 1 < len(kept) and not kept[i + 1].lstrip().startswith("["))]
    return kept, found


def read_quota(repo: PathLike) -> int | None:
    """The fork's quota from its own `config` file (read directly: the hook has no time for a
    git process); None when it has none, ValueError when the value is no size."""
    try:
        with open(os.path.join(repo, "config"), encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except FileNotFoundError:
        return None
    found = _quota_lines(text)[1]
    return None if found is None else _parse_size(found)


def write_quota(repo: PathLike, quota: int) -> None:
    """Record the fork's quota in its git config (0: no quota), under git's own lock
    (`config.lock`, created exclusively, renamed over `config`), without a git process."""
    quota = max(int(quota), 0)
    config = os.path.join(repo, "config")
    fd = os.open(f"{config}.lock", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)  # FileExistsError: git holds it
    try:
        with open(config, encoding="utf-8") as fh:
            kept = _quota_lines(fh.read())[0]
        if kept and not kept[-1].endswith("\n"):
            kept[-1] += "\n"
        section, name = QUOTA_KEY.split(".")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            fd = -1
            out.write("".join(kept) + f"[{section}]\n\t{name} = {quota}\n")
        os.replace(f"{config}.lock", config)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        try:
            os.unlink(f"{config}.lock")
        except FileNotFoundError:
            pass
        raise


def _file_bytes(entry: os.DirEntry) -> int:
    try:
        return entry.stat(follow_symlinks=False).st_size if entry.is_file(follow_symlinks=False) else 0
    except OSError:  # removed meanwhile (a repack)
        return 0


def tree_bytes(path: PathLike) -> int:
    """Bytes of every file below `path` (a push's quarantine: bounded by the push's size)."""
    total = 0
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    total += tree_bytes(entry.path)
                else:
                    total += _file_bytes(entry)
    except (FileNotFoundError, NotADirectoryError):
        pass
    return total


def own_object_bytes(objects: PathLike) -> int:
    """Bytes of a repository's own objects: its packs (a listing of objects/pack) and its loose
    objects, never what it borrows through alternates nor a push's quarantine. Loose objects
    are stat'ed in fan-out order up to LOOSE_SAMPLE and the rest extrapolated from the share of
    the 256 fan-out directories seen (object ids are uniform), so the cost stays bounded."""
    total = 0
    try:
        with os.scandir(os.path.join(objects, "pack")) as entries:
            total += sum(_file_bytes(e) for e in entries)
    except FileNotFoundError:
        pass
    try:
        fanout = sorted(n for n in os.listdir(objects) if len(n) == 2 and not n.strip("0123456789abcdef"))
    except FileNotFoundError:
        return total
    loose = seen = 0
    for name in fanout:
        try:
            with os.scandir(os.path.join(objects, name)) as entries:
                for entry in entries:
                    loose += _file_bytes(entry)
                    seen += 1
        except FileNotFoundError:
            continue
        if seen >= LOOSE_SAMPLE and name != fanout[-1]:
            return total + loose * 256 // (int(name, 16) + 1)
    return total + loose
