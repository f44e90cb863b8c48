"""Every corpus file gives exactly the error and warning key paths listed here."""
from __future__ import annotations

from pathlib import Path

import pytest

from catalog.publiccode import load
from catalog.services.catalog import fields as app_fields

CORPUS = Path(__file__).parent / "corpus"

# file -> (error paths, warning paths); '' is the whole file. Warnings include mapping notes.
EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    # 0.2 and 0.3 files earn the reference's "not the latest version" warning.
    "valid_v0.2_minimal.yml": (set(), {"publiccodeYmlVersion"}),
    "valid_v0.2_srikandi.yml": (set(), {"publiccodeYmlVersion"}),
    "valid_v0.2.2_opensid.yml": (set(), {"description.id.genericName", "catatanInternal",
                                         "legal.license", "publiccodeYmlVersion"}),
    "valid_v0.3_slims.yml": (set(), {"publiccodeYmlVersion"}),
    "valid_v0.4_jdih.yml": (set(), set()),
    "valid_v0.5_simpeg_variant.yml": (set(), {"categories"}),
    "valid_v0.6_eabsen_multilang.yml": (set(), {"platforms[3]"}),
    "valid_v0.7_perparkiran.yml": (set(), set()),
    "invalid_missing_mandatory.yml": ({"name", "url", "developmentStatus", "legal.license",
                                       "localisation.localisationReady",
                                       "localisation.availableLanguages"}, set()),
    "invalid_bad_enums.yml": ({"developmentStatus", "softwareType", "maintenance.type",
                               "categories[1]", "intendedAudience.scope[0]"},
                              {"publiccodeYmlVersion"}),
    "invalid_bad_spdx.yml": ({"legal.license"}, set()),
    "invalid_bad_language.yml": ({"description.indonesia", "localisation.availableLanguages[1]",
                                  "localisation.availableLanguages[2]"}, set()),
    "invalid_bad_dates_urls.yml": ({"releaseDate", "maintenance.contractors[0].until",
                                    "maintenance.contractors[1].until", "landingURL", "logo",
                                    "isBasedOn[0]", "description.id.documentation"}, set()),
    # An unquoted phone number is read (as the reference does) with a warning.
    "invalid_contractor_internal.yml": ({"maintenance.contractors",
                                         "maintenance.contacts[0].email"},
                                        {"maintenance.contacts[1].phone"}),
    "invalid_community_no_contacts.yml": ({"maintenance.contacts",
                                           "localisation.localisationReady"}, set()),
    "invalid_short_too_long.yml": ({"description.id.shortDescription",
                                    "description.en.longDescription",
                                    "description.id.features"}, set()),
    "invalid_non_mapping_root.yml": ({""}, set()),
    "invalid_deep_nesting.yml": ({""}, set()),
    "invalid_alias_bomb.yml": ({""}, set()),
    "invalid_oversized.yml": ({""}, set()),
}


def test_table_covers_the_whole_corpus():
    assert sorted(p.name for p in CORPUS.glob("*.yml")) == sorted(EXPECTED)
    assert len(EXPECTED) == 20


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file(name):
    expected_errors, expected_warnings = EXPECTED[name]
    loaded = load((CORPUS / name).read_bytes())
    assert {i.path for i in loaded.errors} == expected_errors
    assert {i.path for i in loaded.warnings} == expected_warnings
    assert len(loaded.errors) == len(expected_errors)  # one error per path, none repeated
    assert all(i.message for i in loaded.errors + loaded.warnings)
    assert bool(loaded.fields) == (not expected_errors)


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n.startswith("valid_")))
def test_valid_files_map_to_fields_the_catalog_accepts(name):
    fields = load((CORPUS / name).read_bytes()).fields
    assert list(fields) == list(app_fields.EDITABLE)
    # Categories are optional: a file without one still makes a draft (the catalog asks for a
    # category when the draft is submitted).
    app_fields.clean_app_fields(fields, allow_local_repo=False)
