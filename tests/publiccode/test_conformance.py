"""Conformance: small files written from the standard's text (0.7, and 0.2–0.6 where they
differ), each with the verdict the reference parser (no-network mode) gives key by key.

Every file goes through the reader; a sample covering each class also goes through the real
entry point, `POST /api/v1/apps/import` with the pasted text: 201 for a valid file, 422 naming
exactly the keys in error otherwise.
The first line of each file says which rule it exercises.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from catalog.publiccode import load
from catalog.vocab import apps as catalog_vocab
from seed.demo_repos import add_commits
from tests.repos.conftest import source_repo  # noqa: F401  (a local upstream repository)

HERE = Path(__file__).parent / "conformance"
V = "publiccodeYmlVersion"
NO_CATEGORY = {"categories"}  # the catalog's own note: no category it knows, pick one later


def _standard_only(category: str) -> set[str]:
    """Warnings for a file whose one category is in the standard: none when the catalog knows
    it, else 'valid but unknown to the catalog' and the note that no category was mapped."""
    return set() if category in catalog_vocab.CATEGORIES else NO_CATEGORY | {"categories[0]"}


# file -> (error key paths, warning key paths)
EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    # publiccodeYmlVersion: "0" is the latest 0.x; 0.2 and 0.3 warn "not the latest version"
    "valid_version_0_latest.yml": (set(), set()),
    "valid_version_0_7.yml": (set(), set()),
    "valid_version_0_2_warns.yml": (set(), {V}),
    "valid_version_0_3_warns.yml": (set(), {V}),
    "invalid_version_unknown.yml": ({V}, set()),
    "invalid_version_wrong_type.yml": ({V}, set()),
    "invalid_version_missing.yml": ({V}, set()),
    # categories: optional (empty, missing, null, other); values from the 0.7 list
    "valid_categories_missing.yml": (set(), NO_CATEGORY),
    "valid_categories_empty.yml": (set(), NO_CATEGORY),
    "valid_categories_null.yml": (set(), NO_CATEGORY),
    "valid_categories_other.yml": (set(), _standard_only("other")),
    "valid_categories_library.yml": (set(), _standard_only("integrated-library-system")),
    "invalid_categories_unknown.yml": ({"categories[0]"}, set()),
    "invalid_categories_catalog_only.yml": ({"categories[0]"}, set()),
    # organisation and fundedBy: from 0.7 uri mandatory, name optional
    "valid_organisation_uri_only.yml": (set(), set()),
    "valid_organisation_name_and_uri.yml": (set(), set()),
    "valid_organisation_name_0_5.yml": (set(), set()),
    "invalid_organisation_uri_missing.yml": ({"organisation.uri"}, set()),
    "invalid_organisation_uri_invalid.yml": ({"organisation.uri"}, set()),
    "valid_fundedBy_uri.yml": (set(), set()),
    "invalid_fundedBy_uri_missing.yml": ({"fundedBy[0].uri"}, set()),
    # legal.license: an SPDX expression over the SPDX licence and exception lists
    "valid_license_with_exception.yml": (set(), set()),
    "valid_license_or.yml": (set(), set()),
    "valid_license_ref.yml": (set(), set()),
    "invalid_license_nonsense.yml": ({"legal.license"}, set()),
    "invalid_license_licence_as_exception.yml": ({"legal.license"}, set()),
    "invalid_license_dangling.yml": ({"legal.license"}, set()),
    "invalid_license_missing.yml": ({"legal.license"}, set()),
    # an unquoted phone number is read, with a warning
    "valid_phone_number_warns.yml": (set(), {"maintenance.contacts[0].phone"}),
    "valid_phone_quoted.yml": (set(), set()),
    # an empty string or list is present: a wrong type or format even when empty
    "invalid_landingURL_empty_list.yml": ({"landingURL"}, set()),
    "invalid_landingURL_empty_string.yml": ({"landingURL"}, set()),
    "invalid_releaseDate_empty_string.yml": ({"releaseDate"}, set()),
    "invalid_softwareVersion_empty_list.yml": ({"softwareVersion"}, set()),
    "invalid_logo_empty_list.yml": ({"logo"}, set()),
    "invalid_dependsOn_version_empty_list.yml": ({"dependsOn.open[0].version"}, set()),
    "invalid_documentation_empty_string.yml": ({"description.id.documentation"}, set()),
    "invalid_name_empty_string.yml": ({"name"}, set()),
    "valid_releaseDate.yml": (set(), set()),
    "invalid_releaseDate_impossible.yml": ({"releaseDate"}, set()),
    # intendedAudience countries: ISO 3166-1 alpha-2, all upper or all lower case
    # (lower case is deprecated since 0.5: the catalog says so in a warning)
    "valid_countries_upper_and_lower.yml": (set(), {"intendedAudience.countries[1]"}),
    "invalid_countries_mixed_case.yml": ({"intendedAudience.countries[0]"}, set()),
    "invalid_countries_unassigned.yml": ({"intendedAudience.unsupportedCountries[0]"}, set()),
    # logo: SVG, SVGZ or PNG
    "valid_logo_svg.yml": (set(), set()),
    "valid_logo_png_url.yml": (set(), set()),
    "invalid_logo_mpg.yml": ({"logo"}, set()),
    "invalid_logo_jpg.yml": ({"logo"}, set()),
    # inputTypes / outputTypes (deprecated keys): well-formed media types
    "valid_mime_types.yml": (set(), {"inputTypes", "outputTypes"}),
    "invalid_mime_types.yml": ({"inputTypes[1]", "outputTypes[0]"}, {"inputTypes", "outputTypes"}),
    # videos: only addresses an oEmbed provider serves (fixed list, no network)
    "valid_video_youtube.yml": (set(), set()),
    "valid_video_vimeo.yml": (set(), set()),
    "invalid_video_not_oembed.yml": ({"description.id.videos[0]"}, set()),
    # the Italian extension (deprecated from 0.7, so every use warns)
    "valid_it_extension.yml": (set(), {"IT", "IT.riuso.codiceIPA"}),
    "valid_it_lowercase_warns.yml": (set(), {"it", "it.riuso.codiceIPA"}),
    # wrong types the reference refuses even in short forms
    "invalid_platforms_string.yml": ({"platforms"}, set()),
    "invalid_legal_wrong_type.yml": ({"legal", "legal.license"}, set()),
    "invalid_isBasedOn_string_not_url.yml": ({"isBasedOn[0]"}, set()),
    "invalid_it_codiceIPA.yml": ({"IT.riuso.codiceIPA"}, {"IT", "IT.riuso.codiceIPA"}),
    "invalid_it_countryExtensionVersion.yml": ({"IT.countryExtensionVersion"}, {"IT"}),
    "invalid_it_and_IT.yml": ({"it"}, {"it", "IT", "it.riuso.codiceIPA", "IT.riuso.codiceIPA"}),
    "invalid_it_wrong_case.yml": ({"It"}, set()),
    # presence, type and enum of mandatory keys, cross-key rules
    "invalid_developmentStatus_enum.yml": ({"developmentStatus"}, set()),
    "invalid_platforms_empty.yml": ({"platforms"}, set()),
    "invalid_localisationReady_type.yml": ({"localisation.localisationReady"}, set()),
    "invalid_contacts_missing_internal.yml": ({"maintenance.contacts"}, set()),
    "invalid_shortDescription_too_long.yml": ({"description.id.shortDescription"}, set()),
    # more keys of 0.7, one rule each: presence, type, enum, format, cross-key rules
    "invalid_url_missing.yml": ({"url"}, set()),
    "invalid_url_not_a_url.yml": ({"url"}, set()),
    "invalid_name_wrong_type.yml": ({"name"}, set()),
    "valid_applicationSuite.yml": (set(), set()),
    "invalid_applicationSuite_wrong_type.yml": ({"applicationSuite"}, set()),
    "invalid_softwareType_enum.yml": ({"softwareType"}, set()),
    "invalid_softwareType_missing.yml": ({"softwareType"}, set()),
    "valid_isBasedOn_string_and_list.yml": (set(), set()),
    "invalid_isBasedOn_not_url.yml": ({"isBasedOn[0]"}, set()),
    "valid_roadmap.yml": (set(), set()),
    "invalid_roadmap_not_url.yml": ({"roadmap"}, set()),
    "valid_usedBy.yml": (set(), set()),
    "invalid_usedBy_wrong_type.yml": ({"usedBy"}, set()),
    "valid_scope.yml": (set(), set()),
    "invalid_scope_unknown.yml": ({"intendedAudience.scope[0]"}, set()),
    "invalid_description_language.yml": ({"description.indonesia"}, set()),
    # deliberate difference (README): the standard asks for longDescription and features in at
    # least one language; the reference asks for them in every language
    "valid_description_two_languages.yml": (set(), set()),
    "invalid_longDescription_too_short.yml": ({"description.id.longDescription"}, set()),
    "invalid_features_empty.yml": ({"description.id.features"}, set()),
    "invalid_genericName_too_long.yml": ({"description.id.genericName"}, {"description.id.genericName"}),
    "invalid_localisedName_wrong_type.yml": ({"description.id.localisedName"}, set()),
    "invalid_awards_wrong_type.yml": ({"description.id.awards"}, set()),
    "valid_documentation_url.yml": (set(), set()),
    "invalid_apiDocumentation_not_url.yml": ({"description.id.apiDocumentation"}, set()),
    "valid_screenshots.yml": (set(), set()),
    "invalid_screenshots_wrong_type.yml": ({"description.id.screenshots"}, set()),
    "invalid_availableLanguages_bcp47.yml": ({"localisation.availableLanguages[1]"}, set()),
    "invalid_availableLanguages_empty.yml": ({"localisation.availableLanguages"}, set()),
    "invalid_localisationReady_missing.yml": ({"localisation.localisationReady"}, set()),
    "invalid_maintenance_type_enum.yml": ({"maintenance.type"}, set()),
    "valid_maintenance_contract.yml": (set(), set()),
    "invalid_contract_without_contractors.yml": ({"maintenance.contractors"}, set()),
    "invalid_contractor_until_missing.yml": ({"maintenance.contractors[0].until"}, set()),
    "invalid_contractors_with_internal.yml": ({"maintenance.contractors"}, set()),
    "invalid_contact_email.yml": ({"maintenance.contacts[0].email"}, set()),
    "invalid_contact_name_missing.yml": ({"maintenance.contacts[0].name"}, set()),
    "valid_dependsOn.yml": (set(), set()),
    "invalid_dependsOn_name_missing.yml": ({"dependsOn.open[0].name"}, set()),
    "invalid_dependsOn_optional_type.yml": ({"dependsOn.open[0].optional"}, set()),
    "valid_supports.yml": (set(), set()),
    "invalid_supports_alias.yml": ({"supports[0].id"}, set()),
    "valid_softwareVersion.yml": (set(), set()),
    "valid_softwareVersion_number_warns.yml": (set(), {"softwareVersion"}),
    "valid_version_0_number_warns.yml": (set(), {V}),
    "valid_license_deprecated_id_warns.yml": (set(), {"legal.license"}),
    "valid_landingURL.yml": (set(), set()),
}


# Through the HTTP entry point: one or more examples of each class the issue measured.
API_SAMPLE = (
    "valid_version_0_latest.yml", "valid_version_0_2_warns.yml", "invalid_version_unknown.yml",
    "valid_categories_missing.yml", "valid_categories_empty.yml", "valid_categories_null.yml",
    "valid_categories_other.yml", "valid_categories_library.yml",
    "valid_organisation_uri_only.yml", "invalid_organisation_uri_missing.yml",
    "invalid_fundedBy_uri_missing.yml", "valid_license_with_exception.yml",
    "valid_license_ref.yml", "invalid_license_nonsense.yml", "valid_phone_number_warns.yml",
    "invalid_landingURL_empty_list.yml", "invalid_releaseDate_empty_string.yml",
    "invalid_dependsOn_version_empty_list.yml", "invalid_documentation_empty_string.yml",
    "invalid_countries_mixed_case.yml", "invalid_logo_mpg.yml", "invalid_mime_types.yml",
    "invalid_video_not_oembed.yml", "invalid_it_and_IT.yml", "valid_it_extension.yml",
)


def test_every_example_has_a_verdict_and_every_verdict_an_example():
    assert {p.name for p in HERE.glob("*.yml")} == set(EXPECTED)
    assert all(name.startswith("valid_") == (not errors) for name, (errors, _) in EXPECTED.items())
    assert set(API_SAMPLE) <= set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_reader_verdict_key_by_key(name):
    errors, warnings = EXPECTED[name]
    loaded = load((HERE / name).read_bytes())
    assert {i.path for i in loaded.errors} == errors
    assert {i.path for i in loaded.warnings} == warnings
    assert all(i.message for i in loaded.errors + loaded.warnings)


@pytest.mark.parametrize("name", API_SAMPLE)
def test_import_api_verdict(name, client, make_user, token_for):
    errors, _ = EXPECTED[name]
    headers = token_for(make_user("publisher", "21"))
    text = (HERE / name).read_text(encoding="utf-8")
    r = client.post("/api/v1/apps/import", json={"publiccode_yml": text}, headers=headers)
    if errors:
        assert r.status_code == 422, r.json
        assert set(r.json["fields"]) == errors
    else:
        assert r.status_code == 201, r.json
        assert r.json["state"] == "draft"


def test_imported_draft_without_category_asks_for_one_at_submission(client, make_user, token_for):
    headers = token_for(make_user("publisher", "21"))
    text = (HERE / "valid_categories_missing.yml").read_text(encoding="utf-8")
    r = client.post("/api/v1/apps/import", json={"publiccode_yml": text}, headers=headers)
    assert r.status_code == 201 and r.json["category"] == ""
    slug = r.json["slug"]
    r = client.post(f"/api/v1/apps/{slug}/submit", headers=headers)
    assert r.status_code == 422 and set(r.json["fields"]) == {"category"}
    assert "kategori" in r.json["fields"]["category"]
    assert client.patch(f"/api/v1/apps/{slug}", json={"category": "workflow-management"},
                        headers=headers).status_code == 200
    r = client.post(f"/api/v1/apps/{slug}/submit", headers=headers)
    assert r.status_code == 200 and r.json["state"] == "submitted"
    r = client.patch(f"/api/v1/apps/{slug}", json={"category": ""}, headers=headers)
    assert r.status_code == 422 and set(r.json["fields"]) == {"category"}


def test_validate_publiccode_command_prints_each_key_with_its_line(runner):
    valid, invalid = HERE / "valid_phone_number_warns.yml", HERE / "invalid_mime_types.yml"
    result = runner.invoke(args=["catalog", "validate-publiccode", str(valid), str(invalid)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith(f"{invalid}:33: error: inputTypes[1]: ") for line in lines)
    assert any(line.startswith(f"{invalid}:35: error: outputTypes[0]: ") for line in lines)
    assert any(line.startswith(f"{valid}:27: warning: maintenance.contacts[0].phone: ") for line in lines)
    assert f"{valid}: valid (0 errors, 1 warnings)" in lines
    assert f"{invalid}: INVALID (2 errors, 2 warnings)" in lines


def test_validate_publiccode_command_exit_0_when_every_file_is_valid(runner):
    files = [str(HERE / name) for name in ("valid_version_0_latest.yml", "valid_logo_svg.yml")]
    result = runner.invoke(args=["catalog", "validate-publiccode", *files])
    assert result.exit_code == 0 and result.output.count(": valid (0 errors, 0 warnings)") == 2


@pytest.mark.parametrize("name", ["valid_license_with_exception.yml", "valid_categories_null.yml",
                                  "invalid_landingURL_empty_list.yml", "invalid_logo_mpg.yml"])
def test_repository_import_verdict(name, client, make_user, token_for, source_repo):  # noqa: F811
    """Read from the repository's main branch, the same file gives the same verdict."""
    errors, _ = EXPECTED[name]
    add_commits(source_repo, "main", [("publiccode.yml", (HERE / name).read_text(encoding="utf-8"),
                                       "publiccode.yml dari contoh kesesuaian")], author="Penerbit")
    headers = token_for(make_user("admin", "komdigi"))
    r = client.post("/api/v1/apps/import", json={"repo_url": str(source_repo), "org": "21"},
                    headers=headers)
    if errors:
        assert r.status_code == 422, r.json
        assert set(r.json["fields"]) == errors
    else:
        assert r.status_code == 201, r.json
        assert r.json["warnings"]["url"].startswith("Berkas menyebut alamat lain")


def test_submit_page_names_the_missing_category(client, make_user, token_for, login):
    publisher = make_user("publisher", "21")
    text = (HERE / "valid_categories_other.yml").read_text(encoding="utf-8")
    r = client.post("/api/v1/apps/import", json={"publiccode_yml": text}, headers=token_for(publisher))
    assert r.status_code == 201
    if r.json["category"]:
        pytest.skip("the catalog's vocabulary has `other` now")
    login(publisher)
    r = client.post(f"/apps/{r.json['slug']}/submit")
    assert r.status_code == 422
    assert "Pilih kategori aplikasi sebelum mengajukan entri" in r.get_data(as_text=True)


def test_export_leaves_out_the_catalogs_own_categories_and_reimports():
    from datetime import date

    from catalog.publiccode import ExportEntry, parse, to_publiccode
    from tests.interop.conftest import fields

    entry = ExportEntry.from_fields(fields(category="contract-management"), publisher_name="Kepri",
                                    release_name="1.0", release_date=date(2026, 1, 5))
    text = to_publiccode(entry)
    assert "categories" not in parse(text).doc
    assert load(text).errors == []
