"""A fresh valid publiccode.yml document (as parsed dicts) for each test to bend."""
from __future__ import annotations

import pytest

LONG_ID = ("Aplikasi ini mencatat layanan publik di perangkat daerah, dari permohonan warga sampai "
           "keputusan akhir, dan menyusun laporan bulanan untuk pimpinan serta inspektorat.")


def make_doc(version: str = "0.4") -> dict:
    return {
        "publiccodeYmlVersion": version,
        "name": "Layanan Contoh",
        "url": "https://git.contoh.example/diskominfo/layanan-contoh",
        "platforms": ["web"],
        "categories": ["workflow-management"],
        "developmentStatus": "stable",
        "softwareType": "standalone/web",
        "description": {"id": {"shortDescription": "Pencatatan layanan publik daerah.",
                               "longDescription": LONG_ID, "features": ["Permohonan warga"]}},
        "legal": {"license": "MIT"},
        "maintenance": {"type": "internal", "contacts": [{"name": "Nur Aini"}]},
        "localisation": {"localisationReady": False, "availableLanguages": ["id"]},
    }


@pytest.fixture
def doc() -> dict:
    return make_doc()
