"""post-receive hook: run the catalog's configured command; never fail or stall the push."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .hook_messages import _
from .hooks import HOOK_CONFIG
from .prereceive import parse_updates
from .refs import is_valid_ref_name

MAX_STDIN = 4 * 1024 * 1024


def _command(repo: Path) -> tuple[list[str], str | None, float] | None:
    try:
        config = json.loads((repo / HOOK_CONFIG).read_text())
    except (OSError, ValueError):
        return None
    command = config.get("post_receive") or []
    if not command or not all(isinstance(a, str) for a in command):
        return None
    return command, config.get("cwd"), float(config.get("timeout") or 60)


def main() -> int:
    repo = Path(os.environ.get("GIT_DIR", ".")).resolve()
    # Ref names and shas only, re-validated: the command must not trust what was pushed.
    updates = [u for u in parse_updates(sys.stdin.read(MAX_STDIN)) if is_valid_ref_name(u.ref)]
    found = _command(repo)
    if found is None:
        return 0
    command, cwd, timeout = found
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    payload = "".join(f"{u.old} {u.new} {u.ref}\n" for u in updates).encode()
    try:
        result = subprocess.run(command, input=payload, cwd=cwd, env=env, timeout=timeout,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        failed = result.returncode != 0
    except (OSError, subprocess.SubprocessError):
        failed = True
    if failed:
        print(_("Peringatan: push diterima, tetapi katalog belum mencatatnya; "
                "data fork akan diperbarui kemudian."), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
