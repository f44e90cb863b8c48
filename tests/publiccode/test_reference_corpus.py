"""The reference parser's own test corpus (italia/publiccode-parser-go, testdata/v0; provenance and
licence in reference/README.md), read by the catalog: every file the reference accepts is
accepted, every file it refuses is refused on the same keys, and the reference's warnings are
given too. Where the catalog says more or differs, the table says so and README.md says why.

As in the reference's tests, files a document names (logo, screenshots, authorsFile) are looked
up next to it; the reference's binary assets are not in the stored corpus, so stand-ins are.
"""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from catalog.publiccode import files, parse, validate

REF = Path(__file__).parent / "reference"
V = "publiccodeYmlVersion"
LEGACY_LANGUAGES = {f"localisation.availableLanguages[{i}]" for i in (1, 2, 3)}  # ita, fra, deu
IT_0_7 = {"IT", "IT.riuso.codiceIPA"}  # the Italian section, deprecated by 0.7
FUNDED_0_5 = {"fundedBy"}  # a 0.4 file using a key added in 0.5


def _png(width: int) -> bytes:
    ihdr = b"IHDR" + struct.pack(">IIBBBBB", width, width, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + ihdr + struct.pack(">I", zlib.crc32(ihdr))


# The reference's binary assets next to its valid files, by the paths those files use.
ASSETS = {"assets/img/logo.png": _png(1000), "assets/AUTHORS": b"Medusa authors\n",
          **{f"assets/img/sshot{i}.png": _png(1280) for i in (1, 2, 3)},
          "assets/img/not-an-image.png": b"not an image\n"}  # the reference's is not a PNG either


# file -> (error keys, warning keys): the reference's own verdict (its parser_test.go), plus
# the catalog's extra warnings where noted.
VALID: dict[str, tuple[set[str], set[str]]] = {
    "valid/categories_empty.yml": (set(), set()),
    "valid/categories_missing.yml": (set(), set()),
    "valid/categories_nil.yml": (set(), set()),
    # extra: a category of the standard the catalog's own list lacks
    "valid/categories_other.yml": (set(), {"categories[0]"}),
    # extras: IT section and its codiceIPA deprecated in 0.7; repoOwner deprecated since 0.5;
    # ISO 639-2 codes (ita, fra, deu) where BCP 47 wants it, fr, de
    "valid/countryExtensionVersion_1.0.yml": (set(), IT_0_7 | {"legal.repoOwner"} | LEGACY_LANGUAGES),
    "valid/dependsOn.yml": (set(), IT_0_7 | {"legal.repoOwner"} | LEGACY_LANGUAGES),
    "valid/fundedBy_name_missing.yml": (set(), set()),
    "valid/logo_with_url.yml": (set(), set()),
    # extra: an unquoted phone number is read as a number (it loses a leading 0 or +)
    "valid/maintenance_contacts_phone.yml": (set(), {"maintenance.contacts[0].phone"}),
    "valid/maintenance_contacts_when_type_is_contract.yml": (set(), set()),
    "valid/maintenance_contacts_when_type_is_internal.yml": (set(), set()),
    "valid/maintenance_contacts_when_type_is_none.yml": (set(), set()),
    "valid/maintenance_contacts_with_type_community.yml": (set(), set()),
    "valid/maintenance_contacts_with_type_internal.yml": (set(), set()),
    "valid/maintenance_contractors_with_type_contract.yml": (set(), set()),
    "valid/no-network/valid.yml": (set(), IT_0_7 | {"legal.repoOwner"} | LEGACY_LANGUAGES),
    "valid/no-network/valid_with_supports.yml": (set(), set()),
    "valid/organisation_name_missing.yml": (set(), set()),
    "valid/valid.minimal.yml": (set(), set()),
    "valid/valid.yml": (set(), {"IT"} | LEGACY_LANGUAGES),
    "valid/valid_no_it_conforme.yml": (set(), {"IT"} | LEGACY_LANGUAGES),
    "valid/valid_spdx_or.yml": (set(), set()),
    "valid/valid_spdx_with.yml": (set(), set()),
    "valid/valid_with_country_specific_section_uppercase.yml": (set(), {"IT"} | LEGACY_LANGUAGES),
    "valid/valid_with_fundedBy.yml": (set(), FUNDED_0_5),
    "valid/valid_with_fundedBy_uri_italian_pa.yml": (set(), set()),
    "valid/valid_with_fundedBy_with_uri_url.yml": (set(), FUNDED_0_5),
    "valid/valid_with_fundedBy_with_uri_urn.yml": (set(), FUNDED_0_5),
    "valid/valid_with_major_version.yml": (set(), set()),
    "valid/valid_with_organisation.yml": (set(), set()),
    "valid/valid_with_organisation_uri_italian_pa.yml": (set(), set()),
    "valid/valid_with_organisation_with_uri_url.yml": (set(), set()),
    "valid/valid_with_organisation_with_uri_urn.yml": (set(), {"organisation"}),  # 0.4 file, key of 0.5
    # the reference warns on each of these (its valid_with_warnings/); extras as above
    "valid_with_warnings/no-network/authorsFile.yml":
        (set(), {"legal.authorsFile"} | IT_0_7 | {"legal.repoOwner"} | LEGACY_LANGUAGES),
    # extras: `eng` is ISO 639-2 (this stored copy predates the reference's move to `en`)
    "valid_with_warnings/unicode_grapheme_clusters.yml":
        (set(), {"description.eng.genericName", "description.eng", "localisation.availableLanguages[0]"}),
    "valid_with_warnings/valid.mime_types.yml": (set(), {"inputTypes", "outputTypes"}),
    "valid_with_warnings/valid.minimal.v0.2.yml": (set(), {V}),
    "valid_with_warnings/valid.minimal.v0.3.yml": (set(), {V}),
    # difference: this stored copy declares "0" (the reference's table expects its 0.4 warning)
    "valid_with_warnings/valid.minimal.v0.4.yml": (set(), set()),
    "valid_with_warnings/valid_with_IT_riuso_codiceIPA.yml": (set(), IT_0_7),
    "valid_with_warnings/valid_with_country_specific_section_downcase.yml": (set(), {"it"} | LEGACY_LANGUAGES),
    "valid_with_warnings/valid_with_it_conforme.yml": (set(), {"IT.conforme"} | IT_0_7 | LEGACY_LANGUAGES),
    "valid_with_warnings/valid_with_legal_repoOwner.yml": (set(), {"legal.repoOwner"} | LEGACY_LANGUAGES),
    "valid_with_warnings/valid_with_lowercase_countries.yml": (set(), {
        "intendedAudience.countries[0]", "intendedAudience.countries[1]",
        "intendedAudience.unsupportedCountries[0]", "legal.repoOwner"} | LEGACY_LANGUAGES),
}

ENG = {"description.eng", "localisation.availableLanguages[0]"}  # ISO 639-2 `eng` (older copies)
# file -> (error keys, warning keys). The errors are the reference's keys, except where
# DIFFERENCES says otherwise; warnings the reference gives are there, extras as above.
INVALID: dict[str, tuple[set[str], set[str]]] = {
    "invalid/dependsOn_open_version_wrong_type.yml": ({"dependsOn.open[0].version"}, set()),
    "invalid/description_en_genericName_too_long.yml":
        ({"description.en.genericName"}, {"description.en.genericName"}),  # too long, deprecated
    "invalid/description_en_longDescription_too_short_grapheme_clusters.yml":
        ({"description.en.longDescription"}, set()),
    "invalid/description_en_screenshots_missing_file.yml": ({"description.en.screenshots[0]"}, set()),
    "invalid/description_en_videos_invalid_oembed.yml": ({"description.en.videos[0]"}, set()),
    "invalid/description_invalid_language.yml":
        ({"description.xxx"}, {V, "localisation.availableLanguages[0]"}),  # 0.3 is not the latest
    "invalid/file_encoding.yml": ({""}, set()),
    "invalid/fundedBy_uri_missing.yml": ({"fundedBy[0].uri"}, set()),
    "invalid/intendedAudience_countries_invalid_iso_3166_1_alpha_2.yml": ({"intendedAudience.countries[2]"}, set()),
    "invalid/invalid_yaml.yml": ({""}, set()),
    "invalid/isBasedOn_bad_url_array.yml": ({"isBasedOn[1]"}, set()),
    "invalid/it_IT_duplicated.yml": ({"it"}, {"it", "IT"}),
    "invalid/it_riuso_codiceIPA_invalid.yml": (set(), IT_0_7),
    "invalid/it_wrong_case.yml": ({"It"}, LEGACY_LANGUAGES),
    "invalid/landingURL_wrong_type.yml": ({"landingURL"}, {"IT"} | LEGACY_LANGUAGES),
    "invalid/legal_authorsFile_missing_file.yml": ({"legal.authorsFile"}, {"legal.authorsFile"}),
    "invalid/legal_license_invalid.yml": ({"legal.license"}, set()),
    "invalid/localisation_availableLanguages_invalid.yml": ({"localisation.availableLanguages[0]"}, set()),
    "invalid/logo_absolute_path.yml": ({"logo"}, set()),
    "invalid/logo_file_scheme.yml": ({"logo"}, set()),
    "invalid/logo_unsupported_extension.yml": ({"logo"}, set()),
    "invalid/maintenance_contacts_email_invalid.yml": ({"maintenance.contacts[0].email"}, set()),
    "invalid/maintenance_contractors_until_invalid.yml": ({"maintenance.contractors[0].until"}, {V} | ENG),
    "invalid/maintenance_contractors_when_type_is_community.yml": ({"maintenance.contractors"}, set()),
    "invalid/mostly_empty.yml": ({
        "name", "url", "platforms", "developmentStatus", "softwareType", "description.en-US.shortDescription",
        "description.en-US.longDescription", "description.en-US.features", "legal.license", "maintenance.type",
        "localisation.localisationReady", "localisation.availableLanguages"}, set()),
    "invalid/name_wrong_type.yml": ({"name"}, ENG),
    "invalid/no-network/localisation_localisationReady_yaml11_yes.yml": ({"localisation.localisationReady"}, set()),
    "invalid/no-network/logo_invalid_png.yml": ({"logo"}, set()),
    "invalid/no-network/logo_missing_file.yml": ({"logo"}, ENG),
    "invalid/no-network/supports_unknown_alias.yml": ({"supports[0].id"}, set()),
    "invalid/organisation_uri_missing.yml": ({"organisation.uri"}, set()),
    "invalid/organisation_uri_wrong_italian_pa2.yml": (set(), set()),
    "invalid/organisation_wrong_type.yml": ({"organisation"}, set()),
    "invalid/publiccodeYmlVersion_invalid.yml":
        ({V, "description.en_GB"}, {"localisation.availableLanguages[0]"}),
    "invalid/publiccodeYmlVersion_wrong_type.yml": ({V}, set()),
    "invalid/releaseDate_datetime.yml": ({"releaseDate"}, set()),
    "invalid/releaseDate_empty.yml": ({"releaseDate"}, set()),
    "invalid/unknown_field.yml": (set(), {"foobar"}),
    "invalid/url_wrong_type.yml": ({"url"}, set()),
    "invalid/inputTypes_wrong_type.yml": ({"inputTypes"}, {"inputTypes"} | ENG),
    "invalid/intendedAudience_countries_invalid_country.yml": ({"intendedAudience.countries[2]"}, set()),
    "invalid/intendedAudience_scope_invalid_scope.yml": ({"intendedAudience.scope[0]"}, set()),
    "invalid/isBasedOn_wrong_type.yml": ({"isBasedOn"}, {V} | ENG),
    "invalid/it_countryExtensionVersion_invalid.yml": ({"IT.countryExtensionVersion"}, {"IT"}),
    "invalid/logo_missing_url.yml": (set(), set()),
    "invalid/maintenance_contractors_invalid_type.yml": ({"maintenance.contractors"}, set()),
    "invalid/monochromeLogo_unsupported_extension.yml": ({"monochromeLogo"}, {"monochromeLogo"} | ENG),
    "invalid/description_en_documentation_wrong_type.yml": ({"description.en.documentation"}, set()),
    "invalid/description_en_features_missing.yml": ({"description.en.features"}, set()),
    "invalid/legal_wrong_type.yml": ({"legal", "legal.license"}, set()),
    "invalid/platforms_wrong_type.yml": ({"platforms"}, set()),
    "invalid/categories_invalid.yml": ({"categories[0]"}, set()),
    "invalid/description_en_features_empty.yml": ({"description.en.features"}, set()),
    "invalid/fundedBy_wrong_type.yml": ({"fundedBy"}, set()),
    "invalid/inputTypes_invalid.yml": ({"inputTypes[1]"}, {"inputTypes"}),
    "invalid/maintenance_contacts_missing_with_type_internal.yml": ({"maintenance.contacts"}, ENG),
    "invalid/maintenance_contractors_website_invalid.yml": ({"maintenance.contractors[0].website"}, {V} | ENG),
    "invalid/releaseDate_wrong_type.yml": ({"releaseDate"}, {V} | ENG),
    "invalid/softwareVersion_wrong_type.yml": ({"softwareVersion"}, set()),
    "invalid/applicationSuite_wrong_type.yml": ({"applicationSuite"}, set()),
    "invalid/dependsOn_open_optional_wrong_type.yml": ({"dependsOn.open[0].optional"}, set()),
    "invalid/developmentStatus_invalid.yml": ({"developmentStatus"}, set()),
    "invalid/localisation_availableLanguages_empty.yml": ({"localisation.availableLanguages"}, set()),
    "invalid/name_missing.yml": ({"name"}, set()),
    "invalid/roadmap_wrong_type.yml": ({"roadmap"}, ENG),
    "invalid/softwareType_wrong_type.yml": ({"softwareType"}, ENG),
    "invalid/url_invalid.yml": ({"url"}, set()),
    "invalid/description_en_longDescription_too_short.yml": ({"description.en.longDescription"}, set()),
    "invalid/description_en_shortDescription_missing.yml": ({"description.en.shortDescription"}, set()),
    "invalid/intendedAudience_wrong_type.yml": ({"intendedAudience"}, set()),
    "invalid/legal_missing.yml": ({"legal.license"}, set()),
    "invalid/localisation_localisationReady_missing.yml": ({"localisation.localisationReady"}, ENG),
    "invalid/maintenance_contacts_name_missing.yml": ({"maintenance.contacts[0].name"}, set()),
    "invalid/maintenance_type_invalid.yml": ({"maintenance.type"}, set()),
    "invalid/organisation_wrong_uri.yml": ({"organisation.uri"}, set()),
    "invalid/description_en_videos_invalid.yml": ({"description.en.videos[0]"}, set()),
    "invalid/intendedAudience_unsupportedCountries_invalid_country.yml":
        ({"intendedAudience.unsupportedCountries[0]"}, set()),
    "invalid/maintenance_contractors_missing_with_type_contract.yml": ({"maintenance.contractors"}, set()),
    "invalid/maintenance_contractors_when_type_is_none.yml": ({"maintenance.contractors"}, set()),
    "invalid/no-network/landingURL_invalid.yml": ({"landingURL"}, {"IT"} | LEGACY_LANGUAGES),
    "invalid/no-network/localisation_localisationReady_yaml11_off.yml": ({"localisation.localisationReady"}, set()),
    "invalid/platforms_missing.yml": ({"platforms"}, set()),
    "invalid/publiccodeYmlVersion_missing.yml": ({V}, ENG),
    "invalid/description_en_apiDocumentation_invalid.yml": ({"description.en.apiDocumentation"}, set()),
    "invalid/fundedBy_wrong_uri.yml": ({"fundedBy[0].uri"}, set()),
    "invalid/isBasedOn_bad_url_string.yml": ({"isBasedOn[0]"}, set()),  # a lone string is item 0
    "invalid/logo_wrong_type.yml": ({"logo"}, ENG),
    "invalid/maintenance_contractors_email_invalid.yml": ({"maintenance.contractors[0].email"}, set()),
    "invalid/name_nil.yml": ({"name"}, set()),
    "invalid/releaseDate_invalid.yml": ({"releaseDate"}, set()),
    "invalid/softwareType_invalid.yml": ({"softwareType"}, set()),
    "invalid/dependsOn_open_name_wrong_type.yml": ({"dependsOn.open[0].name"}, ENG),
    "invalid/description_en_localisedName_wrong_type.yml": ({"description.en.localisedName"}, set()),
    "invalid/no-network/monochromeLogo_invalid_png.yml": ({"monochromeLogo"}, {"monochromeLogo"}),
    "invalid/organisation_uri_wrong_italian_pa.yml": ({"organisation.uri"}, set()),
}

# Where the catalog's error keys are not the reference's: file -> (the reference's keys, why).
DIFFERENCES: dict[str, tuple[set[str], str]] = {
    "invalid/unknown_field.yml": ({"foobar"}, "unknown keys warn and are ignored (README)"),
    "invalid/it_riuso_codiceIPA_invalid.yml":
        ({"IT.riuso.codiceIPA"}, "iPA codes are checked for their form only; the registry is not shipped"),
    "invalid/organisation_uri_wrong_italian_pa2.yml":
        ({"organisation.uri"}, "iPA codes are checked for their form only; the registry is not shipped"),
    "invalid/publiccodeYmlVersion_invalid.yml":
        ({V}, "the reference stops at an unknown version; the catalog goes on with the latest rules "
              "and reports every problem at once (`en_GB` is not BCP 47)"),
    # the same problem, named at another level of the document
    "invalid/description_invalid_language.yml": ({"description"}, "the catalog names the bad language key"),
    "invalid/organisation_wrong_type.yml":
        ({"organisation.name", "organisation.uri"}, "the catalog names the key with the wrong type"),
    "invalid/dependsOn_open_version_wrong_type.yml":
        ({"dependsOn.open.version"}, "the reference drops the index of a value of the wrong type"),
    "invalid/dependsOn_open_name_wrong_type.yml":
        ({"dependsOn.open.name", "dependsOn.open[0].name"},
         "the reference reports the wrong type without the index and the missing name with it"),
    "invalid/dependsOn_open_optional_wrong_type.yml":
        ({"dependsOn.open.optional"}, "the reference drops the index of a value of the wrong type"),
    "invalid/logo_missing_url.yml":
        ({"logo"}, "an address is not fetched: the reference refuses it only with the network on, "
                   "and accepts it in its no-network mode"),
    "invalid/inputTypes_wrong_type.yml":
        ({"inputTypes.foobar"}, "the reference names the key inside a mapping written where a list belongs"),
    "invalid/isBasedOn_wrong_type.yml":
        ({"isBasedOn.foobar"}, "the reference names the key inside a mapping written where a list belongs"),
    "invalid/fundedBy_wrong_type.yml":
        ({"fundedBy.name"}, "the reference names the key inside a mapping written where a list belongs"),
    "invalid/mostly_empty.yml": ({
        "name", "url", "platforms", "developmentStatus", "softwareType", "description[en-US].shortDescription",
        "description[en-US].longDescription", "description[en-US].features", "legal.license", "maintenance.type",
        "localisation.localisationReady", "localisation.availableLanguages"},
        "the reference writes description[en-US] where the catalog writes description.en-US"),
}

EXPECTED = {**VALID, **INVALID}


def verdict(relpath: str) -> tuple[set[str], set[str]]:
    """Error and warning keys of one corpus file, its named files looked up next to it."""
    path = REF / relpath
    parsed = parse(path.read_bytes())
    if parsed.doc is None:
        return {i.path for i in parsed.errors}, {i.path for i in parsed.warnings}
    errors, warnings = validate(parsed.doc)

    def lookup(name: str) -> tuple[str, bytes | None]:
        if name in ASSETS:
            return "blob", ASSETS[name]
        found = path.parent / name
        if found.is_dir():
            return "tree", None
        return ("blob", found.read_bytes()) if found.is_file() else ("missing", None)

    more_errors, more_warnings = files.check(parsed.doc, lookup)
    issues = parsed.warnings + warnings + more_warnings
    return {i.path for i in errors + more_errors}, {i.path for i in issues}


def test_every_corpus_file_has_a_verdict():
    on_disk = {str(p.relative_to(REF)) for p in REF.rglob("*.yml")}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("relpath", sorted(EXPECTED))
def test_the_catalog_reads_the_reference_corpus_key_by_key(relpath):
    assert verdict(relpath) == EXPECTED[relpath]


def test_every_invalid_file_is_refused_on_the_references_keys():
    """Summary of the table: refused on the same keys unless DIFFERENCES says why not."""
    for relpath, (errors, _warnings) in INVALID.items():
        reference = DIFFERENCES.get(relpath, (errors, ""))[0]
        assert errors == reference or relpath in DIFFERENCES, relpath
    refused = [r for r, (errors, _) in INVALID.items() if errors]
    # unknown_field, the two iPA registry lookups and the address fetched only with the network on
    assert len(refused) == len(INVALID) - 4


@pytest.mark.parametrize("relpath", sorted(VALID))
def test_every_valid_file_imports_through_the_api(relpath, client, make_user, token_for):
    text = (REF / relpath).read_text(encoding="utf-8")
    r = client.post("/api/v1/apps/import", json={"publiccode_yml": text},
                    headers=token_for(make_user("publisher", "21")))
    assert r.status_code == 201, r.json


def test_the_copies_match_the_manifest():
    """Each copy has the length it had where it was read (reference/MANIFEST.tsv)."""
    rows = [line.split("\t") for line in (REF / "MANIFEST.tsv").read_text().splitlines()[1:]]
    assert {row[0] for row in rows} == set(EXPECTED)
    for rel, source, _commit, chars in rows:
        assert source == f"testdata/v0/{rel}"
        raw = (REF / rel).read_bytes()
        encoding = "latin-1" if rel == "invalid/file_encoding.yml" else "utf-8"  # not UTF-8 on purpose
        assert len(raw.decode(encoding)) == int(chars), rel


# Pasted text is already decoded: a file that is not UTF-8 cannot be pasted as such.
# Pasted text has no folder either: the files it names are checked when it is read from a
# repository (tests/interop/test_import_files.py), so these are accepted when pasted.
ONLY_IN_A_TREE = ("invalid/description_en_screenshots_missing_file.yml", "invalid/legal_authorsFile_missing_file.yml",
                  "invalid/no-network/logo_missing_file.yml", "invalid/no-network/logo_invalid_png.yml",
                  "invalid/no-network/monochromeLogo_invalid_png.yml")
PASTED_INVALID = sorted(set(INVALID) - {"invalid/file_encoding.yml"})


@pytest.mark.parametrize("relpath", PASTED_INVALID)
def test_every_invalid_file_gets_the_same_verdict_through_the_api(relpath, client, make_user, token_for):
    errors, _ = INVALID[relpath]
    text = (REF / relpath).read_text(encoding="utf-8")
    r = client.post("/api/v1/apps/import", json={"publiccode_yml": text},
                    headers=token_for(make_user("publisher", "21")))
    if not errors or relpath in ONLY_IN_A_TREE:
        assert r.status_code == 201, r.json
        return
    assert r.status_code == 422, r.json
    assert set(r.json["fields"]) == {("publiccode_yml" if key == "" else key) for key in errors}
