"""Export to publiccode.yml: validity, the round trip, forks as variants, refused entries."""
from __future__ import annotations

from datetime import date

import pytest

from catalog.publiccode import ExportEntry, ExportError, load, parse, to_publiccode, validate
from catalog.publiccode.vocab import EXPORT_VERSION

LONG = ("JDIH menyimpan peraturan daerah, peraturan kepala daerah dan keputusan beserta status "
        "berlakunya.\n\nData dikirim ke JDIH Nasional sehingga warga menemukan produk hukum "
        "terbaru di satu tempat.")

ORG_URI = "https://katalog.example/organizations/14.71"  # the publisher's page in the catalog


def fields(**changes) -> dict:
    """Editable fields as clean_app_fields returns them."""
    base = {
        "name": "JDIH Kota Pekanbaru", "slug": "jdih", "short_description_id": "Portal produk "
        "hukum daerah.", "short_description_en": "", "description": LONG,
        "features": ["Pencarian produk hukum", "Status berlaku"],
        "category": "knowledge-management",
        "tags": [], "repo_url": "https://git.pekanbaru.example/bagian-hukum/jdih",
        "license": "GPL-3.0-or-later", "development_status": "stable",
        "software_type": "standalone/web", "platforms": ["web", "android"],
        "documentation_url": "", "maintenance_type": "internal",
        "maintenance_contacts": [{"name": "Yusuf", "email": "yusuf@pekanbaru.example",
                                  "phone": "+62 761 000"}],
        "contractor_name": "", "contract_end": None,
    }
    base.update(changes)
    return base


ROUND_TRIP_CASES = {
    "internal": fields(),
    "contract": fields(maintenance_type="contract", contractor_name="PT Solusi Data",
                       contract_end=date(2027, 6, 30), maintenance_contacts=[],
                       short_description_en="Regional legal documents portal.",
                       documentation_url="https://jdih.pekanbaru.example/bantuan"),
    "community": fields(maintenance_type="community", license="AGPL-3.0-or-later OR MIT",
                        maintenance_contacts=[{"name": "Ayu", "email": "", "phone": ""}],
                        software_type="library", platforms=["linux", "windows", "mac"]),
    "none": fields(maintenance_type="none", maintenance_contacts=[], name="Yes",
                   development_status="obsolete", slug="jdih"),
}


@pytest.mark.parametrize("case", sorted(ROUND_TRIP_CASES))
def test_round_trip(case):
    original = ROUND_TRIP_CASES[case]
    entry = ExportEntry.from_fields(original, publisher_name="Pemerintah Kota Pekanbaru", publisher_uri=ORG_URI,
                                    release_name="2.3", release_date=date(2026, 2, 1))
    loaded = load(to_publiccode(entry))
    assert (loaded.errors, loaded.warnings) == ([], [])
    assert loaded.fields == original
    assert loaded.extras["releaseDate"] == "2026-02-01"
    assert loaded.extras["organisation"] == {"name": "Pemerintah Kota Pekanbaru", "uri": ORG_URI}


def test_export_is_valid_yaml_1_2_of_the_export_version():
    text = to_publiccode(ExportEntry.from_fields(fields(), publisher_name="Pemkot Pekanbaru", publisher_uri=ORG_URI))
    doc = parse(text).doc
    assert doc["publiccodeYmlVersion"] == EXPORT_VERSION == "0"  # the latest 0.x: 0.7 rules
    assert validate(doc) == ([], [])
    assert doc["organisation"] == {"name": "Pemkot Pekanbaru", "uri": ORG_URI}
    assert doc["legal"] == {"license": "GPL-3.0-or-later", "mainCopyrightOwner": "Pemkot Pekanbaru"}
    assert "isBasedOn" not in doc


def test_without_a_uri_the_publisher_is_the_copyright_owner_only():
    """0.7 makes organisation.uri mandatory: an entry built without one leaves organisation out."""
    doc = parse(to_publiccode(ExportEntry.from_fields(fields(), publisher_name="Pemkot Pekanbaru"))).doc
    assert "organisation" not in doc and doc["legal"]["mainCopyrightOwner"] == "Pemkot Pekanbaru"


def test_words_yaml_1_1_reads_as_booleans_are_quoted():
    text = to_publiccode(ExportEntry.from_fields(fields(name="Yes")))
    assert 'name: "Yes"' in text


def test_extra_categories_and_tags():
    entry = ExportEntry.from_fields(fields(tags=["produk-hukum"]),
                                    categories=["document-management", "knowledge-management"])
    doc = parse(to_publiccode(entry)).doc
    assert doc["categories"] == ["knowledge-management", "document-management"]
    assert load(to_publiccode(entry)).fields["tags"] == []  # tags have no place in the standard


def fork_entry(**changes) -> ExportEntry:
    values = dict(publisher_name="Pemerintah Kabupaten Solok", publisher_uri="https://katalog.example/organizations/13.02",
                  url="https://katalog.example/git/kab-solok/jdih",
                  upstream_url="https://git.pekanbaru.example/bagian-hukum/jdih",
                  fork_note="Menambah  jenis produk\nhukum nagari.", copyright_owner="")
    values.update(changes)
    return ExportEntry.from_fields(fields(), **values)


def test_fork_exports_as_variant():
    doc = parse(to_publiccode(fork_entry())).doc
    assert validate(doc) == ([], [])
    assert doc["url"] == "https://katalog.example/git/kab-solok/jdih"
    assert doc["isBasedOn"] == "https://git.pekanbaru.example/bagian-hukum/jdih"
    assert doc["organisation"] == {"name": "Pemerintah Kabupaten Solok",
                                   "uri": "https://katalog.example/organizations/13.02"}
    assert "mainCopyrightOwner" not in doc["legal"]  # the variant does not own upstream's code
    note = "Modifikasi daerah: Menambah jenis produk hukum nagari."
    assert doc["description"]["id"]["features"][-1] == note
    assert doc["description"]["id"]["longDescription"].endswith(note)


def test_fork_loads_back_as_its_own_codebase():
    loaded = load(to_publiccode(fork_entry(copyright_owner="Pemerintah Kota Pekanbaru")))
    assert loaded.errors == []
    assert loaded.fields["repo_url"] == "https://katalog.example/git/kab-solok/jdih"
    assert loaded.fields["features"][:2] == ["Pencarian produk hukum", "Status berlaku"]
    assert loaded.extras["isBasedOn"] == ["https://git.pekanbaru.example/bagian-hukum/jdih"]


@pytest.mark.parametrize("changes, field", [
    ({"short_description_id": "x" * 151}, "short_description_id"),
    ({"description": "Terlalu pendek."}, "description"),
    ({"features": []}, "features"),
    ({"platforms": []}, "platforms"),
    ({"maintenance_contacts": []}, "maintenance_contacts"),
    ({"maintenance_type": "contract", "contractor_name": "PT Solusi"}, "contract_end"),
    ({"maintenance_type": "contract", "contract_end": date(2027, 1, 1)}, "contractor_name"),
    ({"license": "Bebas"}, "license"),
])
def test_entries_that_cannot_be_valid_are_refused(changes, field):
    with pytest.raises(ExportError) as caught:
        to_publiccode(ExportEntry.from_fields(fields(**changes)))
    assert field in caught.value.fields
    assert caught.value.issues


def test_from_fields_ignores_unknown_keys_and_freezes_lists():
    entry = ExportEntry.from_fields({**fields(), "state": "published", "id": 7})
    assert entry.features == ("Pencarian produk hukum", "Status berlaku")
    assert entry.url == ""
