"""Source downloads (zip, tar.gz) of a release or commit of an app or a fork.

Only what a branch or tag reaches is served, named by a full commit id or an exact branch or
tag name: a commit that a force push dropped (a leaked secret, say) is never served, and an
abbreviated id is refused rather than guessed. The archive is made completely before the first
byte goes out, so a git that fails half-way answers 503, never a 200 with a truncated file.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from ...models import App, Fork
from ...vcs import archive as vcs_archive
from ...vcs.archive import CONTENT_TYPES
from ...vcs.errors import RevisionNotFound, SizeLimitExceeded, VcsError
from ...vcs.repos import list_releases
from .. import repo_paths
from ..errors import Conflict, NotFound, ServiceError, ValidationFailed
from . import mirrors

log = logging.getLogger(__name__)


class RevisionRefused(ServiceError):
    """An abbreviated commit id: downloads take full ids or exact branch and tag names."""

    code, status = "invalid_revision", 400


class ArchiveUnavailable(ServiceError):
    """git could not make the archive (a corrupt object, a killed process, a time limit)."""

    code, status = "archive_failed", 503


@dataclass(frozen=True)
class Archive:
    filename: str
    content_type: str
    chunks: Iterator[bytes]
    size: int | None = None


def _unknown(repo: Path, rev: str) -> NotFound:
    """'Not found' naming the versions there are (the repository's newest tags): git runs for
    this only when a version was refused, and lists at most five."""
    try:
        tags = [r.name for r in list_releases(repo, limit=5)]
    except VcsError:
        tags = []
    there = _(" Versi yang dapat diunduh: %(v)s.", v=", ".join(tags)) if tags else ""
    return NotFound(_("Versi '%(rev)s' tidak ditemukan.%(v)s", rev=rev[:80], v=there))


def _archive(relpath: str, name: str, rev: str, fmt: str) -> Archive:
    if fmt not in CONTENT_TYPES:
        raise ValidationFailed(_("Format unduhan harus zip atau tar.gz."), {"format": _("zip atau tar.gz")})
    repo = repo_paths.absolute(relpath)
    try:
        sha = vcs_archive.resolve_published(repo, rev)
    except vcs_archive.AbbreviatedRevision as exc:
        raise RevisionRefused(_("Versi harus berupa nama cabang atau tag, atau id commit lengkap (40 karakter). "
                                "Singkatan id commit tidak diterima."), {"rev": _("id commit lengkap atau "
                                                                                  "nama cabang/tag")}) from exc
    except VcsError as exc:  # unknown, invalid, or no branch or tag reaches it: the same answer
        raise _unknown(repo, rev) from exc
    label = re.sub(r"[^A-Za-z0-9_-]+", "-", rev)[:60].strip("-") or "versi"
    cfg = current_app.config
    try:
        built = vcs_archive.build_archive(repo, sha, fmt, f"{name}-{label}",  # type: ignore[arg-type]
                                          max_bytes=cfg["ARCHIVE_MAX_BYTES"],
                                          max_entries=cfg["ARCHIVE_MAX_ENTRIES"],
                                          tmp_dir=cfg.get("ARCHIVE_TMP_DIR"))
    except SizeLimitExceeded as exc:  # a huge tree (or a "git bomb"): refused before any byte is sent
        raise Conflict(exc.message) from exc
    except RevisionNotFound as exc:
        raise _unknown(repo, rev) from exc
    except VcsError as exc:
        log.warning("archive of %s at %s failed: %s", relpath, sha, exc.detail or exc.message)
        raise ArchiveUnavailable(_("Arsip tidak dapat dibuat saat ini. Coba lagi nanti, atau ambil "
                                   "kodenya dengan git clone.")) from exc
    return Archive(f"{name}-{label}.{fmt}", CONTENT_TYPES[fmt], built, built.size)


def app_archive(app: App, rev: str, fmt: str) -> Archive:
    """Raises NotFound (no mirror, unknown or unpublished version), RevisionRefused (an
    abbreviated id), ValidationFailed (format), Conflict (too large), ArchiveUnavailable."""
    mirror = mirrors.get_mirror(app)
    if mirror is None or not mirror.head:
        raise NotFound(_("Kode sumber belum tersedia di katalog."))
    return _archive(mirror.relpath, app.slug, rev, fmt)


def fork_archive(fork: Fork, rev: str, fmt: str) -> Archive:
    """The same as app_archive, for a fork's repository."""
    return _archive(fork.relpath, f"{fork.organization.slug}-{fork.name}", rev, fmt)
