"""A git client for tests that push and clone through the catalog: no user or system config."""
from __future__ import annotations

import os
import subprocess

GIT_ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_TERMINAL_PROMPT": "0",
           "GIT_AUTHOR_NAME": "Staf TI", "GIT_AUTHOR_EMAIL": "ti@tanjungpinangkota.go.id",
           "GIT_COMMITTER_NAME": "Staf TI", "GIT_COMMITTER_EMAIL": "ti@tanjungpinangkota.go.id"}


def git(*args, cwd=None, check=True):
    return subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, capture_output=True, text=True, check=check, timeout=60)


def with_token(url: str, token: str) -> str:
    return url.replace("http://", f"http://x:{token}@")
