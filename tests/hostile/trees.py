"""Build hostile repositories with plain git plumbing: symlinks, submodules, git bombs, big packs."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.vcs.gitlib import clean_env, git, init_bare

EPOCH = 1_700_000_000
# (mode, sha) per path; a path ending in a directory is made of nested trees
Entries = dict[str, tuple[str, str]]


def blob(repo: Path, data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return git("hash-object", "-w", "--stdin", git_dir=repo, input=raw).strip()


def mktree(repo: Path, entries: list[tuple[str, str, str]]) -> str:
    """One tree object from (mode, sha, name) entries (names may not contain '/')."""
    kinds = {"040000": "tree", "160000": "commit"}
    lines = "".join(f"{mode} {kinds.get(mode, 'blob')} {sha}\t{name}\n" for mode, sha, name in entries)
    return git("mktree", "--missing", git_dir=repo, input=lines.encode()).strip()


def tree(repo: Path, files: Entries) -> str:
    """A tree holding `files` ({path: (mode, sha)}), nested directories made as needed."""
    top: dict[str, tuple[str, str]] = {}
    subdirs: dict[str, Entries] = {}
    for path, entry in files.items():
        head, sep, rest = path.partition("/")
        if sep:
            subdirs.setdefault(head, {})[rest] = entry
        else:
            top[head] = entry
    rows = [(mode, sha, name) for name, (mode, sha) in top.items()]
    rows += [("040000", tree(repo, sub), name) for name, sub in subdirs.items()]
    return mktree(repo, rows)


def commit(repo: Path, tree_sha: str, message: str, parents: list[str] = (), *,
           branch: str | None = "main", when: int = EPOCH) -> str:
    env = {**clean_env(), "GIT_AUTHOR_DATE": f"{when} +0700", "GIT_COMMITTER_DATE": f"{when} +0700"}
    args = ["git", f"--git-dir={repo}", "commit-tree", tree_sha, "-m", message]
    for parent in parents:
        args += ["-p", parent]
    sha = subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout.strip()
    if branch:
        git("update-ref", f"refs/heads/{branch}", sha, git_dir=repo)
    return sha


def files_of(repo: Path, texts: dict[str, str]) -> Entries:
    return {path: ("100644", blob(repo, text)) for path, text in texts.items()}


def symlinks_of(repo: Path, links: dict[str, str]) -> Entries:
    return {path: ("120000", blob(repo, target)) for path, target in links.items()}


def gitlinks_of(links: dict[str, str]) -> Entries:
    """Submodule entries: the commit they name need not exist (it never does in a bare mirror)."""
    return {path: ("160000", sha) for path, sha in links.items()}


def gitmodules(modules: list[tuple[str, str, str]]) -> str:
    """A .gitmodules text from (name, path, url)."""
    return "".join(f'[submodule "{name}"]\n\tpath = {path}\n\turl = {url}\n' for name, path, url in modules)


def bomb_tree(repo: Path, *, levels: int = 10, width: int = 10) -> str:
    """A tree whose `width` entries all name the same subtree, `levels` deep: a few hundred
    bytes of objects that expand to width**levels paths (10**10 by default)."""
    sha = mktree(repo, [("100644", blob(repo, "bom\n"), "f")])
    for _ in range(levels):
        sha = mktree(repo, [("040000", sha, f"d{i}") for i in range(width)])
    return sha


def new_repo(path: Path) -> Path:
    init_bare(path)
    return path


def base_files(repo: Path) -> Entries:
    return files_of(repo, {"README.md": "# Aplikasi uji\n\nAplikasi contoh.\n",
                           "src/app.php": "<?php echo 'halo';\n"})


def tag(repo: Path, name: str, sha: str) -> None:
    git("update-ref", f"refs/tags/{name}", sha, git_dir=repo)


def big_blob_repo(path: Path, size: int) -> Path:
    """A repository whose one commit carries `size` bytes of incompressible data."""
    repo = new_repo(path)
    entries = {**base_files(repo), "data/acak.bin": ("100644", blob(repo, os.urandom(size)))}
    commit(repo, tree(repo, entries), "data besar")
    return repo


def snapshot(root: Path) -> set[str]:
    """Every path under root (relative), for "nothing else was created" checks."""
    found = set()
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            found.add(os.path.relpath(os.path.join(dirpath, name), root))
    return found
