"""Index maintenance: upsert, remove, rebuild, reopening, other processes, threads."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pytest
import whoosh.index

from catalog.search import IndexBusy, WhooshBackend, open_backend
from tests.search.search_apps import APPS, BY_SLUG, make_app

SRIKANDI = BY_SLUG["srikandi"]


def built(path: Path, **options: float) -> WhooshBackend:
    backend = WhooshBackend(path, **options)
    backend.rebuild(APPS)
    return backend


def test_open_backend_creates_a_missing_index(tmp_path: Path) -> None:
    backend = open_backend(tmp_path / "new")
    assert backend.doc_count() == 0 and backend.needs_rebuild  # type: ignore[attr-defined]
    backend.close()


def test_upsert_replaces_the_document(tmp_path: Path) -> None:
    backend = built(tmp_path)
    backend.upsert([dataclasses.replace(SRIKANDI, name="Arsipku", slug="arsipku", description="")])
    assert backend.search("srikandi").ids == []
    assert backend.search("arsipku").ids == [SRIKANDI.id]
    assert backend.doc_count() == len(APPS)


def test_upsert_adds_new_documents_and_keeps_the_last_duplicate(tmp_path: Path) -> None:
    backend = built(tmp_path)
    backend.upsert([make_app(99, "sipd", "SIPD Lama"), make_app(99, "sipd", "SIPD")])
    assert backend.search("sipd").ids == [99]
    assert backend.search("lama").ids == []
    assert backend.doc_count() == len(APPS) + 1


def test_remove_removes(tmp_path: Path) -> None:
    backend = built(tmp_path)
    backend.remove([SRIKANDI.id, 12345])
    assert backend.search("srikandi").ids == []
    assert SRIKANDI.id not in backend.search("", per_page=100).ids
    assert backend.doc_count() == len(APPS) - 1


def test_empty_writes_do_nothing(tmp_path: Path) -> None:
    backend = built(tmp_path)
    backend.upsert([])
    backend.remove([])
    assert backend.doc_count() == len(APPS)


def test_rebuild_replaces_everything(tmp_path: Path) -> None:
    backend = built(tmp_path)
    backend.rebuild([SRIKANDI, SRIKANDI, make_app(50, "baru", "Aplikasi Baru")])
    assert backend.doc_count() == 2
    assert backend.search("", per_page=100).ids == [50, SRIKANDI.id]
    assert backend.search("lapor").ids == []


def test_index_survives_reopening(tmp_path: Path) -> None:
    built(tmp_path).close()
    reopened = WhooshBackend(tmp_path)
    assert reopened.doc_count() == len(APPS) and not reopened.needs_rebuild
    assert reopened.search("srikandi").ids == [SRIKANDI.id]


def test_other_schema_version_starts_empty_and_asks_for_rebuild(tmp_path: Path) -> None:
    built(tmp_path).close()
    (tmp_path / "CATALOG_SCHEMA_VERSION").write_text("catalog-search-0\n")
    reopened = WhooshBackend(tmp_path)
    assert reopened.needs_rebuild and reopened.doc_count() == 0


def test_unreadable_index_is_recreated(tmp_path: Path) -> None:
    built(tmp_path).close()
    for toc in tmp_path.glob("_MAIN_*.toc"):
        toc.write_bytes(b"garbage")
    reopened = WhooshBackend(tmp_path)
    assert reopened.needs_rebuild and reopened.doc_count() == 0


def test_reader_sees_another_writers_commit(tmp_path: Path) -> None:
    writer = built(tmp_path)
    reader = WhooshBackend(tmp_path, check_interval=0.0)
    assert reader.search("srikandi").ids == [SRIKANDI.id]
    writer.remove([SRIKANDI.id])
    assert reader.search("srikandi").ids == []
    writer.rebuild(APPS)
    assert reader.search("srikandi").ids == [SRIKANDI.id]
    assert reader.doc_count() == len(APPS)


def test_concurrent_searches_during_writes(tmp_path: Path) -> None:
    backend = built(tmp_path)
    errors: list[BaseException] = []

    def search_repeatedly() -> None:
        try:
            for _ in range(40):
                ids = backend.search("pegawai").ids
                assert len(ids) == len(set(ids)) and ids
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=search_repeatedly) for _ in range(6)]
    for thread in threads:
        thread.start()
    for round_ in range(5):
        backend.upsert([dataclasses.replace(SRIKANDI, short_description_id=f"Versi {round_}")])
    for thread in threads:
        thread.join()
    assert errors == []
    assert backend.doc_count() == len(APPS)


def test_a_held_write_lock_raises_index_busy(tmp_path: Path) -> None:
    backend = built(tmp_path, writer_timeout=0.1)
    other = whoosh.index.open_dir(str(tmp_path)).writer()
    try:
        with pytest.raises(IndexBusy):
            backend.upsert([SRIKANDI])
    finally:
        other.cancel()
    backend.upsert([SRIKANDI])
