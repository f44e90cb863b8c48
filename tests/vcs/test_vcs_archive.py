"""Archives stream from git in chunks; bad revisions fail before any byte; close kills git."""
from __future__ import annotations

import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest

from catalog.vcs import RevisionNotFound, VcsError, stream_archive
from tests.vcs.gitlib import Builder, init_bare


@pytest.fixture
def repo(tmp_path: Path) -> Builder:
    b = Builder(init_bare(tmp_path / "r.git"))
    b.commit("main", {"README.md": "# Halo\n", "src/app.py": "print(1)\n"})
    return b


def test_zip_archive(repo: Builder):
    data = b"".join(stream_archive(repo.path, "main", "zip", "simpeg-1.0"))
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "simpeg-1.0/README.md" in names and "simpeg-1.0/src/app.py" in names


def test_tar_gz_archive(repo: Builder):
    data = b"".join(stream_archive(repo.path, "main", "tar.gz", "simpeg"))
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        assert "simpeg/src/app.py" in tar.getnames()


def test_bad_input_fails_before_streaming(repo: Builder):
    with pytest.raises(RevisionNotFound):
        stream_archive(repo.path, "tidak-ada", "zip", "x")
    with pytest.raises(VcsError):
        stream_archive(repo.path, "main", "tar", "x")  # type: ignore[arg-type]
    with pytest.raises(VcsError):
        stream_archive(repo.path, "main", "zip", "../x")


def test_closing_early_kills_git(repo: Builder):
    repo.commit("main", {"besar.bin": os.urandom(4_000_000)})
    body = stream_archive(repo.path, "main", "tar.gz", "x")
    assert next(iter(body))
    body.close()  # what a WSGI server does when the client goes away
    assert body.stream.proc.poll() is not None
    never_started = stream_archive(repo.path, "main", "zip", "x")
    never_started.close()
    assert never_started.stream.proc.poll() is not None
