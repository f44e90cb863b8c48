"""Stemming in the index: a root word finds documents that only contain derived forms."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.search import WhooshBackend
from tests.search.search_apps import make_app

# Each text holds the derived form only, never the root the query uses.
TEXTS = {
    1: "Pengelolaan kearsipan dinamis instansi",
    2: "Aplikasi pengarsipan naskah dinas",
    3: "Sistem informasi kepegawaian daerah",
    4: "Layanan kependudukan dan pencatatan sipil",
    5: "Pengelolaan perpajakan daerah",
    6: "Kanal pengaduan masyarakat",
    7: "Rekap kehadiran harian",
}


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WhooshBackend]:
    backend = WhooshBackend(Path(tmp_path_factory.mktemp("morph")))
    backend.rebuild(
        make_app(i, f"app-{i}", f"Aplikasi {i}", short_id=text) for i, text in TEXTS.items()
    )
    yield backend
    backend.close()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("arsip", {1, 2}),
        ("kearsipan", {1, 2}),
        ("pegawai", {3}),
        ("penduduk", {4}),
        ("pajak", {5}),
        ("aduan", {6}),
        ("mengadu", {6}),
        ("hadir", {7}),
    ],
)
def test_root_finds_derived_forms(backend: WhooshBackend, query: str, expected: set[int]) -> None:
    assert set(backend.search(query).ids) == expected


def test_plain_tokens_miss_what_stemming_finds(tmp_path: Path) -> None:
    plain = WhooshBackend(tmp_path, stemming=False)
    plain.rebuild(make_app(i, f"app-{i}", f"Aplikasi {i}", short_id=t) for i, t in TEXTS.items())
    assert plain.search("arsip").ids == []
    plain.close()
