"""Source downloads (zip, tar.gz) of a release or commit of an app or a fork."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from ... import vcs
from ...models import App, Fork
from ...vcs.archive import CONTENT_TYPES
from ...vcs.errors import SizeLimitExceeded, VcsError
from .. import repo_paths
from ..errors import Conflict, NotFound, ValidationFailed
from . import mirrors


@dataclass(frozen=True)
class Archive:
    filename: str
    content_type: str
    chunks: Iterator[bytes]


def _archive(relpath: str, name: str, rev: str, fmt: str) -> Archive:
    if fmt not in CONTENT_TYPES:
        raise ValidationFailed(_("Format unduhan harus zip atau tar.gz."), {"format": _("zip atau tar.gz")})
    label = re.sub(r"[^A-Za-z0-9_-]+", "-", rev)[:60].strip("-") or "versi"
    cfg = current_app.config
    try:
        chunks = vcs.stream_archive(repo_paths.absolute(relpath), vcs.validate_rev(rev), fmt, f"{name}-{label}",
                                    max_bytes=cfg["ARCHIVE_MAX_BYTES"], max_entries=cfg["ARCHIVE_MAX_ENTRIES"])
    except SizeLimitExceeded as exc:  # a huge tree (or a "git bomb"): refused before any byte is sent
        raise Conflict(exc.message) from exc
    except VcsError as exc:
        raise NotFound(_("Versi tidak ditemukan.")) from exc
    return Archive(f"{name}-{label}.{fmt}", CONTENT_TYPES[fmt], chunks)


def app_archive(app: App, rev: str, fmt: str) -> Archive:
    """Raises NotFound (no mirror, unknown version), ValidationFailed (format), Conflict (too large)."""
    mirror = mirrors.get_mirror(app)
    if mirror is None or not mirror.head:
        raise NotFound(_("Kode sumber belum tersedia di katalog."))
    return _archive(mirror.relpath, app.slug, rev, fmt)


def fork_archive(fork: Fork, rev: str, fmt: str) -> Archive:
    return _archive(fork.relpath, f"{fork.organization.slug}-{fork.name}", rev, fmt)
