"""Every code people see has a label in both languages, and lists read in the order of those labels
(issue 15, item 4): categories, software types, licences, deployment statuses, the fork table and
the audit trail."""
from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from catalog.extensions import db
from catalog.models import App, Deployment, Fork, Organization, Proposal
from catalog.services import audit
from catalog.services.catalog import apps
from catalog.vocab import apps as vocab
from catalog.vocab import audit as audit_vocab
from catalog.vocab import deployments as dv
from catalog.web.filters import collation_key
from tests.factories import app_payload

PO = Path(__file__).resolve().parents[2] / "catalog" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
EN = {"Accept-Language": "en"}


@pytest.fixture(scope="module")
def english() -> dict[str, str]:
    with PO.open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if isinstance(m.id, str) and m.id and m.string}


def _text(html: str) -> str:
    """What a reader sees: tags dropped, entities decoded."""
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_no_category_label_is_its_key_dressed_up():
    for key in vocab.CATEGORIES:
        label = vocab.category_label(key)
        plain = key.replace("-", " ")
        assert label not in (key, plain, plain.capitalize(), plain.title()), key


def test_every_category_has_an_indonesian_and_an_english_label(english):
    # The standard's 0.7 list plus the catalog's own two (collaborative-diagramming, contract-management).
    assert set(vocab.CATEGORY_LABELS) == set(vocab.CATEGORIES) and len(vocab.CATEGORIES) == 107
    indonesian = [vocab.category_label(k) for k in vocab.CATEGORIES]
    missing = [label for label in indonesian if label not in english]
    assert missing == []
    assert len(set(indonesian)) == len({english[label] for label in indonesian}) == len(vocab.CATEGORIES)  # all differ


def test_personnel_and_staff_performance_are_told_apart(english):
    hr, staff = vocab.category_label("hr"), vocab.category_label("employee-management")
    assert "kepegawaian" in hr.lower() and "kinerja" in staff.lower()
    assert "HR" in english[hr] and "performance" in english[staff]


def test_software_types_licences_and_audit_actions_have_labels(english):
    tables = (vocab.SOFTWARE_TYPE_LABELS, vocab.LICENSE_LABELS, audit_vocab.ACTION_LABELS, audit_vocab.OBJECT_LABELS)
    for table in tables:
        assert [label for label in table.values() if label not in english] == []
    assert set(vocab.SOFTWARE_TYPE_LABELS) == set(vocab.SOFTWARE_TYPES)


def _publish(make_user, categories: list[str], **fields) -> None:
    publisher, admin = make_user("publisher", "21"), make_user("admin", "komdigi")
    for i, category in enumerate(categories):
        slug = f"aplikasi-{i}"
        apps.create_app(app_payload(name=f"Aplikasi {i}", slug=slug, category=category,
                                    repo_url=f"https://git.example.go.id/{slug}.git", **fields), actor=publisher)
        apps.submit_app(slug, actor=publisher)
        apps.publish_app(slug, actor=admin)


# Key order, Indonesian order and English order all differ for these.
MIXED = ["cad", "hr", "crm", "survey", "document-management", "it-asset-management", "video-conferencing"]


def _facet(html: str, title: str) -> list[str]:
    section = re.search(r"<h2>" + re.escape(title) + r"</h2>\s*<ul>(.*?)</ul>", html, re.S)
    assert section, title
    return [unescape(re.sub(r"\s+", " ", t).strip()) for t in re.findall(r'<a [^>]*>\s*(.*?)\s*<span class="count">',
                                                                 section.group(1), re.S)]


def _assert_sorted(labels: list[str]) -> None:
    assert labels == sorted(labels, key=collation_key) and len(labels) > 1


def test_category_facet_is_sorted_by_label_in_both_languages(make_user, client, english):
    _publish(make_user, MIXED)
    shown_id = _facet(client.get("/apps").get_data(as_text=True), "Kategori")
    _assert_sorted(shown_id)
    assert set(shown_id) == {vocab.category_label(k) for k in MIXED}
    shown_en = _facet(client.get("/apps", headers=EN).get_data(as_text=True), "Category")
    _assert_sorted(shown_en)
    assert "Computer-aided design (CAD)" in shown_en and shown_en != shown_id


def test_home_page_categories_are_sorted_by_label(make_user, client):
    _publish(make_user, MIXED[:5])
    for headers in ({}, EN):
        html = client.get("/", headers=headers).get_data(as_text=True)
        chips = re.search(r'<ul class="chips">(.*?)</ul>', html, re.S).group(1)
        labels = [unescape(re.sub(r"\s*\(\d+\)$", "", t).strip()) for t in re.findall(r"<a [^>]*>(.*?)</a>", chips)]
        assert len(labels) == 5
        _assert_sorted(labels)


def test_category_select_in_the_app_form_is_sorted_by_label(make_user, login, client):
    login(make_user("publisher", "21"))
    for headers in ({}, EN):
        html = client.get("/apps/new", headers=headers).get_data(as_text=True)
        select = re.search(r'<select id="f-category".*?</select>', html, re.S).group(0)
        labels = [unescape(t) for t in re.findall(r'<option value="[^"]+"[^>]*>(.*?)</option>', select)]
        assert len(labels) == len(vocab.CATEGORIES)
        _assert_sorted(labels)
        assert "Cad" not in labels and "Crm" not in labels and "It asset management" not in labels


