"""The only code that runs git: safe env, mirrors, forks, divergence, sync, archives, smart HTTP."""
from __future__ import annotations

from .archive import stream_archive
from .divergence import (
                         changed_files,
                         compute_divergence,
                         count_commits_between,
                         file_diff,
                         fork_commits,
                         releases_since,
)
from .drift import DriftCounts, DriftDetails, drift_counts, drift_details, merge_base_for, read_branch_head
from .env import Identity
from .errors import (
                         GitCommandError,
                         GitTimeout,
                         InvalidBundle,
                         RefChanged,
                         RevisionNotFound,
                         SizeLimitExceeded,
                         UnsafeRemote,
                         VcsError,
)
from .forks import create_fork
from .hooks import install_hooks, read_protected_commits, write_protected_commits
from .http import http_backend_response
from .mirror import create_mirror, fetch_mirror, import_bundle, repack_mirror
from .peek import peek_file
from .refs import validate_rev
from .repos import head_info, list_releases, list_tree, read_blob, resolve
from .results import CommitInfo, DiffText, Divergence, FileChange, Release, RepoInfo, SyncResult, TreeEntry
from .runner import GitResult, run_git
from .sync import sync_upstream
from .urls import CheckedRemote, check_remote_url

__all__ = [
    "CheckedRemote", "CommitInfo", "DiffText", "Divergence", "DriftCounts", "DriftDetails",
    "FileChange", "GitCommandError", "drift_counts", "drift_details", "merge_base_for", "read_branch_head",
    "GitResult", "GitTimeout", "Identity", "InvalidBundle", "RefChanged", "Release", "RepoInfo",
    "RevisionNotFound", "SizeLimitExceeded", "SyncResult", "TreeEntry", "UnsafeRemote",
    "VcsError", "changed_files", "check_remote_url", "compute_divergence",
    "count_commits_between", "create_fork", "create_mirror", "fetch_mirror", "file_diff",
    "fork_commits", "head_info", "http_backend_response", "import_bundle", "install_hooks",
    "list_releases", "list_tree", "peek_file", "read_blob", "read_protected_commits", "releases_since",
    "repack_mirror", "resolve", "run_git", "stream_archive", "sync_upstream", "validate_rev",
    "write_protected_commits",
]
