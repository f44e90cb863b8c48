"""Submodules with hostile URLs or names: the catalog never fetches a submodule — not when
mirroring, forking, syncing, archiving or serving git over HTTP — and shows one only as an entry
(a path and a commit id). Names git itself calls dangerous are refused at the transfer."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from catalog.extensions import db
from catalog.services import repo_paths
from catalog.services.repos import forks, mirrors
from tests.hostile.conftest import client_git, upstream_leftovers
from tests.hostile.servers import ConnectionCounter
from tests.hostile.trees import (
    base_files,
    blob,
    commit,
    files_of,
    gitlinks_of,
    gitmodules,
    new_repo,
    snapshot,
    tag,
    tree,
)
from tests.vcs.gitlib import git

# System-level attack reproductions (real git processes and servers): `make test` runs them, the edit loop does not.
pytestmark = pytest.mark.slow

MARKER = Path("/tmp/katalog-uji-submodule-pwned")
SHA = "1234567890abcdef1234567890abcdef12345678"


def _hostile_modules(port: int) -> list[tuple[str, str, str]]:
    return [
        ("ext", "vendor/ext", f"ext::sh -c touch% {MARKER}"),
        ("berkas", "vendor/etc", "file:///etc"),
        ("jalur", "vendor/jalur", "/etc"),
        ("relatif", "vendor/relatif", "../../../../../etc"),
        ("ssh", "vendor/ssh", f"ssh://127.0.0.1:{port}/x.git"),
        ("https", "vendor/https", f"https://127.0.0.1:{port}/x.git"),
        ("git", "vendor/git", f"git://127.0.0.1:{port}/x.git"),
        (".git", "vendor/dotgit", f"https://127.0.0.1:{port}/y.git"),
    ]


def _with_modules(repo: Path, modules, extra: dict[str, str] | None = None):
    entries = {**base_files(repo), **files_of(repo, {".gitmodules": gitmodules(modules), **(extra or {})}),
               **gitlinks_of({path: SHA for _, path, _ in modules})}
    return tree(repo, entries)


@pytest.fixture
def listener():
    with ConnectionCounter() as counter:
        yield counter


def _no_submodule_checked_out(app) -> None:
    root = Path(app.config["REPOS_DIR"])
    paths = snapshot(root)
    assert not [p for p in paths if "/vendor" in p or p.endswith("/etc") or "/.git/" in p], sorted(paths)[:20]


def test_hostile_submodule_urls_are_never_fetched(app, publish, people, fork_of, client, live_server, token_for,
                                                  listener, tmp_path):
    MARKER.unlink(missing_ok=True)
    modules = _hostile_modules(listener.port)
    upstream = new_repo(tmp_path / "sumber" / "modul.git")
    first = commit(upstream, _with_modules(upstream, modules), "submodul berbahaya")
    tag(upstream, "v1.0.0", first)

    row, mirror = publish(upstream, slug="modul")  # mirror
    assert mirror.state == "ready", mirror.error
    fork = fork_of("modul")  # fork

    more = modules + [("baru", "vendor/baru", f"ssh://127.0.0.1:{listener.port}/baru.git")]
    commit(upstream, _with_modules(upstream, more, {"CHANGELOG.md": "v1.1\n"}), "submodul lagi", [first])
    mirrors.request_refresh("modul", actor=people["admin"])  # fetch
    assert mirrors.get_mirror(row).state == "ready"

    token = token_for(people["adopter"])["Authorization"].split()[1]
    url = f"{live_server}/git/{fork.relpath}"
    work = tmp_path / "kerja"
    client_git("clone", url, str(work))  # http upload-pack (the test's client does not recurse either)
    client_git("update-index", "--add", "--cacheinfo", f"160000,{SHA},vendor/lokal", cwd=work)
    (work / "daerah.php").write_text("<?php // daerah\n")
    client_git("add", "daerah.php", cwd=work)
    client_git("commit", "-m", "submodul daerah", cwd=work)
    client_git("push", url.replace("http://", f"http://x:{token}@"), "main", cwd=work)  # http receive-pack

    _fork, outcome = forks.sync_fork(fork.id, actor=people["adopter"])  # sync (a merge: both sides moved)
    assert outcome == "merged"
    db.session.rollback()
    fork = forks.get_fork(fork.id)
    kinds = {c.path: c.kind for c in forks.fork_changes(fork).changes}
    assert kinds.get("vendor/lokal") == "submodule"
    page = client.get(f"/forks/{fork.id}").get_data(as_text=True)
    assert "vendor/lokal" in page
    diff = client.get(f"/forks/{fork.id}/diff", query_string={"path": "vendor/lokal"}).get_data(as_text=True)
    assert f"Subproject commit {SHA}" in diff

    for path in ("/apps/modul/download?rev=v1.0.0&format=zip", f"/forks/{fork.id}/download?format=zip"):  # archive
        r = client.get(path)
        assert r.status_code == 200
        names = zipfile.ZipFile(io.BytesIO(r.get_data())).namelist()
        assert not [n for n in names if "/vendor/ext/" in n and not n.endswith("/")]  # an empty folder at most
    client_git("clone", "--bare", f"{live_server}/git/{mirror.relpath}", str(tmp_path / "salinan.git"))

    assert listener.count == 0  # no ssh/https/git connection was ever attempted
    assert not MARKER.exists()  # ext:: never ran
    _no_submodule_checked_out(app)
    assert git("cat-file", "-t", "HEAD", git_dir=repo_paths.absolute(fork.relpath)).strip() == "commit"


DANGEROUS = [
    pytest.param(("../../../lolos", "sub", "https://git.pemda.go.id/x.git"), id="name-dotdot"),
    pytest.param(("aman", "sub", "-uevil"), id="url-option"),
    pytest.param(("aman", "-sub", "https://git.pemda.go.id/x.git"), id="path-option"),
]


@pytest.mark.parametrize("module", DANGEROUS)
def test_dangerous_submodule_names_refused_at_mirror(app, publish, tmp_path, module):
    upstream = new_repo(tmp_path / "sumber" / "bahaya.git")
    commit(upstream, _with_modules(upstream, [module]), "submodul berbahaya")
    row, mirror = publish(upstream, slug="bahaya")
    assert mirror.state == "failed" and mirror.head is None  # transfer.fsckObjects
    assert upstream_leftovers(app) == []


@pytest.mark.parametrize("module", DANGEROUS)
def test_dangerous_submodule_names_refused_at_push(app, published_app, people, fork_of, live_server, token_for,
                                                   tmp_path, module):
    fork = fork_of("simanja")
    before = git("rev-parse", "main", git_dir=repo_paths.absolute(fork.relpath)).strip()
    token = token_for(people["adopter"])["Authorization"].split()[1]
    url = f"{live_server}/git/{fork.relpath}"
    work = tmp_path / "kerja"
    client_git("clone", url, str(work))
    client_git("update-index", "--add", "--cacheinfo", f"160000,{SHA},{module[1]}", cwd=work)
    (work / ".gitmodules").write_text(gitmodules([module]))
    client_git("add", ".gitmodules", cwd=work)
    client_git("commit", "-m", "submodul berbahaya", cwd=work)
    pushed = client_git("push", url.replace("http://", f"http://x:{token}@"), "main", cwd=work, check=False)
    assert pushed.returncode != 0  # receive.fsckObjects
    assert git("rev-parse", "main", git_dir=repo_paths.absolute(fork.relpath)).strip() == before
    assert not list((repo_paths.absolute(fork.relpath) / "objects").glob("tmp_objdir-*"))  # quarantine dropped


def test_dot_git_entry_refused_at_mirror(app, publish, tmp_path):
    """A tree entry named `.git` (the classic checkout escape) is refused by the transfer check."""
    upstream = new_repo(tmp_path / "sumber" / "dotgit.git")
    commit(upstream, tree(upstream, {**base_files(upstream), ".git": ("160000", SHA),
                                     "x/.git/hooks/post-checkout": ("100755", blob(upstream, "#!/bin/sh\n"))}),
           "entri .git")
    row, mirror = publish(upstream, slug="dotgit")
    assert mirror.state == "failed" and upstream_leftovers(app) == []
