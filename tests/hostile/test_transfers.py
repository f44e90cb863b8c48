"""Hostile upstream servers through the service path (publish → mirror job), on a loopback HTTPS
server: an oversized pack, a transfer that stalls, a redirect. Each is refused cleanly and leaves
nothing on disk; the mirror row says why."""
from __future__ import annotations

import os
import time

import pytest

from catalog.services import repo_paths
from catalog.services.catalog import apps
from catalog.services.repos import mirrors
from tests.hostile.conftest import upstream_leftovers
from tests.hostile.trees import base_files, big_blob_repo, blob, commit, new_repo, tree
from tests.vcs.gitlib import git

# System-level attack reproductions (real git processes and servers): `make test` runs them, the edit loop does not.
pytestmark = pytest.mark.slow


def _small_repo(root):
    repo = new_repo(root / "kecil.git")
    commit(repo, tree(repo, base_files(repo)), "awal")
    return repo


def test_a_normal_repository_mirrors_over_the_loopback_server(app, git_server, publish):
    """The harness itself: the same server and DNS pin serve a well-behaved repository."""
    _small_repo(git_server.root)
    row, mirror = publish(git_server.url("serve", "kecil.git"))
    assert mirror.state == "ready" and mirror.head, mirror.error
    assert upstream_leftovers(app) == ["uji-aplikasi.git"]


def test_oversized_pack_is_refused_and_nothing_is_left(app, git_server, publish):
    big_blob_repo(git_server.root / "besar.git", 3 * 1024 * 1024)
    app.config["MIRROR_MAX_BYTES"] = 512 * 1024
    row, mirror = publish(git_server.url("serve", "besar.git"))
    assert mirror.state == "failed" and mirror.head is None
    assert "melebihi batas" in mirror.error
    assert any("git-upload-pack" in r for r in git_server.requests)  # the transfer did start
    assert upstream_leftovers(app) == []


def test_stalled_transfer_times_out_and_nothing_is_left(app, git_server, publish):
    _small_repo(git_server.root).rename(git_server.root / "macet.git")
    app.config["MIRROR_TIMEOUT"] = 1.5
    started = time.monotonic()
    row, mirror = publish(git_server.url("stall", "macet.git"))
    elapsed = time.monotonic() - started
    assert mirror.state == "failed" and mirror.head is None
    assert "batas waktu" in mirror.error
    assert elapsed < 60  # killed by the 1.5 s limit, not by curl's 60 s low-speed abort
    assert upstream_leftovers(app) == []


def _register_by_form(client, login, people, url):
    from tests.factories import app_payload
    login(people["admin"])  # a loopback server: only an admin may register it (issue 13, finding 7)
    form = app_payload(repo_url=url, slug="uji-aplikasi", features="Fitur", tags="kearsipan",
                       maintenance_contacts="Tim <tim@anri.go.id>")
    assert client.post("/apps/new", data=form).status_code == 302
    assert client.post("/apps/uji-aplikasi/submit").status_code == 302
    assert client.post("/admin/review/uji-aplikasi/publish", data={"note": ""}).status_code == 302


def _register_by_api(client, token_for, people, url):
    from tests.factories import app_payload
    publisher = token_for(people["publisher"])
    admin = token_for(people["admin"])  # only an admin may register a loopback server (issue 13, finding 7)
    assert client.post("/api/v1/apps", json=app_payload(repo_url=url, slug="uji-aplikasi") | {"org": "21"},
                       headers=admin).status_code == 201
    assert client.post("/api/v1/apps/uji-aplikasi/submit", headers=publisher).status_code == 200
    assert client.post("/api/v1/apps/uji-aplikasi/publish", headers=token_for(people["admin"])).status_code == 200


@pytest.mark.parametrize("way", ["service", "api", "form"])
def test_redirect_is_not_followed_and_nothing_is_stored(app, git_server, publish, people, client, login, token_for,
                                                       way):
    """The address is fine when typed (https, a name; registered by an admin, as the server is on
    loopback); the server's 301 is refused at fetch time, whichever way the entry came in."""
    _small_repo(git_server.root).rename(git_server.root / "pindah.git")
    url = git_server.url("redirect", "pindah.git")
    if way == "service":
        publish(url)
    elif way == "api":
        _register_by_api(client, token_for, people, url)
    else:
        _register_by_form(client, login, people, url)
    mirror = mirrors.get_mirror_by_slug("uji-aplikasi")
    assert mirror.state == "failed" and mirror.head is None
    assert any("/redirect/" in r for r in git_server.requests)
    assert not any("/followed/" in r for r in git_server.requests)  # http.followRedirects=false
    assert upstream_leftovers(app) == []


def test_refresh_with_oversized_pack_keeps_the_mirror_as_it_was(app, git_server, publish):
    """A mirror that exists, then an upstream that grows past the cap: the refresh is refused
    and the mirror keeps its refs and its size (no new pack stays behind)."""
    repo = _small_repo(git_server.root)
    row, mirror = publish(git_server.url("serve", "kecil.git"))
    path = repo_paths.absolute(mirror.relpath)
    refs_before = git("for-each-ref", git_dir=path)
    packs_before = sorted(p.name for p in (path / "objects" / "pack").iterdir())
    head = git("rev-parse", "main", git_dir=repo).strip()
    commit(repo, tree(repo, {**base_files(repo), "data.bin": ("100644", blob(repo, os.urandom(3 * 1024 * 1024)))}),
           "data besar", [head])
    app.config["MIRROR_MAX_BYTES"] = 512 * 1024
    apps_row = apps.get_app("uji-aplikasi")
    mirrors.request_refresh(apps_row.slug, actor=_admin())
    mirror = mirrors.get_mirror(apps_row)
    assert mirror.state == "failed" and "melebihi batas" in mirror.error
    assert mirror.head == head  # the row keeps the last good head
    assert git("for-each-ref", git_dir=path) == refs_before
    assert sorted(p.name for p in (path / "objects" / "pack").iterdir()) == packs_before
    assert not list((path / "objects").glob("tmp_objdir-*"))  # the quarantine is gone


def test_refresh_that_stalls_times_out_and_keeps_the_mirror(app, git_server, publish):
    repo = _small_repo(git_server.root)
    row, mirror = publish(git_server.url("serve", "kecil.git"))
    path = repo_paths.absolute(mirror.relpath)
    refs_before = git("for-each-ref", git_dir=path)
    head = git("rev-parse", "main", git_dir=repo).strip()
    commit(repo, tree(repo, {**base_files(repo), "baru.txt": ("100644", blob(repo, "baru\n"))}), "baru", [head])
    git_server.stall_all = True
    app.config["MIRROR_TIMEOUT"] = 1.5
    mirrors.request_refresh("uji-aplikasi", actor=_admin())
    mirror = mirrors.get_mirror(row)
    assert mirror.state == "failed" and "batas waktu" in mirror.error and mirror.head == head
    assert git("for-each-ref", git_dir=path) == refs_before
    assert not list((path / "objects").glob("tmp_objdir-*")) and not list((path / "objects" / "pack").glob("tmp_*"))


def _admin():
    from catalog.extensions import db
    from catalog.models import User
    return db.session.execute(db.select(User).where(User.role == "admin")).scalars().first()
