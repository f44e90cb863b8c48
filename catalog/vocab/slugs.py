"""Slugs: the URL names of apps and repositories, and the names no entry may take."""
from __future__ import annotations

import re

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
RESERVED_SLUGS = {"new", "baru", "import", "upstream", "api", "admin", "static", "git"}


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-")
    return slug[:64].strip("-")
