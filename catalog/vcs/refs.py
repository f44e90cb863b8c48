"""Validation of revisions, ref names and in-repo paths before they reach a git command line."""
from __future__ import annotations

import re

from .errors import N_, RevisionNotFound

MAX_REF_LEN = 200
ZERO_SHA = "0" * 40
_HEX_RE = re.compile(r"[0-9a-f]{4,64}")
_FULL_SHA_RE = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_FORBIDDEN_CHARS = set("~^:?*[\\ ")


def is_full_sha(value: str) -> bool:
    """True for a full object id (SHA-1 or SHA-256), lowercase hex."""
    return bool(_FULL_SHA_RE.fullmatch(value))


def is_valid_ref_name(name: str) -> bool:
    """`git check-ref-format --allow-onelevel` rules, plus no leading '-' and a length cap."""
    if not name or len(name) > MAX_REF_LEN or name.startswith("-"):
        return False
    if name == "@" or "@{" in name or ".." in name or "//" in name:
        return False
    if name.startswith("/") or name.endswith("/") or name.endswith("."):
        return False
    for ch in name:
        if ord(ch) < 0x20 or ord(ch) == 0x7F or ch in _FORBIDDEN_CHARS:
            return False
    for part in name.split("/"):
        if part.startswith(".") or part.endswith(".lock"):
            return False
    return True


def validate_rev(rev: str) -> str:
    """Return `rev` if it is an abbreviated/full hex id or a safe ref name; else raise.

    Revision expressions (`~`, `^`, `@{}`, `:`) are refused on purpose: callers append
    `^{commit}` themselves, so user text can never turn into an option or a path lookup.
    """
    if not isinstance(rev, str):
        raise RevisionNotFound()
    if _HEX_RE.fullmatch(rev) or is_valid_ref_name(rev):
        return rev
    raise RevisionNotFound(N_("Nama revisi tidak valid."))


def validate_branch(name: str) -> str:
    """Return a short branch name (`main`, `fitur/x`) that is valid under refs/heads/."""
    if name.startswith("refs/") or not is_valid_ref_name(name) or name == "HEAD":
        raise RevisionNotFound(N_("Nama cabang tidak valid."))
    return name


def validate_tree_path(path: str) -> str:
    """Return a normalised in-repo path ('' for the root); refuse '..', '.', NUL and newlines."""
    if not isinstance(path, str) or len(path) > 4096:
        raise RevisionNotFound(N_("Jalur berkas tidak valid."))
    clean = path.strip("/")
    if not clean:
        return ""
    if any(c in clean for c in "\0\n\r"):
        raise RevisionNotFound(N_("Jalur berkas tidak valid."))
    parts = clean.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise RevisionNotFound(N_("Jalur berkas tidak valid."))
    return clean
