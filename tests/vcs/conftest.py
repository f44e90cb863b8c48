"""Fixtures for the git layer: small and large upstream repositories, mirrors and forks."""
from __future__ import annotations

from pathlib import Path

import pytest

from catalog.vcs import check_remote_url, create_fork, create_mirror
from tests.vcs.gitlib import Builder, init_bare, make_large_history


@pytest.fixture
def upstream(tmp_path: Path) -> Builder:
    """Upstream 'simpeg' with three commits on main, a release tag and a feature branch."""
    b = Builder(init_bare(tmp_path / "upstream" / "simpeg.git"))
    c1 = b.commit("main", {"README.md": "# SIMPEG\n", "app.py": "print('halo')\n"}, "awal")
    b.tag("v1.0", c1, "Rilis pertama")
    b.commit("main", {"app.py": "print('halo dunia')\n"}, "sapaan")
    b.commit("main", {"lib/util.py": "X = 1\n"}, "util")
    b.commit("fitur", {"fitur.txt": "x\n"}, "fitur", parents=[c1])
    return b


@pytest.fixture
def mirror(upstream: Builder, tmp_path: Path) -> Path:
    remote = check_remote_url(str(upstream.path), allow_local=True)
    return create_mirror(tmp_path / "mirrors" / "simpeg.git", remote, timeout=60).path


@pytest.fixture
def fork(mirror: Path, tmp_path: Path) -> Path:
    return create_fork(mirror, tmp_path / "forks" / "kota-x" / "simpeg.git",
                       default_branch="main").path


@pytest.fixture(scope="session")
def large_upstream(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """10,000 commits with ~6 MB of incompressible blobs, made by one fast-import run."""
    path = tmp_path_factory.mktemp("large") / "besar.git"
    make_large_history(path)
    return path


@pytest.fixture(scope="session")
def large_mirror(large_upstream: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("large-mirror") / "besar.git"
    remote = check_remote_url(str(large_upstream), allow_local=True)
    return create_mirror(dest, remote, timeout=120).path
