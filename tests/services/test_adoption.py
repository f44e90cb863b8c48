"""What adopting an app entails: licence obligations by kind, the README's installation section,
and the dependencies kept from publiccode.yml."""
from __future__ import annotations

from catalog.services.catalog.adoption import LICENCE_KINDS, dependencies, install_section, licence_kind


def test_licence_kinds_in_plain_words():
    assert licence_kind("GPL-3.0-or-later") == "copyleft"
    assert licence_kind("MIT OR AGPL-3.0-only") == "network"
    assert licence_kind("LGPL-2.1-only") == "weak" and licence_kind("Apache-2.0") == "permissive"
    assert licence_kind("LicenseRef-Pemerintah") == "government"
    assert licence_kind("LicenseRef-Vendor") == "proprietary" and licence_kind("") == "unknown"
    assert set(LICENCE_KINDS) == {"network", "copyleft", "weak", "permissive", "government", "proprietary",
                                  "unknown"}


def test_install_section_ends_at_the_next_heading_of_its_level():
    readme = ("# Simanja\nKinerja pegawai.\n\n## Cara pasang\n1. `composer install`\n### Basis data\nMySQL 8.\n"
              "## Lisensi\nMIT\n")
    assert install_section(readme) == "## Cara pasang\n1. `composer install`\n### Basis data\nMySQL 8.\n"
    assert install_section("# Simanja\nTanpa petunjuk.\n") == "" and install_section(None) == ""


def test_dependencies_keep_only_named_entries():
    extras = {"dependsOn": {"open": [{"name": "MySQL", "versionMin": "8.0"}, {"version": "1"}, "PHP"],
                            "hardware": [{"name": "Printer"}]}}
    assert dependencies(extras) == [("open", [{"name": "MySQL", "versionMin": "8.0"}]),
                                    ("hardware", [{"name": "Printer"}])]
    assert dependencies(None) == [] and dependencies({"dependsOn": {"open": []}}) == []
