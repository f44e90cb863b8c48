"""Unknown, deprecated and too-new keys, and country sections."""
from __future__ import annotations

import pytest

from catalog.publiccode import validate
from tests.publiccode.conftest import make_doc


def paths(issues) -> set[str]:
    return {i.path for i in issues}


def test_keys_newer_than_declared_version_warn(doc):
    doc["organisation"] = {"name": "Pemkab Solok"}
    doc["supports"] = [{"id": "alias:gdpr"}]
    errors, warnings = validate(doc)
    assert errors == [] and paths(warnings) == {"organisation", "supports"}


@pytest.mark.parametrize("version, key, warns", [
    ("0.4", "repoOwner", False), ("0.5", "repoOwner", True), ("0.2", "authorsFile", True),
])
def test_deprecated_legal_keys(version, key, warns):
    doc = make_doc(version)
    doc["legal"][key] = "Pemerintah Kota Tanjung Pinang"
    errors, warnings = validate(doc)
    assert errors == []
    assert (f"legal.{key}" in paths(warnings)) is warns


def test_deprecated_top_level_and_description_keys(doc):
    doc.update(monochromeLogo="img/mono.svg", inputTypes=["text/csv"], softwareType="standalone")
    doc["description"]["id"]["genericName"] = "Buku tamu"
    errors, warnings = validate(doc)
    assert errors == []
    assert paths(warnings) == {"monochromeLogo", "inputTypes", "softwareType",
                               "description.id.genericName"}


def test_version_0_1_spellings_warn_and_point_to_new_keys(doc):
    doc["publiccode-yaml-version"] = doc.pop("publiccodeYmlVersion")
    doc["tags"] = doc.pop("categories")
    doc["description"]["id"]["featureList"] = ["x"]
    errors, warnings = validate(doc)
    # Without a version the latest rules apply, where categories are optional.
    assert paths(errors) == {"publiccodeYmlVersion"}
    assert paths(warnings) == {"publiccode-yaml-version", "tags", "description.id.featureList"}


@pytest.mark.parametrize("version, key, expected", [
    ("0.4", "it", {"it"}),  # as the reference: lowercase is deprecated in any version
    ("0.5", "it", {"it", "it.riuso.codiceIPA"}),
    ("0.4", "IT", {"IT"}),
    ("0.5", "IT", {"IT.riuso.codiceIPA"}),
    ("0.7", "IT", {"IT", "IT.riuso.codiceIPA"}),
    ("0.7", "it", {"it", "it.riuso.codiceIPA"}),
])
def test_italian_country_section(version, key, expected):
    doc = make_doc(version)
    doc[key] = {"countryExtensionVersion": "1.0", "riuso": {"codiceIPA": "c_h501"},
                "piattaforme": {"spid": True}}
    errors, warnings = validate(doc)
    assert errors == [] and paths(warnings) == expected


def test_conforme_always_deprecated(doc):
    doc["it"] = {"conforme": {"gdpr": True}}
    assert paths(validate(doc)[1]) == {"it", "it.conforme"}


def test_unknown_keys_warn_at_every_level(doc):
    doc["fr"] = {"x": 1}
    doc["catatan"] = "internal"
    doc["description"]["id"]["ringkasan"] = "x"
    doc["maintenance"]["contacts"][0]["jabatan"] = "Kepala Seksi"
    errors, warnings = validate(doc)
    assert errors == []
    assert paths(warnings) == {"fr", "catatan", "description.id.ringkasan",
                               "maintenance.contacts[0].jabatan"}
    assert "negara" in next(w.message for w in warnings if w.path == "fr")


def test_non_text_keys_are_errors(doc):
    doc[1] = "satu"
    doc["legal"][("a",)] = "b"
    assert {"1", "legal.('a',)"} <= paths(validate(doc)[0])
