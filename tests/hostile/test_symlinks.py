"""Symlinks in hostile repositories: the catalog shows and serves the link text (what git stores),
never the file the link points at on the server."""
from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from catalog.extensions import db
from catalog.services import repo_paths
from catalog.services.repos import forks
from tests.hostile.conftest import client_git
from tests.hostile.trees import commit, files_of, new_repo, symlinks_of, tag, tree

PASSWD = Path("/etc/passwd")


@pytest.fixture(scope="module")
def secret_line() -> str:
    """A line of the server's /etc/passwd: it must never appear in any page or download."""
    lines = [line for line in PASSWD.read_text().splitlines() if line.startswith("root:")]
    if not lines:
        pytest.skip("no /etc/passwd to compare against")
    return lines[0]


@pytest.fixture
def symlink_upstream(tmp_path):
    repo = new_repo(tmp_path / "sumber" / "tautan.git")
    entries = {**files_of(repo, {"src/app.php": "<?php echo 1;\n"}),
               **symlinks_of(repo, {"README.md": "/etc/passwd", "publiccode.yml": "/etc/passwd",
                                    "docs/INSTALL.md": "../../../../../../../../etc/passwd"})}
    tag(repo, "v1.0.0", commit(repo, tree(repo, entries), "tautan ke berkas server"))
    return repo


def test_symlinked_readme_shows_the_link_text(app, publish, client, symlink_upstream, secret_line):
    row, mirror = publish(symlink_upstream, slug="tautan")
    assert mirror.state == "ready", mirror.error
    assert mirror.readme == "/etc/passwd" and mirror.publiccode_yml == "/etc/passwd"
    for url in ("/apps/tautan", "/apps/tautan/adopsi", "/api/v1/apps/tautan", "/api/v1/apps/tautan/publiccode.yml"):
        body = client.get(url).get_data(as_text=True)
        assert secret_line not in body, url
    assert "/etc/passwd" in client.get("/apps/tautan").get_data(as_text=True)


@pytest.mark.parametrize("fmt", ["zip", "tar.gz"])
def test_download_stores_symlinks_as_links(app, publish, client, symlink_upstream, secret_line, fmt):
    publish(symlink_upstream, slug="tautan")
    r = client.get(f"/apps/tautan/download?rev=v1.0.0&format={fmt}")
    assert r.status_code == 200
    data = r.get_data()
    assert secret_line.encode() not in data
    if fmt == "zip":
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        assert any(n.endswith("README.md") for n in names)
    else:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            readme = next(m for m in tar.getmembers() if m.name.endswith("README.md"))
            assert readme.issym() and readme.linkname == "/etc/passwd"


def test_symlinks_pushed_to_a_fork_show_as_link_text(app, published_app, people, fork_of, client, live_server,
                                                     token_for, tmp_path, secret_line):
    fork = fork_of("simanja")
    token = token_for(people["adopter"])["Authorization"].split()[1]
    url = f"{live_server}/git/{fork.relpath}"
    work = tmp_path / "kerja"
    client_git("clone", url, str(work))
    (work / "config").mkdir()
    (work / "config" / "database.php").symlink_to("/etc/passwd")
    (work / "rahasia").symlink_to("../../../../../../etc/shadow")
    client_git("add", ".", cwd=work)
    client_git("commit", "-m", "tautan berbahaya", cwd=work)
    client_git("push", url.replace("http://", f"http://x:{token}@"), "main", cwd=work)
    db.session.rollback()  # the push was recorded by our hook, in another process
    fork = forks.get_fork(fork.id)
    changes = {c.path: c for c in forks.fork_changes(fork).changes}
    assert changes["config/database.php"].kind == "symlink" and changes["rahasia"].kind == "symlink"
    page = client.get(f"/forks/{fork.id}").get_data(as_text=True)
    assert "config/database.php" in page and secret_line not in page
    diff = client.get(f"/forks/{fork.id}/diff", query_string={"path": "config/database.php"}).get_data(as_text=True)
    assert "/etc/passwd" in diff and secret_line not in diff
    assert "120000" in diff  # shown as what it is: a link
    zipped = client.get(f"/forks/{fork.id}/download?format=zip").get_data()
    assert secret_line.encode() not in zipped
    assert not (repo_paths.absolute(fork.relpath) / "rahasia").exists()  # bare: nothing checked out
