"""The only code that runs git: safe env, mirrors, forks, divergence, sync, archives, smart HTTP.

Names are imported from their modules on first use (PEP 562), not here: the pre-receive hook
runs in a fresh Python at every push and needs only a few modules, and importing them all cost
it 45 ms of CPU.
"""
from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "stream_archive": "archive",
    **dict.fromkeys(("changed_files", "compute_divergence", "count_commits_between", "file_diff",
                     "fork_commits", "releases_since"), "divergence"),
    **dict.fromkeys(("DriftCounts", "DriftDetails", "drift_counts", "drift_details", "merge_base_for",
                     "read_branch_head"), "drift"),
    "Identity": "env",
    **dict.fromkeys(("GitCommandError", "GitTimeout", "InvalidBundle", "RefChanged", "RevisionNotFound",
                     "SizeLimitExceeded", "UnsafeRemote", "VcsError"), "errors"),
    **dict.fromkeys(("create_fork", "create_unowned_fork"), "forks"),
    **dict.fromkeys(("install_hooks", "read_protected_commits", "write_protected_commits"), "hooks"),
    "http_backend_response": "http",
    **dict.fromkeys(("create_mirror", "fetch_mirror", "import_bundle", "repack_mirror"), "mirror"),
    **dict.fromkeys(("TreeFile", "peek_file"), "peek"),
    "validate_rev": "refs",
    **dict.fromkeys(("head_info", "list_releases", "list_tree", "read_blob", "resolve"), "repos"),
    **dict.fromkeys(("CommitInfo", "DiffText", "Divergence", "FileChange", "Release", "RepoInfo", "SyncResult",
                     "TreeEntry"), "results"),
    **dict.fromkeys(("GitResult", "run_git"), "runner"),
    "sync_upstream": "sync",
    **dict.fromkeys(("CheckedRemote", "check_remote_url"), "urls"),
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    """A public name from its module, or a submodule itself (`vcs.hooks`), imported on first use."""
    module = _WHERE.get(name)
    if module is None:
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise  # the submodule exists but something it imports does not
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
