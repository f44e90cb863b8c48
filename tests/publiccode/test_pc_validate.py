"""Validation of versions, mandatory keys, categories, descriptions and licences."""
from __future__ import annotations

import pytest

from catalog.publiccode import validate
from tests.publiccode.conftest import make_doc


def paths(issues) -> set[str]:
    return {i.path for i in issues}


def test_minimal_document_is_valid(doc):
    assert validate(doc) == ([], [])


@pytest.mark.parametrize("version", ["0.2", "0.2.0", "0.2.1", "0.2.2", "0.3", "0.3.0", "0.4",
                                     "0.4.0", "0.5", "0.5.0", "0.6", "0.6.0", "0.7", "0.7.0"])
def test_supported_versions(version):
    assert validate(make_doc(version))[0] == []


@pytest.mark.parametrize("version", ["0.1", "0.8", "1.0", "1", "v0.4", "0.4.0.1", "terbaru"])
def test_unknown_version_is_an_error(version):
    errors, _ = validate(make_doc(version))
    assert paths(errors) == {"publiccodeYmlVersion"}
    assert "tidak didukung" in errors[0].message


def test_unknown_version_still_reports_every_other_error(doc):
    doc["publiccodeYmlVersion"] = "9.9"
    del doc["name"]
    doc["developmentStatus"] = "selesai"
    assert paths(validate(doc)[0]) == {"publiccodeYmlVersion", "name", "developmentStatus"}


def test_unquoted_version_number_warns(doc):
    doc["publiccodeYmlVersion"] = 0.4
    errors, warnings = validate(doc)
    assert errors == [] and paths(warnings) == {"publiccodeYmlVersion"}


def test_not_a_mapping():
    errors, _ = validate(["a"])
    assert paths(errors) == {""}


def test_missing_sections_name_their_mandatory_keys(doc):
    for key in ("description", "legal", "maintenance", "localisation", "platforms"):
        del doc[key]
    assert paths(validate(doc)[0]) == {
        "description", "legal.license", "maintenance.type", "localisation.localisationReady",
        "localisation.availableLanguages", "platforms"}


def test_wrong_section_type_reported_once(doc):
    doc["legal"] = "MIT"
    doc["localisation"] = ["id"]
    # as the reference: a legal section of the wrong type has no licence either
    assert paths(validate(doc)[0]) == {"legal", "legal.license", "localisation"}


def test_platforms_are_a_list_of_free_values(doc):
    doc["platforms"] = "web"  # the reference refuses a lone string (its platforms_wrong_type.yml)
    assert paths(validate(doc)[0]) == {"platforms"}
    doc["platforms"] = ["web", "Tizen"]
    assert validate(doc)[0] == []
    doc["platforms"] = []
    assert paths(validate(doc)[0]) == {"platforms"}


@pytest.mark.parametrize("version", ["0.2", "0.4", "0.5", "0"])
def test_categories_optional_in_every_version(doc, version):
    # The reference reads every file by the latest rules, where categories are optional.
    doc["publiccodeYmlVersion"] = version
    del doc["categories"]
    assert validate(doc)[0] == []


def test_category_other_is_in_the_standard_list(doc):
    doc["categories"] = ["other"]
    errors, warnings = validate(doc)
    assert errors == [] and "categories[0]" in paths(warnings)


def test_standard_category_missing_from_catalog_vocab_warns(doc):
    doc["publiccodeYmlVersion"] = "0.5"  # 'other' exists since 0.5; the catalog has no such category
    doc["categories"] = ["other"]
    errors, warnings = validate(doc)
    assert errors == [] and paths(warnings) == {"categories[0]"}


@pytest.mark.parametrize("length, ok", [(150, True), (151, False)])
def test_short_description_limit(doc, length, ok):
    doc["description"]["id"]["shortDescription"] = "a" * length
    assert (validate(doc)[0] == []) is ok


@pytest.mark.parametrize("length, ok", [(149, False), (150, True), (10000, True), (10001, False)])
def test_long_description_limits(doc, length, ok):
    doc["description"]["id"]["longDescription"] = "a" * length
    assert (validate(doc)[0] == []) is ok


def test_long_description_and_features_needed_in_one_language_only(doc):
    doc["description"]["en"] = {"shortDescription": "Public service records."}
    assert validate(doc)[0] == []


def test_short_description_needed_in_every_language(doc):
    doc["description"]["en"] = {"longDescription": "x" * 200}
    assert paths(validate(doc)[0]) == {"description.en.shortDescription"}


def test_no_language_has_long_description_or_features(doc):
    doc["description"] = {"id": {"shortDescription": "Singkat."}}
    assert paths(validate(doc)[0]) == {"description.id.longDescription",
                                       "description.id.features"}


def test_empty_description(doc):
    doc["description"] = {}
    assert paths(validate(doc)[0]) == {"description"}


def test_legacy_three_letter_language_warns(doc):
    doc["description"] = {"ind": doc["description"]["id"]}
    doc["localisation"]["availableLanguages"] = ["ind", "en-GB", "ban"]
    errors, warnings = validate(doc)
    assert errors == []
    assert paths(warnings) == {"description.ind", "localisation.availableLanguages[0]"}


def test_unknown_primary_language(doc):
    doc["localisation"]["availableLanguages"] = ["qq"]
    assert paths(validate(doc)[0]) == {"localisation.availableLanguages[0]"}


def test_localisation_ready_must_be_boolean(doc):
    doc["localisation"]["localisationReady"] = "no"
    assert paths(validate(doc)[0]) == {"localisation.localisationReady"}


@pytest.mark.parametrize("licence, errors, warnings", [
    ("Apache-2.0 OR MIT", set(), set()),
    ("(GPL-2.0-or-later WITH Classpath-exception-2.0)", set(), set()),
    ("mit", set(), {"legal.license"}),
    ("GPL-2.0+", set(), {"legal.license"}),
    ("MIT AND", {"legal.license"}, set()),
    ("Hak cipta pemda", {"legal.license"}, set()),
])
def test_spdx_expressions(doc, licence, errors, warnings):
    doc["legal"]["license"] = licence
    found_errors, found_warnings = validate(doc)
    assert (paths(found_errors), paths(found_warnings)) == (errors, warnings)


def test_messages_are_indonesian(doc):
    del doc["name"]
    assert validate(doc)[0][0].message == "Kunci ini wajib diisi."
