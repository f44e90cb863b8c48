"""Mapping a publiccode.yml document onto the catalog's app fields and extras."""
from __future__ import annotations

from datetime import date

from catalog.publiccode import to_entry_fields
from catalog.services.catalog import fields as app_fields


def paths(issues) -> set[str]:
    return {i.path for i in issues}


def test_fields_have_exactly_the_editable_keys(doc):
    fields, _, warnings = to_entry_fields(doc)
    assert tuple(fields) == app_fields.EDITABLE
    assert warnings == []
    assert fields["tags"] == []
    assert fields["repo_url"] == doc["url"]
    assert fields["slug"] == "layanan-contoh"


def test_indonesian_texts_preferred(doc):
    doc["description"]["en"] = {"shortDescription": "English.", "longDescription": "E" * 200,
                                "features": ["English feature"], "documentation": "https://en"}
    fields, _, _ = to_entry_fields(doc)
    assert fields["short_description_id"] == "Pencatatan layanan publik daerah."
    assert fields["short_description_en"] == "English."
    assert fields["description"].startswith("Aplikasi ini")
    assert fields["features"] == ["Permohonan warga"]
    assert fields["documentation_url"] == "https://en"  # id has none, so English is used


def test_legacy_and_regional_indonesian_keys(doc):
    doc["description"] = {"ind": doc["description"]["id"]}
    assert to_entry_fields(doc)[0]["short_description_id"] == "Pencatatan layanan publik daerah."
    doc["description"] = {"en-GB": {"shortDescription": "Hi."}, "id-ID": doc["description"]["ind"]}
    fields, _, warnings = to_entry_fields(doc)
    assert fields["short_description_id"] == "Pencatatan layanan publik daerah."
    assert fields["short_description_en"] == "Hi."
    assert warnings == []


def test_without_indonesian_the_first_language_is_used_with_a_warning(doc):
    body = doc["description"].pop("id")
    doc["description"] = {"jv": {"shortDescription": "Cathetan layanan."}, "en": body}
    fields, _, warnings = to_entry_fields(doc)
    assert fields["short_description_id"] == "Cathetan layanan."
    assert fields["description"].startswith("Aplikasi ini")  # first language with a long text
    assert fields["features"] == ["Permohonan warga"]
    assert paths(warnings) == {"description.jv"}


def test_category_is_first_known_one_and_list_kept(doc):
    doc["categories"] = ["other", "hr", "payroll"]
    fields, extras, warnings = to_entry_fields(doc)
    assert fields["category"] == "hr"
    assert extras["categories"] == ["other", "hr", "payroll"]
    assert warnings == []


def test_no_known_category(doc):
    del doc["categories"]
    fields, extras, warnings = to_entry_fields(doc)
    assert fields["category"] == "" and extras["categories"] == []
    assert paths(warnings) == {"categories"}


def test_platforms_mapped_and_unknown_dropped(doc):
    doc["platforms"] = ["Web", "macOS", "Tizen", "web"]
    fields, _, warnings = to_entry_fields(doc)
    assert fields["platforms"] == ["web", "mac"]
    assert paths(warnings) == {"platforms[2]"}
    doc["platforms"] = "KaiOS"
    fields, _, warnings = to_entry_fields(doc)
    assert fields["platforms"] == [] and paths(warnings) == {"platforms"}


def test_contacts_normalised(doc):
    doc["maintenance"]["contacts"] = [{"name": "Nur", "email": "nur@contoh.example",
                                       "affiliation": "Diskominfo"}]
    fields, _, _ = to_entry_fields(doc)
    assert fields["maintenance_contacts"] == [{"name": "Nur", "email": "nur@contoh.example",
                                               "phone": ""}]
    assert fields["maintenance_type"] == "internal"
    assert (fields["contractor_name"], fields["contract_end"]) == ("", None)


def test_first_contractor_kept(doc):
    doc["maintenance"] = {"type": "contract", "contractors": [
        {"name": "PT Satu", "until": "2027-06-30"}, {"name": "PT Dua", "until": "2028-01-01"}]}
    fields, _, warnings = to_entry_fields(doc)
    assert (fields["contractor_name"], fields["contract_end"]) == ("PT Satu", date(2027, 6, 30))
    assert fields["maintenance_contacts"] == []
    assert paths(warnings) == {"maintenance.contractors"}


def test_licence_canonical(doc):
    doc["legal"]["license"] = "gpl-3.0+ or mit"
    assert to_entry_fields(doc)[0]["license"] == "GPL-3.0-or-later OR MIT"


def test_old_standalone_type(doc):
    doc["softwareType"] = "standalone"
    fields, _, warnings = to_entry_fields(doc)
    assert fields["software_type"] == "standalone/other" and paths(warnings) == {"softwareType"}


def test_slug_from_repository_name(doc):
    doc["url"] = "https://git.contoh.example/bkd/SIMPEG_v2.git/"
    assert to_entry_fields(doc)[0]["slug"] == "simpeg-v2"
    doc["url"] = "https://git.contoh.example/admin"  # reserved, falls back to the name
    assert to_entry_fields(doc)[0]["slug"] == "layanan-contoh"


def test_extras(doc):
    doc.update(isBasedOn="https://git.contoh.example/hulu", softwareVersion="2.0",
               releaseDate="2026-03-01", logo="img/logo.svg", landingURL="https://contoh.example",
               dependsOn={"open": [{"name": "PostgreSQL", "versionMin": "13"}]},
               organisation={"name": "Pemkot Tanjung Pinang"}, usedBy=["Kota Pekanbaru"],
               intendedAudience={"scope": ["local-authorities"]})
    _, extras, _ = to_entry_fields(doc)
    assert extras["isBasedOn"] == ["https://git.contoh.example/hulu"]
    assert extras["dependsOn"] == {"open": [{"name": "PostgreSQL", "versionMin": "13"}],
                                   "proprietary": [], "hardware": []}
    assert extras["localisation"] == {"localisationReady": False, "availableLanguages": ["id"]}
    assert (extras["softwareVersion"], extras["releaseDate"]) == ("2.0", "2026-03-01")
    assert (extras["logo"], extras["landingURL"]) == ("img/logo.svg", "https://contoh.example")
    assert extras["organisation"] == {"name": "Pemkot Tanjung Pinang", "uri": ""}
    assert extras["usedBy"] == ["Kota Pekanbaru"] and extras["scope"] == ["local-authorities"]
    assert extras["publiccodeYmlVersion"] == "0.4"


def test_load_collects_warnings_of_every_step():
    from catalog.publiccode import load
    from tests.publiccode.conftest import LONG_ID

    text = f"""%YAML 1.1
---
publiccodeYmlVersion: "0.4"
name: Contoh
url: https://git.contoh.example/a/contoh
platforms: [web, Tizen]
categories: [hr]
developmentStatus: stable
softwareType: standalone/web
description:
  id: {{shortDescription: Singkat., longDescription: "{LONG_ID}", features: [Satu]}}
legal: {{license: MIT, authorsFile: AUTHORS}}
maintenance: {{type: none}}
localisation: {{localisationReady: false, availableLanguages: [id]}}
"""
    loaded = load(text)
    assert loaded.errors == []
    assert paths(loaded.warnings) == {"", "legal.authorsFile", "platforms[1]"}
