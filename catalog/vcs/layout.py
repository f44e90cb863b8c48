"""Create and configure bare repositories: the settings mirrors and forks rely on."""
from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from .errors import VcsError
from .refs import validate_branch
from .runner import run_git

_SECTION = re.compile(r"[A-Za-z0-9-]+")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")

# Forks borrow objects from the mirror through alternates: a pruning gc here would delete
# objects a fork still references, so mirrors never prune and never auto-gc.
MIRROR_CONFIG = {
    "gc.auto": "0",
    "gc.pruneExpire": "never",
    "gc.worktreePruneExpire": "never",
    "gc.reflogExpireUnreachable": "never",
    "maintenance.auto": "false",
    "fetch.writeCommitGraph": "false",
    "core.commitGraph": "true",
    "uploadpack.allowFilter": "true",
}
# A fork must not own a commit-graph: git reads the first graph it finds, so a fork graph would
# hide the mirror's (kept fresh after every fetch) and new upstream commits would go unindexed.
FORK_CONFIG = {
    "gc.writeCommitGraph": "false",
    "fetch.writeCommitGraph": "false",
    "core.commitGraph": "true",
    "receive.fsckObjects": "true",
    "receive.autogc": "false",
    "uploadpack.allowFilter": "true",
}


def init_bare(path: Path, *, default_branch: str = "main") -> None:
    """`git init --bare` without the sample hooks and other template files."""
    run_git(["init", "--quiet", "--bare", "--template=",
             f"--initial-branch={validate_branch(default_branch)}", str(Path(path).resolve())])


def set_config(path: Path, values: Mapping[str, str]) -> None:
    """Give each key its value in the repo's own config, as `git config KEY VALUE` would, in two
    git processes rather than one per key (every mirror fetch sets MIRROR_CONFIG again): one
    reads the config; the missing keys are appended, written by git's quoting rules, and the
    new file is read back by git before it replaces the old one. A key that already holds a
    different value (or several) is left to `git config` itself."""
    config = Path(path) / "config"
    current = _read_config(path, config)
    missing: dict[str, str] = {}
    for key, value in values.items():
        found = current.get(_config_key(key))
        if found is None:
            missing[key] = value
        elif found != [value]:
            run_git(["config", key, value], git_dir=path)
    if missing:
        _append_checked(path, config, missing)


def _split_key(key: str) -> tuple[str, str, str]:
    """(section, subsection, name) of `section[.subsection].name`; refuses what git refuses."""
    section, _, rest = key.partition(".")
    subsection, _, name = rest.rpartition(".")
    if not _SECTION.fullmatch(section) or not _NAME.fullmatch(name) or "\n" in subsection \
            or "\0" in subsection or (not subsection and rest.startswith(".")):
        raise ValueError(f"invalid git config key: {key!r}")
    return section, subsection, name


def _config_key(key: str) -> str:
    """The key as `git config --list` prints it: section and name in lower case."""
    section, subsection, name = _split_key(key)
    return ".".join([section.lower(), *([subsection] if subsection else []), name.lower()])


def _quote(text: str) -> str:
    """`text` in double quotes, escaped as git's config parser reads it back."""
    if "\0" in text:
        raise ValueError("a git config value cannot hold a NUL byte")
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\t", "\\t").replace("\b", "\\b"))
    return f'"{escaped}"'


def _config_text(values: Mapping[str, str]) -> str:
    sections: dict[str, list[str]] = {}
    for key, value in values.items():
        section, subsection, name = _split_key(key)
        # In a section header only \\ and \" are escapes (git drops any other backslash).
        quoted = subsection.replace("\\", "\\\\").replace('"', '\\"')
        header = f'{section} "{quoted}"' if subsection else section
        sections.setdefault(header, []).append(f"\t{name} = {_quote(value)}\n")
    return "".join(f"[{header}]\n" + "".join(lines) for header, lines in sections.items())


def _read_config(path: Path, config: Path) -> dict[str, list[str | None]]:
    """Every key of `config` (as git reads the file) with its values in file order; None for
    a key written without `=` (git's boolean shorthand)."""
    out = run_git(["config", "--file", str(config), "--list", "-z"], git_dir=path).stdout
    entries: dict[str, list[str | None]] = {}
    for entry in out.split(b"\0"):
        if entry:
            key, newline, value = entry.decode("utf-8", "surrogateescape").partition("\n")
            entries.setdefault(key, []).append(value if newline else None)
    return entries


def _append_checked(path: Path, config: Path, values: Mapping[str, str]) -> None:
    """Write config + the new keys to config.lock (git's own lock: a concurrent `git config`
    waits or fails, never interleaves), have git read it back, then rename it into place."""
    text = _config_text(values).encode()
    lock = config.with_name("config.lock")
    try:
        fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise VcsError(detail=f"{lock} exists: another git process is writing the config") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            old = config.read_bytes()
            fh.write(old if not old or old.endswith(b"\n") else old + b"\n")
            fh.write(text)
        written = _read_config(path, lock)
        for key, value in values.items():
            if written.get(_config_key(key)) != [value]:
                raise VcsError(detail=f"{key} reads back as {written.get(_config_key(key))!r}")
        os.replace(lock, config)
    except BaseException:
        lock.unlink(missing_ok=True)
        raise


def append_config(path: Path, values: Mapping[str, str]) -> None:
    """Append our fixed `section.key` settings to a repo we just created: one file write
    instead of a git process per key (forks are made on request, so it shows)."""
    sections: dict[str, list[str]] = {}
    for key, value in values.items():
        section, name = key.split(".")
        sections.setdefault(section, []).append(f"\t{name} = {value}\n")
    text = "".join(f"[{section}]\n" + "".join(lines) for section, lines in sections.items())
    with open(Path(path) / "config", "a") as fh:
        fh.write(text)


def set_head(path: Path, branch: str) -> None:
    run_git(["symbolic-ref", "HEAD", f"refs/heads/{validate_branch(branch)}"], git_dir=path)


def write_commit_graph(path: Path, *, timeout: float = 600) -> None:
    """One non-split graph per mirror; forks read it through alternates (see FORK_CONFIG)."""
    run_git(["commit-graph", "write", "--reachable", "--no-progress"], git_dir=path,
            timeout=timeout)


def branches(path: Path) -> list[str]:
    out = run_git(["for-each-ref", "--format=%(refname:strip=2)", "refs/heads/"], git_dir=path)
    return out.text.split()
