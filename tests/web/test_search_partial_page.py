"""The catalog page and the API say when results hold only some of the words (issue 15)."""
from __future__ import annotations

from html import unescape

from catalog.services.catalog import apps
from tests.factories import app_payload

ENTRIES = [
    ("simpeg", "SIMPEG", "Sistem kepegawaian daerah", "Data pegawai, mutasi dan pensiun."),
    ("srikandi", "Srikandi", "Tata naskah dinas dan kearsipan", "Naskah dinas dan arsip."),
    ("sipd", "SIPD", "Perencanaan penganggaran daerah", "Rencana kerja dan anggaran."),
]


def _publish(make_user) -> None:
    publisher, admin = make_user("publisher", "21"), make_user("admin", "komdigi")
    for slug, name, short, description in ENTRIES:
        apps.create_app(app_payload(slug=slug, name=name, short_description_id=short, description=description,
                                    short_description_en="", features=[], tags=[],
                                    repo_url=f"https://git.example.go.id/{slug}.git"), actor=publisher)
        apps.submit_app(slug, actor=publisher)
        apps.publish_app(slug, actor=admin)


def test_no_app_with_every_word_shows_the_closest_marked(client, make_user):
    _publish(make_user)
    html = unescape(client.get("/apps?q=kepegawaian kearsipan").get_data(as_text=True))
    assert "Tidak ada yang cocok dengan semua kata; yang paling mendekati:" in html
    results = html.split('class="results"', 1)[1]
    assert "SIMPEG" in results and "Srikandi" in results and "SIPD" not in results
    english = unescape(client.get("/apps?q=kepegawaian kearsipan", headers={"Accept-Language": "en"})
                       .get_data(as_text=True))
    assert "Nothing matches every word; the closest:" in english

    body = client.get("/api/v1/apps?q=kepegawaian kearsipan").json
    assert body["partial"] is True and {a["slug"] for a in body["items"]} == {"simpeg", "srikandi"}


def test_few_full_matches_are_followed_by_the_nearest_others(client, make_user):
    _publish(make_user)
    html = unescape(client.get("/apps?q=kepegawaian daerah").get_data(as_text=True))
    assert "Tidak ada yang cocok dengan semua kata" not in html
    full, closest = html.split("Yang juga mendekati (tidak memuat semua kata):", 1)
    assert "SIMPEG" in full.split('class="results"', 1)[1] and "SIPD" in closest and "SIMPEG" not in closest
    body = client.get("/api/v1/apps?q=kepegawaian daerah").json
    assert body["partial"] is False and [a["slug"] for a in body["items"]] == ["simpeg"]
    assert [a["slug"] for a in body["closest"]] == ["sipd"]
    assert "partial" not in client.get("/api/v1/apps").json  # no query, nothing to qualify


def test_a_query_every_app_answers_fully_adds_nothing(client, make_user):
    _publish(make_user)
    html = client.get("/apps?q=naskah dinas").get_data(as_text=True)
    assert "Yang juga mendekati" in html or "Srikandi" in html
    assert "Tidak ada yang cocok dengan semua kata" not in unescape(html)
