"""The one SPDX parser (catalog.vocab.spdx): the same verdict for the form, the API and the reader."""
from __future__ import annotations

import pytest

from catalog.publiccode import validate
from catalog.services.catalog import apps
from catalog.services.errors import ValidationFailed
from catalog.vocab.spdx import normalize_spdx
from tests.factories import app_payload
from tests.publiccode.conftest import make_doc


@pytest.mark.parametrize("written, canonical", [
    ("MIT", "MIT"),
    ("gpl-3.0-or-later or mit", "GPL-3.0-or-later OR MIT"),
    ("GPL-3.0+", "GPL-3.0-or-later"),  # deprecated ids take their successor
    ("GPL-3.0", "GPL-3.0-only"),
    ("MIT WITH Bison-exception-2.2", "MIT WITH Bison-exception-2.2"),
    ("GPL-2.0-or-later  WITH  Classpath-exception-2.0", "GPL-2.0-or-later WITH Classpath-exception-2.0"),
    ("(MIT OR Apache-2.0) AND licenseref-pemerintah", "(MIT OR Apache-2.0) AND LicenseRef-Pemerintah"),
    ("licenseref-Dinas-Kominfo", "LicenseRef-Dinas-Kominfo"),
    ("LicenseRef-x WITH Classpath-exception-2.0", "LicenseRef-x WITH Classpath-exception-2.0"),
    ("documentref-spbe:licenseref-a", "DocumentRef-spbe:LicenseRef-a"),
    ("((MIT))", "((MIT))"),  # the writer's grouping is kept
])
def test_valid_expressions_get_the_lists_spelling(written, canonical):
    assert normalize_spdx(written) == canonical


@pytest.mark.parametrize("written", [
    "", "   ", None, 3, "GPL-3.0 WITH MIT", "Classpath-exception-2.0", "MIT WITH LicenseRef-x",
    "MIT OR", "(MIT", "MIT)", "Invalid License", "MIT+", "Hak cipta pemda", "MIT; rm -rf",
])
def test_invalid_expressions_are_refused(written):
    assert normalize_spdx(written) is None


@pytest.mark.parametrize("written, kept", [
    ("MIT WITH Bison-exception-2.2", "MIT WITH Bison-exception-2.2"),
    ("licenseref-pemerintah", "LicenseRef-Pemerintah"),
    ("GPL-3.0+", "GPL-3.0-or-later"),
])
def test_the_form_keeps_what_the_parser_spells(written, kept, make_user):
    app = apps.create_app(app_payload(license=written), actor=make_user("publisher", "21"))
    assert app.license == kept


@pytest.mark.parametrize("written", ["GPL-3.0 WITH MIT", "Classpath-exception-2.0"])
def test_the_form_and_the_reader_refuse_alike(written, make_user):
    with pytest.raises(ValidationFailed) as exc:
        apps.create_app(app_payload(license=written), actor=make_user("publisher", "21"))
    assert set(exc.value.fields) == {"license"}
    doc = make_doc("0.7")
    doc["legal"]["license"] = written
    assert [i.path for i in validate(doc)[0]] == ["legal.license"]
