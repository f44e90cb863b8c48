"""Test helpers: build real bare repositories quickly with plain git and fast-import."""
from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

EPOCH = 1_700_000_000


def clean_env(home: Path | None = None) -> dict[str, str]:
    """An environment for the *test's own* git calls, unaffected by the developer's config."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home or Path("/nonexistent")),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_AUTHOR_NAME": "Penguji", "GIT_AUTHOR_EMAIL": "uji@contoh.go.id",
        "GIT_COMMITTER_NAME": "Penguji", "GIT_COMMITTER_EMAIL": "uji@contoh.go.id",
        "LC_ALL": "C",
    }


def git(*args: str, git_dir: Path | None = None, input: bytes | None = None,
        check: bool = True, cwd: Path | None = None) -> str:
    argv = ["git", *([f"--git-dir={git_dir}"] if git_dir else []), *args]
    result = subprocess.run(argv, input=input, capture_output=True, env=clean_env(), cwd=cwd)
    if check and result.returncode != 0:
        raise AssertionError(f"{argv} failed: {result.stderr.decode()}")
    return result.stdout.decode()


def init_bare(path: Path, branch: str = "main") -> Path:
    git("init", "--quiet", "--bare", f"--initial-branch={branch}", str(path))
    return path


class Builder:
    """Makes commits in a bare repo through fast-import, one process per commit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.clock = EPOCH

    def commit(self, branch: str, files: dict[str, bytes | str | None], message: str = "ubah",
               parents: list[str] | None = None, symlinks: dict[str, str] | None = None) -> str:
        self.clock += 60
        msg = message.encode()
        out = [b"commit refs/heads/%s\n" % branch.encode(),
               b"committer Penguji <uji@contoh.go.id> %d +0700\n" % self.clock,
               b"data %d\n%s\n" % (len(msg), msg)]
        if parents is None:
            tip = git("rev-parse", "--verify", "-q", f"refs/heads/{branch}", git_dir=self.path,
                      check=False).strip()
            parents = [tip] if tip else []
        for i, parent in enumerate(parents):
            out.append(b"%s %s\n" % (b"from" if i == 0 else b"merge", parent.encode()))
        for name, content in files.items():
            if content is None:
                out.append(b"D %s\n" % name.encode())
                continue
            data = content.encode() if isinstance(content, str) else content
            out.append(b"M 100644 inline %s\ndata %d\n%s\n" % (name.encode(), len(data), data))
        for name, target in (symlinks or {}).items():
            out.append(b"M 120000 inline %s\ndata %d\n%s\n" % (name.encode(), len(target),
                                                               target.encode()))
        git("fast-import", "--quiet", "--force", git_dir=self.path, input=b"".join(out) + b"\n")
        return git("rev-parse", f"refs/heads/{branch}", git_dir=self.path).strip()

    def tag(self, name: str, target: str, message: str | None = None) -> None:
        if message is None:
            git("update-ref", f"refs/tags/{name}", target, git_dir=self.path)
        else:
            self.clock += 60
            env_date = f"{self.clock} +0700"
            subprocess.run(["git", f"--git-dir={self.path}", "tag", "-a", "-m", message, name,
                            target], check=True, capture_output=True,
                           env={**clean_env(), "GIT_COMMITTER_DATE": env_date})


def make_large_history(path: Path, commits: int = 10_000, blob_bytes: int = 600,
                       seed: int = 7) -> str:
    """One fast-import run: `commits` commits, each adding an incompressible blob."""
    init_bare(path)
    rng = random.Random(seed)
    out = []
    for i in range(1, commits + 1):
        data = rng.randbytes(blob_bytes)
        out.append(b"commit refs/heads/main\n"
                   b"committer Penguji <uji@contoh.go.id> %d +0700\n"
                   b"data %d\ncommit %d\n" % (EPOCH + i, len(b"commit %d" % i), i))
        # rewriting 100 files in 100 small dirs keeps fast-import's tree work cheap
        out.append(b"M 100644 inline d%02d/f%02d.bin\ndata %d\n%s\n"
                   % (i % 100, i % 100, len(data), data))
    git("fast-import", "--quiet", git_dir=path, input=b"".join(out))
    return git("rev-parse", "refs/heads/main", git_dir=path).strip()


def du(path: Path) -> int:
    """Disk blocks actually used (what an admin sees with du), in bytes."""
    total = 0
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            total += os.lstat(os.path.join(root, name)).st_blocks * 512
    return total


def loose_objects(path: Path) -> set[str]:
    objects = Path(path) / "objects"
    return {f"{d.name}{f.name}" for d in objects.iterdir()
            if len(d.name) == 2 and d.is_dir() for f in d.iterdir()}