def test_app_page_names_software_type_and_government_licence(make_user, client):
    _publish(make_user, ["cad"], license="LicenseRef-Pemerintah")
    html = client.get("/apps/aplikasi-0").get_data(as_text=True)
    assert "Lisensi pemerintah (khusus)" in html and "Desain berbantuan komputer (CAD)" in html
    assert "Aplikasi web: dipasang di server" in html
    assert "LicenseRef-Pemerintah" not in _text(html) and "standalone/web" not in _text(html)
    listing = client.get("/apps", headers=EN).get_data(as_text=True)
    assert "Government licence (custom)" in listing and "LicenseRef-Pemerintah" not in _text(listing)
    english_page = client.get("/apps/aplikasi-0", headers=EN).get_data(as_text=True)
    assert "Web application: installed on a server" in english_page


def test_fork_table_reads_ahead_and_behind_in_the_readers_language(make_user, client):
    _publish(make_user, ["document-management"])
    app_id = db.session.execute(db.select(App.id).where(App.slug == "aplikasi-0")).scalar_one()
    org = db.session.execute(db.select(Organization).where(Organization.code == "21.72")).scalar_one()
    db.session.add(Fork(app_id=app_id, organization_id=org.id, name="aplikasi-0", relpath="x/aplikasi-0.git",
                        default_branch="main", base_commit="0" * 40, ahead=3, behind=2, files_changed=1))
    db.session.commit()
    html = _text(client.get("/apps/aplikasi-0").get_data(as_text=True))
    assert "Lebih maju (commit)" in html and "Tertinggal (commit)" in html
    assert "Ahead" not in html and "Behind" not in html
    html = _text(client.get("/apps/aplikasi-0", headers=EN).get_data(as_text=True))
    assert "Ahead (commits)" in html and "Behind (commits)" in html


def test_audit_trail_shows_labels_and_names_not_codes(make_user, login, client):
    _publish(make_user, ["document-management"])
    app_row = db.session.execute(db.select(App).where(App.slug == "aplikasi-0")).scalar_one()
    org = db.session.execute(db.select(Organization).where(Organization.code == "21.72")).scalar_one()
    dep = Deployment(app_id=app_row.id, organization_id=org.id, environment="production", status="pilot",
                     version="1.0", hosting="pdn")
    db.session.add(dep)
    db.session.flush()
    audit.record(None, "deployment.status", "deployment", dep.id, {"from": "installing", "to": "pilot"})
    db.session.commit()
    login(make_user("auditor", "kemenpanrb"))
    page = client.get("/reports/audit").get_data(as_text=True)
    html = _text(page)
    codes = ("app.submit", "app.publish", "app.create", "deployment.status", f"deployment:{dep.id}", "app:aplikasi-0")
    for code in codes:
        assert code not in html, code
    assert "Aplikasi diajukan untuk verifikasi" in html and "Aplikasi diterbitkan setelah verifikasi" in html
    assert "Status pemakaian diubah" in html and "Catatan pemakaian: Aplikasi 0 · Kota Tanjung Pinang" in html
    assert "Sistem katalog (otomatis)" in html
    assert f'href="/deployments/{dep.id}"' in page and 'href="/apps/aplikasi-0"' in page
    english_page = _text(client.get("/reports/audit", headers=EN).get_data(as_text=True))
    assert "App submitted for review" in english_page or "App published after review" in english_page


def test_deployment_status_error_lists_labels(client):
    html = _text(client.get("/deployments?status=bogus").get_data(as_text=True))
    assert ", ".join(dv.STATUS_LABELS[s] for s in dv.STATUSES) in html
    assert "planned, installing" not in html
    html = _text(client.get("/deployments?status=bogus", headers=EN).get_data(as_text=True))
    assert "Planned, Installing, Trial (pilot), Production, Suspended, Retired" in html


def test_api_status_error_lists_labels_too(client):
    r = client.get("/api/v1/deployments?status=bogus")
    assert r.status_code in (400, 422) and "Direncanakan" in r.json["fields"]["status"]


def test_proposed_changes_show_labels_not_codes(make_user, login, client):
    _publish(make_user, ["hr"])
    app_id = db.session.execute(db.select(App.id).where(App.slug == "aplikasi-0")).scalar_one()
    db.session.add(Proposal(app_id=app_id, changes=[
        {"field": "category", "current": "hr", "proposed": "employee-management"},
        {"field": "software_type", "current": "standalone/web", "proposed": "standalone/mobile"},
        {"field": "license", "current": "GPL-3.0-or-later", "proposed": "LicenseRef-Pemerintah"}]))
    db.session.commit()
    login(make_user("publisher", "21"))
    html = _text(client.get("/apps/aplikasi-0/proposals").get_data(as_text=True))
    assert vocab.category_label("hr") in html and vocab.category_label("employee-management") in html
    assert "Aplikasi ponsel (Android/iOS)" in html and "Lisensi pemerintah (khusus)" in html
    assert "employee-management" not in html and "standalone/mobile" not in html and "LicenseRef" not in html
