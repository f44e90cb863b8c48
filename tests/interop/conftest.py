"""Fixtures for interoperability tests: a published app with a real mirror, publiccode.yml texts."""
from __future__ import annotations

from datetime import date

import pytest

import seed.demo as demo
from catalog.publiccode import ExportEntry, to_publiccode
from catalog.vcs.runner import run_git
from seed.demo_apps import DEMO_APPS
from seed.demo_repos import add_commits
from tests.conftest import fresh_app
from tests.repos.conftest import adopter, fork, published_app, source_repo  # noqa: F401  (shared fixtures)

PUBLISHED_DEMO = [s for s in DEMO_APPS if s["state"] == "published"]
# The tests on every published demo entry run on one worker, one after the other: they share the
# module's world (below), which no other test's database may replace meanwhile (PostgreSQL).
on_the_demo_entries = pytest.mark.xdist_group("demo-entries")

LONG = ("Simanja mencatat rencana dan realisasi kinerja harian pegawai, penilaian atasan, dan rekap "
        "kinerja untuk tunjangan kinerja di seluruh perangkat daerah Provinsi Kepulauan Riau.")


def fields(**changes) -> dict:
    """An entry's editable fields as clean_app_fields returns them."""
    base = {
        "name": "Simanja", "slug": "simanja", "short_description_id": "Sistem informasi manajemen kinerja pegawai.",
        "short_description_en": "Staff performance management.", "description": LONG,
        "features": ["Sasaran kinerja pegawai", "Laporan kinerja harian"], "category": "employee-management",
        "tags": [], "repo_url": "https://git.kepriprov.example/diskominfo/simanja", "license": "GPL-3.0-or-later",
        "development_status": "stable", "software_type": "standalone/web", "platforms": ["web"],
        "documentation_url": "", "maintenance_type": "internal",
        "maintenance_contacts": [{"name": "Diskominfo Kepri", "email": "diskominfo@kepriprov.example", "phone": ""}],
        "contractor_name": "", "contract_end": None,
    }
    base.update(changes)
    return base


def publiccode_text(**changes) -> str:
    """A valid publiccode.yml (written by the catalog's own exporter, then checked by it)."""
    return to_publiccode(ExportEntry.from_fields(fields(**changes), publisher_name="Provinsi Kepulauan Riau",
                                                 release_name="1.2.0", release_date=date(2026, 1, 5)))


def commit_file(repo, path: str, content: str, message: str = "Ubah berkas") -> str:
    """A commit on upstream's main branch; returns the new head."""
    add_commits(repo, "main", [(path, content, message)], author="Pengembang Induk")
    return run_git(["rev-parse", "refs/heads/main"], git_dir=repo).text.strip()


def tag(repo, name: str) -> None:
    run_git(["tag", name, "refs/heads/main"], git_dir=repo)


@pytest.fixture(scope="module")
def demo_entries(tmp_path_factory, seeded_template):
    """The demo's users and every published demo entry, seeded once per module, as each test
    seeded them for itself (~1 s each) before: the tests on it each read their own entry and add
    nothing another reads."""
    data_dir = tmp_path_factory.mktemp("demo-entries") / "data"
    with fresh_app(data_dir, seeded_template) as application, pytest.MonkeyPatch.context() as patch:
        demo.seed_users()
        patch.setattr(demo, "DEMO_APPS", PUBLISHED_DEMO)
        demo.seed_apps(data_dir.parent / "sources")
        yield application


@pytest.fixture
def demo_entries_app(demo_entries):
    """The shared world in an app context of the test's own (its own `g` and database session)."""
    with demo_entries.app_context():
        yield demo_entries
