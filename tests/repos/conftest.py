"""Fixtures for repository tests: real source repos, published apps with ready mirrors, a live server."""
from __future__ import annotations

from pathlib import Path

import pytest

from catalog.services.catalog import apps
from catalog.services.repos import forks
from seed.demo_repos import create_demo_repo
from tests.factories import app_payload
from tests.repos.gitclient import git

SPEC = {"slug": "simanja", "name": "Simanja", "releases": ["v1.0.0", "v1.1.0"], "short_description_id": "Kinerja",
        "features": ["Sasaran kinerja", "Laporan harian"], "category": "employee-management", "license": "MIT",
        "development_status": "stable", "platforms": ["web"]}


@pytest.fixture
def source_repo(tmp_path):
    return create_demo_repo(tmp_path / "sources" / "simanja.git", SPEC)


@pytest.fixture
def published_app(app, make_user, source_repo):
    """Simanja published by Provinsi Kepulauan Riau, with its mirror fetched (jobs run inline)."""
    admin = make_user("admin", "komdigi")
    publisher = make_user("publisher", "21")
    apps.create_app(app_payload(name="Simanja", repo_url=str(source_repo)), actor=admin, org_code="21")
    apps.submit_app("simanja", actor=publisher)
    return apps.publish_app("simanja", actor=admin)


@pytest.fixture
def adopter(make_user):
    return make_user("adopter", "21.72")


@pytest.fixture
def fork(published_app, adopter):
    """The adopter's fork of Simanja."""
    return forks.create_fork("simanja", actor=adopter)


@pytest.fixture
def work(fork, live_server, tmp_path) -> Path:
    """A clone of the fork over the live server's /git/ route."""
    path = tmp_path / "kerja"
    git("clone", f"{live_server}/git/{fork.relpath}", str(path))
    return path
