"""Test data builders shared across test modules."""
from __future__ import annotations


def app_payload(**overrides) -> dict:
    data = {
        "name": "Srikandi", "short_description_id": "Sistem informasi kearsipan dinamis terintegrasi.",
        "short_description_en": "Dynamic archive management.", "description": "Naskah dinas dan **kearsipan**.",
        "features": ["Naskah dinas", "Disposisi"], "category": "document-management", "tags": ["kearsipan"],
        "license": "GPL-3.0-or-later", "repo_url": "https://git.example.go.id/srikandi.git",
        "development_status": "stable", "platforms": ["web"], "maintenance_type": "internal",
        "maintenance_contacts": [{"name": "Tim Srikandi", "email": "srikandi@anri.go.id", "phone": ""}],
    }
    data.update(overrides)
    return data
