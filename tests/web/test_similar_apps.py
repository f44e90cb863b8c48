"""Possible duplicates beyond one exact category (issue 15): similar words in name or short
description, and related categories, so a new Simanja meets the published SIMPEG; shown to the
entry's publisher before publication and to the reviewer, never to others."""
from __future__ import annotations

from html import unescape

from catalog.services.catalog import apps, similar
from tests.factories import app_payload


def _entry(publisher, slug, name, short, category, *, publish_by=None):
    apps.create_app(app_payload(slug=slug, name=name, short_description_id=short, category=category,
                                short_description_en="", tags=[], features=[],
                                repo_url=f"https://git.example.go.id/{slug}.git"), actor=publisher)
    if publish_by is not None:
        apps.submit_app(slug, actor=publisher)
        apps.publish_app(slug, actor=publish_by)
    return apps.get_app(slug, publisher)


def _world(make_user):
    admin = make_user("admin", "komdigi")
    pekanbaru, kepri = make_user("publisher", "14.71"), make_user("publisher", "21")
    _entry(pekanbaru, "simpeg", "SIMPEG", "Sistem informasi manajemen kepegawaian", "hr", publish_by=admin)
    _entry(pekanbaru, "e-kinerja", "E-Kinerja", "Laporan kinerja pegawai harian", "office", publish_by=admin)
    _entry(pekanbaru, "jdih", "JDIH", "Jaringan dokumentasi hukum", "regulations-and-directives", publish_by=admin)
    draft = _entry(kepri, "simanja", "Simanja", "Sasaran kinerja pegawai", "employee-management")
    return admin, kepri, draft


def test_related_category_and_similar_words_are_both_found(make_user):
    _admin, _kepri, draft = _world(make_user)
    found = {s.app.slug: s for s in similar.similar_apps(draft)}
    assert found["simpeg"].by_category  # "hr" and "employee-management": the same work
    assert found["e-kinerja"].by_text and not found["e-kinerja"].by_category  # "kinerja pegawai"
    assert "jdih" not in found and "simanja" not in found


def test_publisher_sees_them_on_the_draft_and_the_reviewer_in_the_queue(client, make_user, login):
    admin, kepri, _draft = _world(make_user)
    login(kepri)
    page = unescape(client.get("/apps/simanja").get_data(as_text=True))
    assert "Mungkin sudah ada di katalog" in page and "/apps/simpeg" in page and "kategori Data & karier" in page
    apps.submit_app("simanja", actor=kepri)
    client.post("/logout")
    login(admin)
    queue = unescape(client.get("/admin/review").get_data(as_text=True))
    card = queue.split("Simanja</a></h2>", 1)[1].split("</section>", 2)[0]
    assert "/apps/simpeg" in card and "/apps/e-kinerja" in card and "nama atau deskripsi mirip" in card
    simpeg_page = client.get("/apps/simpeg").get_data(as_text=True)  # published: nothing to warn about
    assert "Mungkin sudah ada di katalog" not in simpeg_page
