"""publiccode.yml problems speak the reader's language: English for an English request,
Indonesian by default, in the worker and when the reader is used without any app at all."""
from __future__ import annotations

import json

from flask_babel import force_locale, gettext

from catalog.publiccode import load, parse, validate
from catalog.publiccode import vocab as pc_vocab
from tests.interop.conftest import publiccode_text
from tests.publiccode.conftest import make_doc

IMPORT = "/api/v1/apps/import"


def _invalid_text() -> str:
    """Errors on developmentStatus and releaseDate; warnings on a deprecated key and a platform."""
    text = publiccode_text().replace("developmentStatus: stable", "developmentStatus: selesai")
    text = text.replace("releaseDate: '2026-01-05'", "releaseDate: 2026-02-30")
    return text.replace("  - web", "  - web\n  - amiga") + "monochromeLogo: logo.svg\n"


def test_api_import_reports_problems_per_key_in_english(client, make_user, token_for):
    headers = {**token_for(make_user("publisher", "21")), "Accept-Language": "en-GB,en;q=0.9"}
    r = client.post(IMPORT, json={"publiccode_yml": _invalid_text()}, headers=headers)
    assert r.status_code == 422, r.json
    body = r.json
    assert body["message"] == "The publiccode.yml file is not valid yet; fix the marked keys."
    assert set(body["fields"]) == {"developmentStatus", "releaseDate"}
    assert body["fields"]["developmentStatus"].startswith("Unknown value 'selesai'; choose one of: ")
    assert body["fields"]["releaseDate"] == ("The date must be a real date in the format YYYY-MM-DD, "
                                             "for example 2026-12-31.")
    assert body["warnings"]["monochromeLogo"] == "This key is deprecated; use `logo`."
    assert body["warnings"]["platforms[1]"] == ("The platform 'amiga' is not known to the catalog "
                                                "and is ignored.")


def test_api_import_reports_problems_in_indonesian_by_default(client, make_user, token_for):
    headers = token_for(make_user("publisher", "21"))
    r = client.post(IMPORT, json={"publiccode_yml": _invalid_text()}, headers=headers)
    assert r.status_code == 422, r.json
    body = r.json
    assert body["fields"]["developmentStatus"].startswith("Nilai 'selesai' tidak dikenal; pilih salah satu: ")
    assert body["fields"]["releaseDate"].startswith("Tanggal harus berformat TTTT-BB-HH")
    assert body["warnings"]["monochromeLogo"] == "Kunci ini usang; gunakan `logo`."
    assert body["warnings"]["platforms[1]"] == "Platform 'amiga' tidak dikenal katalog dan diabaikan."


def test_api_parse_errors_with_their_position_in_english(client, make_user, token_for):
    headers = {**token_for(make_user("publisher", "21")), "Accept-Language": "en"}
    r = client.post(IMPORT, json={"publiccode_yml": "a: 1\na: 2\n"}, headers=headers)
    assert r.status_code == 422
    assert r.json["fields"]["publiccode_yml"] == "The same key appears twice in one mapping (line 2, column 1)."


def test_without_an_app_the_reader_returns_plain_indonesian_text():
    errors, _warnings = validate({})
    assert errors and all(type(i.message) is str for i in errors)  # noqa: E721  (not a lazy string)
    assert any(i.message == "Kunci ini wajib diisi." for i in errors)
    assert parse("a: 1\na: 2\n").errors[0].message.endswith("(baris 2, kolom 1).")


def test_worker_context_is_indonesian(app):
    """The worker runs with an app context and no request: the default locale, Indonesian."""
    doc = make_doc()
    doc["developmentStatus"] = "selesai"
    errors, _warnings = validate(doc)
    assert errors[0].message.startswith("Nilai 'selesai' tidak dikenal")


def test_messages_are_made_when_the_issue_is_created_and_stay_plain_strings(app):
    doc = make_doc("0.2")
    doc["description"]["xx"] = {"shortDescription": "Contoh"}
    doc["monochromeLogo"] = "logo.svg"
    indonesian = load(json.dumps(doc))  # the app context of the test: the default locale
    with force_locale("en"):
        english = load(json.dumps(doc))
    assert english.errors and [i.path for i in english.errors] == [i.path for i in indonesian.errors]
    for issue in english.errors + english.warnings:
        assert type(issue.message) is str  # noqa: E721
        json.dumps(issue.message)
    en_messages = {i.path: i.message for i in english.errors + english.warnings}
    id_messages = {i.path: i.message for i in indonesian.errors + indonesian.warnings}
    assert en_messages["description.xx"] == "Unknown language code 'xx'."
    assert id_messages["description.xx"] == "Kode bahasa 'xx' tidak dikenal."
    assert en_messages["monochromeLogo"] == "This key is deprecated; use `logo`."
    assert all(en_messages[p] != id_messages[p] for p in en_messages)


def test_every_deprecated_key_message_translates_when_reported(app):
    """The table in vocab stays Indonesian (N_); keys.py translates each message as it warns."""
    messages = {message for _since, message in pc_vocab.DEPRECATED.values()}
    with force_locale("en"):
        untranslated = [m for m in messages if gettext(m) == m]
    assert untranslated == []
