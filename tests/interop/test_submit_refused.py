"""Issue 14, item 4: an imported draft the catalog cannot yet send for verification (no category)
answers the submit button with a page listing each problem next to its field and a link to fix
it, in Indonesian (English when asked), never a bare error."""
from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pytest

CONFORMANCE = Path(__file__).parent.parent / "publiccode" / "conformance"


@pytest.fixture
def draft(client, make_user, token_for, login):
    """A draft imported from a publiccode.yml without categories, its publisher signed in."""
    publisher = make_user("publisher", "21")
    text = (CONFORMANCE / "valid_categories_missing.yml").read_text(encoding="utf-8")
    r = client.post("/api/v1/apps/import", json={"publiccode_yml": text}, headers=token_for(publisher))
    assert r.status_code == 201 and r.json["category"] == ""
    login(publisher)
    return r.json["slug"]


def _rows(page: str) -> list[tuple[str, str, str]]:
    """(field label, problem, fix link) of each row of the problems table."""
    rows = re.findall(r'<tr>\s*<th scope="row">(.*?)</th>\s*<td>(.*?)</td>\s*<td><a href="([^"]+)"', page, re.S)
    return [(html_lib.unescape(a).strip(), html_lib.unescape(b).strip(), html_lib.unescape(c)) for a, b, c in rows]


def test_each_problem_is_listed_next_to_its_field_with_a_link_to_fix_it(client, draft):
    r = client.post(f"/apps/{draft}/submit")
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "Entri belum dapat diajukan" in page and "Lengkapi entri sebelum mengajukannya." in page
    assert _rows(page) == [("Kategori", "Pilih kategori aplikasi sebelum mengajukan entri untuk verifikasi.",
                            f"/apps/{draft}/edit#f-category")]
    assert f'href="/apps/{draft}"' in page  # and the way back


def test_the_link_lands_on_the_field_and_fixing_it_lets_the_entry_go(client, draft):
    (label, _problem, link) = _rows(client.post(f"/apps/{draft}/submit").get_data(as_text=True))[0]
    path, anchor = link.split("#")
    form = client.get(path)
    assert form.status_code == 200 and f'id="{anchor}"' in form.get_data(as_text=True)
    r = client.post(path, data={**_form_values(form.get_data(as_text=True)), "category": "workflow-management"})
    assert r.status_code == 302, r.get_data(as_text=True)
    r = client.post(f"/apps/{draft}/submit")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/apps/{draft}")


def test_the_page_speaks_english_when_asked(client, draft):
    client.post("/language", data={"lang": "en"})
    page = client.post(f"/apps/{draft}/submit").get_data(as_text=True)
    assert "The entry cannot be submitted yet" in page and "Fix this field" in page
    assert _rows(page)[0][0] == "Category"


def _form_values(page: str) -> dict[str, str | list[str]]:
    """The edit form's current values, as a browser would send them back."""
    values: dict[str, str | list[str]] = {}
    for name, value in re.findall(r'<input id="f-[^"]+" name="([^"]+)" type="[^"]+" value="([^"]*)"', page):
        values[name] = html_lib.unescape(value)
    for name, text in re.findall(r'<textarea id="f-[^"]+" name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        values[name] = html_lib.unescape(text)
    for name, body in re.findall(r'<select id="f-[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        values[name] = chosen.group(1) if chosen else ""
    values["platforms"] = re.findall(r'name="platforms" value="([^"]+)" checked', page)
    return values
