"""Validation of maintenance, dates, URLs, audience, dependencies, organisations, supports."""
from __future__ import annotations

import pytest

from catalog.publiccode import validate
from tests.publiccode.conftest import make_doc


def paths(issues) -> set[str]:
    return {i.path for i in issues}


def test_contract_needs_contractors(doc):
    doc["maintenance"] = {"type": "contract"}
    assert paths(validate(doc)[0]) == {"maintenance.contractors"}


def test_contractor_needs_name_until_and_valid_email(doc):
    doc["maintenance"] = {"type": "contract", "contractors": [
        {"name": "PT Contoh", "until": "2027-01-01", "website": "https://contoh.example"},
        {"email": "bukan-surel"},
    ]}
    assert paths(validate(doc)[0]) == {"maintenance.contractors[1].name",
                                       "maintenance.contractors[1].until",
                                       "maintenance.contractors[1].email"}


@pytest.mark.parametrize("kind", ["internal", "community", "none"])
def test_contractors_forbidden_unless_contract(doc, kind):
    doc["maintenance"] = {"type": kind, "contacts": [{"name": "Nur"}],
                          "contractors": [{"name": "PT Contoh", "until": "2027-01-01"}]}
    assert paths(validate(doc)[0]) == {"maintenance.contractors"}


@pytest.mark.parametrize("kind, needs_contacts", [("internal", True), ("community", True),
                                                  ("none", False)])
def test_contacts_required_for_internal_and_community(doc, kind, needs_contacts):
    doc["maintenance"] = {"type": kind}
    assert (paths(validate(doc)[0]) == {"maintenance.contacts"}) is needs_contacts


def test_contact_fields(doc):
    doc["maintenance"]["contacts"] = [{"email": "nur@contoh.example", "phone": "+62 771 1"},
                                      "Nur Aini"]
    assert paths(validate(doc)[0]) == {"maintenance.contacts[0].name", "maintenance.contacts[1]"}


@pytest.mark.parametrize("value, error", [("2026-12-31", False), ("2026-13-01", True),
                                          ("2026-1-5", True), ("2026-12-31T10:00:00", True),
                                          (20261231, True)])
def test_release_date_format(doc, value, error):
    doc["releaseDate"] = value
    assert (paths(validate(doc)[0]) == {"releaseDate"}) is error


def test_url_forms(doc):
    doc.update(url="http://git.contoh.example/a", landingURL="https://u:p@contoh.example",
               roadmap="contoh.example/roadmap", logo="img/logo.jpg",
               isBasedOn="https://git.contoh.example/hulu")
    errors, warnings = validate(doc)
    assert paths(errors) == {"landingURL", "roadmap", "logo"}  # a logo is SVG, SVGZ or PNG
    assert paths(warnings) == {"url"}


def test_is_based_on_list(doc):
    doc["isBasedOn"] = ["https://git.contoh.example/hulu", 42]
    assert paths(validate(doc)[0]) == {"isBasedOn[1]"}


def test_scope_and_countries(doc):
    doc["intendedAudience"] = {"scope": ["government", "education", "desa"],
                               "countries": ["ID", "idn"], "unsupportedCountries": ["it"]}
    errors, warnings = validate(doc)
    assert paths(errors) == {"intendedAudience.scope[2]", "intendedAudience.countries[1]"}
    assert warnings == []  # lowercase country codes are fine before 0.5


def test_lowercase_country_deprecated_since_0_5():
    doc = make_doc("0.5")
    doc["intendedAudience"] = {"countries": ["id"]}
    assert paths(validate(doc)[1]) == {"intendedAudience.countries[0]"}


def test_dependencies(doc):
    doc["dependsOn"] = {"open": [{"name": "PostgreSQL", "version": 14}, {"versionMin": "1"}],
                        "hardware": [{"name": "Pemindai", "optional": "ya"}]}
    errors, warnings = validate(doc)
    assert paths(errors) == {"dependsOn.open[1].name", "dependsOn.hardware[0].optional"}
    assert paths(warnings) == {"dependsOn.open[0].version"}


def test_organisation_and_funders():
    doc = make_doc("0.5")
    doc["organisation"] = {"name": "Pemkab Solok", "uri": "urn:x-kemendagri:13.02"}
    doc["fundedBy"] = [{"uri": "bukan uri"}]
    assert paths(validate(doc)[0]) == {"fundedBy[0].name", "fundedBy[0].uri"}


def test_supports_ids():
    doc = make_doc("0.7")
    doc["supports"] = [{"id": "alias:spid"}, {"id": "alias:pdp"}, {"id": "urn:x-perpres:95-2018"},
                       {"id": "tanpa skema"}, {}]
    assert paths(validate(doc)[0]) == {"supports[1].id", "supports[3].id", "supports[4].id"}
