"""Where repositories live on disk: server-generated relative paths under REPOS_DIR."""
from __future__ import annotations

from pathlib import Path

from flask import current_app

UPSTREAM_NAMESPACE = "upstream"


def repos_root() -> Path:
    return Path(current_app.config["REPOS_DIR"])


def absolute(relpath: str) -> Path:
    """The on-disk path of a stored relpath (which the server generated, never a user)."""
    root = repos_root().resolve()
    path = (root / relpath).resolve()
    if root not in path.parents:
        raise ValueError("repository path escapes the repositories directory")
    return path


def mirror_relpath(app_slug: str) -> str:
    return f"{UPSTREAM_NAMESPACE}/{app_slug}.git"


def fork_relpath(org_slug: str, name: str) -> str:
    return f"{org_slug}/{name}.git"
