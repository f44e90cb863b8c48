"""Files a publiccode.yml names (logo, screenshots, authorsFile), checked in the repository's tree.

The reference parser looks each relative path up next to the file it reads and reports a missing
one as an error on its key; so does the catalog when it reads the file from a repository, in the
tree of the commit it read. Addresses (https://…) are not fetched: no network, as the
reference's no-network mode. A PNG logo must decode and be at least 120 px wide, as there.
"""
from __future__ import annotations

import posixpath
import struct
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _

from .types import Issue, Report, child, item

# (kind, content): kind 'blob', 'tree', 'link', 'submodule' or 'missing'; content None when the
# blob exists but was not read (over the fetch's size cap).
Lookup = Callable[[str], tuple[str, bytes | None]]
MIN_LOGO_WIDTH = 120  # the reference's floor (the standard asks 1000 px, the reference relaxed it)
_PNG = b"\x89PNG\r\n\x1a\n"


def referenced(doc: Any) -> list[tuple[str, str]]:
    """(key path, relative path) of every file the document names in the repository."""
    if not isinstance(doc, dict):
        return []
    found = [(key, doc.get(key)) for key in ("logo", "monochromeLogo")]
    legal = doc.get("legal")
    if isinstance(legal, dict):
        found.append(("legal.authorsFile", legal.get("authorsFile")))
    description = doc.get("description")
    for lang, body in (description.items() if isinstance(description, dict) else ()):
        shots = body.get("screenshots") if isinstance(body, dict) else None
        for i, shot in enumerate(shots if isinstance(shots, list) else ()):
            found.append((item(child(child("description", str(lang)), "screenshots"), i), shot))
    return [(key, path) for key, value in found if (path := _relative(value)) is not None]


def _relative(value: Any) -> str | None:
    """A path inside the repository, or None for an address, an empty or a malformed value
    (the validator reports those)."""
    if not isinstance(value, str) or not value.strip():
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or value.startswith("/") or ".." in value.split("/"):
        return None
    return posixpath.normpath(value)


def check(doc: Any, lookup: Lookup) -> tuple[list[Issue], list[Issue]]:
    """(errors, warnings) for the files `doc` names, looked up in one commit's tree."""
    r = Report()
    for key, path in referenced(doc):
        kind, content = lookup(path)
        if kind == "missing":
            r.error(key, _("Berkas '%(path)s' tidak ada di repositori.", path=path))
        elif kind in ("tree", "submodule"):
            r.error(key, _("'%(path)s' adalah folder, bukan berkas.", path=path))
        elif key in ("logo", "monochromeLogo") and content is not None:
            _png(key, path, content, r)
    return r.errors, r.warnings


def _png(key: str, path: str, content: bytes, r: Report) -> None:
    """A .png logo must be a PNG image at least MIN_LOGO_WIDTH wide (other formats: unread)."""
    if not path.lower().endswith(".png"):
        return
    # The IHDR chunk comes first: signature, length, b"IHDR", then width and height (big-endian).
    if len(content) < 24 or not content.startswith(_PNG) or content[12:16] != b"IHDR":
        r.error(key, _("Berkas '%(path)s' bukan gambar PNG yang dapat dibaca.", path=path))
        return
    width = struct.unpack(">I", content[16:20])[0]
    if width < MIN_LOGO_WIDTH:
        r.error(key, _("Logo terlalu kecil: lebarnya %(width)s piksel, minimal %(min)s piksel.",
                       width=width, min=MIN_LOGO_WIDTH))
