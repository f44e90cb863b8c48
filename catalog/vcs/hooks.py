"""Install our receive hooks into a fork and manage the protected-commits list they enforce."""
from __future__ import annotations

import json
import os
import shlex
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from .refs import is_full_sha

HOOK_CONFIG = "catalog-hooks.json"
PROTECTED_FILE = "catalog-protected-commits"
PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the directory holding `catalog/`


def _write_atomic(path: Path, text: str, mode: int = 0o644) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _hook_script(module: str, python: str) -> str:
    # The hook runs inside git's isolated environment, so it states where our code lives.
    return ("#!/bin/sh\n"
            "# Installed by Katalog Bagi-Pakai (catalog.vcs.hooks); do not edit.\n"
            f"PYTHONPATH={shlex.quote(str(PACKAGE_ROOT))}\n"
            "export PYTHONPATH\n"
            f"exec {shlex.quote(python)} -m {module}\n")


def install_hooks(repo: Path, *, post_receive: Sequence[str] | None = None,
                  cwd: Path | None = None, timeout: float = 60,
                  python: str = sys.executable) -> None:
    """Write pre-receive/post-receive into `<repo>/hooks` (used when pushes are served with
    core.hooksPath pointing there) and the post-receive command into a JSON file."""
    hooks = Path(repo) / "hooks"
    hooks.mkdir(exist_ok=True)
    _write_atomic(hooks / "pre-receive", _hook_script("catalog.vcs.prereceive", python), 0o755)
    if post_receive:
        _write_atomic(hooks / "post-receive", _hook_script("catalog.vcs.postreceive", python),
                      0o755)
    else:  # nothing to run: spare every push a Python start-up
        (hooks / "post-receive").unlink(missing_ok=True)
    config = {"post_receive": [str(a) for a in post_receive or ()],
              "cwd": str(cwd) if cwd else None, "timeout": timeout}
    _write_atomic(Path(repo) / HOOK_CONFIG, json.dumps(config, indent=2) + "\n")


def write_protected_commits(repo: Path, shas: Iterable[str]) -> None:
    """Replace the list of commits (used by deployments) that pushes must keep reachable."""
    clean = sorted({s.strip().lower() for s in shas if is_full_sha(s.strip().lower())})
    _write_atomic(Path(repo) / PROTECTED_FILE, "".join(f"{s}\n" for s in clean))


def read_protected_commits(repo: Path) -> list[str]:
    try:
        text = (Path(repo) / PROTECTED_FILE).read_text()
    except FileNotFoundError:
        return []
    return [line.strip() for line in text.splitlines() if is_full_sha(line.strip())]
