"""Indonesian analysis: stemming, overrides, stopwords, tokens and name keys."""

from __future__ import annotations

import pickle

import pytest

from catalog.search.analyzer import indonesian_analyzer, name_key, name_keys, stem_id


@pytest.mark.parametrize(
    ("derived", "root"),
    [
        ("kearsipan", "arsip"),
        ("pengarsipan", "arsip"),
        ("kepegawaian", "pegawai"),
        ("kependudukan", "duduk"),
        ("penduduk", "duduk"),
        ("pengaduan", "adu"),
        ("aduan", "adu"),
        ("perparkiran", "parkir"),
        ("perpustakaan", "pustaka"),
        ("kehadiran", "hadir"),
    ],
)
def test_sastrawi_conflates_derived_forms(derived: str, root: str) -> None:
    assert stem_id(derived) == stem_id(root) == root


@pytest.mark.parametrize(
    ("word", "expected"),
    [("perpajakan", "pajak"), ("pemetaan", "peta"), ("peternakan", "ternak")],
)
def test_overrides_fix_known_sastrawi_misses(word: str, expected: str) -> None:
    assert stem_id(word) == expected


def test_infix_words_are_not_over_stemmed() -> None:
    assert stem_id("kinerja") == "kinerja"


def test_codes_and_numbers_pass_through() -> None:
    words = ["sp4n", "v2.0", "2024", "apbd"]
    assert [stem_id(w) for w in words] == words


def test_analyzer_drops_stopwords_and_renumbers_positions() -> None:
    analyzed = indonesian_analyzer()("Data yang di kearsipan", positions=True)
    tokens = [(t.text, t.pos) for t in analyzed]
    assert tokens == [("data", 0), ("arsip", 1)]


def test_analyzer_without_stemming_keeps_words() -> None:
    assert [t.text for t in indonesian_analyzer(stem=False)("Layanan Pengaduan")] == [
        "layanan",
        "pengaduan",
    ]


def test_analyzer_pickles_because_the_index_stores_its_schema() -> None:
    assert pickle.loads(pickle.dumps(indonesian_analyzer())) == indonesian_analyzer()


def test_name_keys_cover_whole_name_parts_and_camel_case() -> None:
    assert {"sp4nlapor", "sp4n", "lapor"} <= name_keys("SP4N-LAPOR!", "sp4n-lapor")
    assert {"opensid", "open", "sid"} <= name_keys("OpenSID", "opensid")
    assert name_key("e-Office") == "eoffice"
