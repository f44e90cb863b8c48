"""Issue 13, finding 5: a secret force-pushed away must not stay public.

The attack, through the real entry points: an adopter pushes a commit with `.env`, then
`git push --force` drops it. Before: `/forks/<id>/download?rev=<4 hex digits>` returned the
dropped `.env`, and a protocol v2 `git fetch <id>` got it back (upload-pack serves any object
the repository stores). Now the download takes only full ids and exact branch/tag names that a
branch or tag reaches, and the prune job after the push deletes the dropped objects once the
grace for concurrent pushes has passed; an admin can purge at once (audited). Deployed commits
and objects that forks borrow from a mirror are kept.
"""
from __future__ import annotations

import io
import os
import re
import time
import zipfile
from pathlib import Path

import pytest

from catalog.extensions import db
from catalog.models import AuditEvent
from catalog.services import repo_paths
from catalog.services.deployments import lifecycle
from catalog.services.repos import forks, mirrors, purge
from catalog.vcs import prune as vcs_prune
from catalog.vcs import read_protected_commits
from tests.conftest import PASSWORD
from tests.repos.conftest import adopter, fork, published_app, source_repo, work  # noqa: F401, F811  (fixtures)
from tests.repos.gitclient import git, with_token

# System-level attack reproductions (real git processes and servers): `make test` runs them, the edit loop does not.
pytestmark = pytest.mark.slow

SECRET = "DB_PASSWORD=rahasia-sekali-123\n"
ABBREVIATION_REFUSED = "Singkatan id commit tidak diterima"


def _commit(work: Path, files: dict[str, str], message: str) -> str:
    for name, text in files.items():
        (work / name).write_text(text)
    git("add", ".", cwd=work)
    git("commit", "-m", message, cwd=work)
    return git("rev-parse", "HEAD", cwd=work).stdout.strip()


def _age_objects(repo: Path, seconds: int = 3600) -> None:
    """As if the objects had been written `seconds` ago (the grace is measured on file times)."""
    past = time.time() - seconds
    for path in (repo / "objects").rglob("*"):
        if path.is_file():
            os.utime(path, (past, past))


def _fetch_by_id(url: str, sha: str, where: Path):
    """What an attacker does with a leaked id: a fresh repository, a protocol v2 fetch of it."""
    if not where.exists():
        git("init", "--quiet", "--bare", str(where))
    return git("-c", "protocol.version=2", "--git-dir", str(where), "fetch", "--no-tags", url, sha,
               check=False)


def _stored(repo: Path, sha: str) -> bool:
    return git("cat-file", "-e", sha, cwd=repo, check=False).returncode == 0


@pytest.fixture
def pushed_secret(fork, adopter, token_for, live_server, work):
    """A secret pushed to the fork, then dropped by a real force push over /git/."""
    url = with_token(f"{live_server}/git/{fork.relpath}", token_for(adopter)["Authorization"].split()[1])
    base = git("rev-parse", "HEAD", cwd=work).stdout.strip()
    leaked = _commit(work, {".env": SECRET, "config.php": "<?php // konfigurasi\n"}, "Tambah konfigurasi")
    git("push", url, "main", cwd=work)
    git("reset", "--hard", base, cwd=work)
    clean = _commit(work, {"config.php": "<?php // konfigurasi tanpa rahasia\n"}, "Tambah konfigurasi")
    pushed = git("push", "--force", url, "main", cwd=work, check=False)
    assert pushed.returncode == 0, pushed.stderr
    repo = repo_paths.absolute(fork.relpath)
    assert git("rev-parse", "refs/heads/main", cwd=repo).stdout.strip() == clean
    return {"url": url, "leaked": leaked, "clean": clean, "repo": repo}


def test_force_pushed_secret_is_neither_downloadable_nor_fetchable(client, fork, live_server, pushed_secret,
                                                                   tmp_path, work):
    leaked, repo = pushed_secret["leaked"], pushed_secret["repo"]

    # The archive route: an abbreviation is refused (never guessed), the full id of the dropped
    # commit is not found, like any id no branch or tag reaches.
    r = client.get(f"/forks/{fork.id}/download?rev={leaked[:4]}&format=zip")
    assert r.status_code == 400 and ABBREVIATION_REFUSED in r.get_data(as_text=True)
    assert b"rahasia-sekali" not in r.data
    r = client.get(f"/forks/{fork.id}/download?rev={leaked}&format=zip")
    assert r.status_code == 404 and b"rahasia-sekali" not in r.data
    r = client.get(f"/forks/{fork.id}/download?rev={leaked[:12]}&format=tar.gz")
    assert r.status_code == 400
    r = client.get(f"/forks/{fork.id}/download?rev=main&format=zip")
    assert r.status_code == 200
    assert not [n for n in zipfile.ZipFile(io.BytesIO(r.data)).namelist() if n.endswith("/.env")]

    # The prune job ran after the push: the dropped objects are younger than the grace a
    # concurrent push needs, so they are kept for now and the repository is marked pending.
    assert vcs_prune.is_pending(repo) and _stored(repo, leaked)
    attacker = tmp_path / "penyerang.git"
    fetched = _fetch_by_id(f"{live_server}/git/{fork.relpath}", leaked, attacker)
    assert fetched.returncode == 0, fetched.stderr  # still served: the attack is real

    # An ordinary push meanwhile: its job leaves the waiting objects to the sweep (no repack at
    # every push during the grace), and the repository stays pending.
    _commit(work, {"README.md": "# Kota\n"}, "Perbarui README")
    git("push", pushed_secret["url"], "main", cwd=work)
    assert vcs_prune.is_pending(repo) and _stored(repo, leaked)

    # Once the grace has passed, the periodic sweep deletes them: protocol v2 has nothing to serve.
    _age_objects(repo)
    assert purge.pending_relpaths() == [fork.relpath]
    assert purge.sweep_pending() == 1
    assert not _stored(repo, leaked) and not vcs_prune.is_pending(repo)
    fetched = _fetch_by_id(f"{live_server}/git/{fork.relpath}", leaked, tmp_path / "penyerang-2.git")
    assert fetched.returncode != 0
    assert "not our ref" in fetched.stderr or "upload-pack" in fetched.stderr, fetched.stderr

    # Nothing reachable was lost: a clone checks out, and the fork's objects are all connected.
    clone = tmp_path / "klon"
    git("clone", f"{live_server}/git/{fork.relpath}", str(clone))
    assert (clone / "config.php").read_text() == "<?php // konfigurasi tanpa rahasia\n"
    assert git("fsck", "--connectivity-only", cwd=repo, check=False).returncode == 0


def test_without_a_grace_the_job_after_the_push_deletes_at_once(app, fork, adopter, token_for, live_server,
                                                                 work, tmp_path):
    app.config["REPO_PRUNE_GRACE"] = 0
    url = with_token(f"{live_server}/git/{fork.relpath}", token_for(adopter)["Authorization"].split()[1])
    git("checkout", "-b", "fitur", cwd=work)
    leaked = _commit(work, {".env": SECRET}, "Coba")
    git("push", url, "fitur", cwd=work)
    repo = repo_paths.absolute(fork.relpath)
    assert _stored(repo, leaked)
    deleted = git("push", url, ":fitur", cwd=work, check=False)  # a branch deletion drops it too
    assert deleted.returncode == 0, deleted.stderr
    assert not _stored(repo, leaked) and not vcs_prune.is_pending(repo)
    assert _fetch_by_id(f"{live_server}/git/{fork.relpath}", leaked, tmp_path / "p.git").returncode != 0


def test_a_push_that_drops_nothing_repacks_nothing(fork, adopter, token_for, live_server, work):
    url = with_token(f"{live_server}/git/{fork.relpath}", token_for(adopter)["Authorization"].split()[1])
    repo = repo_paths.absolute(fork.relpath)
    _commit(work, {"a.php": "<?php // a\n"}, "a")
    git("push", url, "main", cwd=work)  # the first prune of a fork runs in full (no tips yet)
    assert (repo / vcs_prune.TIPS_FILE).exists()
    packs = sorted(p.name for p in (repo / "objects" / "pack").glob("*.pack"))
    head = _commit(work, {"b.php": "<?php // b\n"}, "b")
    git("push", url, "main", cwd=work)
    assert sorted(p.name for p in (repo / "objects" / "pack").glob("*.pack")) == packs  # no repack
    assert head in (repo / vcs_prune.TIPS_FILE).read_text()
    assert purge.prune_after_push(fork.relpath).ran is False


def test_two_pushes_before_the_job_still_find_the_dropped_tip(fork, adopter, token_for, live_server, work,
                                                              monkeypatch):
    """The job may run only after several pushes: the reflogs remember the tips in between."""
    url = with_token(f"{live_server}/git/{fork.relpath}", token_for(adopter)["Authorization"].split()[1])
    repo = repo_paths.absolute(fork.relpath)
    _commit(work, {"a.php": "<?php // a\n"}, "a")
    git("push", url, "main", cwd=work)  # job ran: tips recorded, reflogs on
    base = git("rev-parse", "HEAD", cwd=work).stdout.strip()
    monkeypatch.setattr(purge, "prune_after_push", lambda relpath: None)  # the queue lags behind
    leaked = _commit(work, {".env": SECRET}, "rahasia")
    git("push", url, "main", cwd=work)
    git("reset", "--hard", base, cwd=work)
    _commit(work, {"c.php": "<?php // c\n"}, "c")
    git("push", "--force", url, "main", cwd=work)
    monkeypatch.undo()
    _age_objects(repo)
    result = purge.prune_after_push(fork.relpath)
    assert result.ran and leaked in result.dropped
    assert not _stored(repo, leaked)


def test_deployed_commits_survive_every_prune(app, make_user, fork, adopter, token_for, live_server, work):
    """A deployed commit no branch reaches any more (dropped before the list protected it) stays."""
    url = with_token(f"{live_server}/git/{fork.relpath}", token_for(adopter)["Authorization"].split()[1])
    repo = repo_paths.absolute(fork.relpath)
    git("checkout", "-b", "rilis-daerah", cwd=work)
    deployed = _commit(work, {"daerah.php": "<?php // dipasang\n"}, "dipasang")
    git("push", url, "rilis-daerah", cwd=work)
    lifecycle.create_deployment({"environment": "production", "status": "pilot", "version": deployed,
                                 "hosting": "pusat_data_daerah", "fork_id": fork.id},
                                actor=adopter, app_slug="simanja")
    assert read_protected_commits(repo) == [deployed]
    # Dropped behind the hook's back (as an older release let happen): no ref reaches it now.
    git("update-ref", "-d", "refs/heads/rilis-daerah", cwd=repo)
    _age_objects(repo)
    admin = make_user("admin", "komdigi")
    app.config["REPO_PURGE_GRACE"] = 0
    purge.request_purge("fork", fork.id, actor=admin)
    assert _stored(repo, deployed)
    assert git("cat-file", "-p", f"{deployed}:daerah.php", cwd=repo).stdout == "<?php // dipasang\n"
    assert not git("for-each-ref", "refs/catalog-keep/", cwd=repo).stdout  # the keep refs are gone again
    assert git("fsck", "--connectivity-only", cwd=repo, check=False).returncode == 0


def _admin_client(app, make_user):
    admin = make_user("admin", "komdigi")
    client = app.test_client()
    csrf = app.config["WTF_CSRF_ENABLED"]
    app.config["WTF_CSRF_ENABLED"] = False
    assert client.post("/login", data={"email": admin.email, "password": PASSWORD}).status_code == 302
    app.config["WTF_CSRF_ENABLED"] = csrf
    return admin, client


def test_admin_purges_a_fork_now_and_it_is_audited(app, make_user, fork, pushed_secret, live_server, tmp_path):
    leaked, repo = pushed_secret["leaked"], pushed_secret["repo"]
    assert _stored(repo, leaked)  # kept by the grace after the push
    app.config["WTF_CSRF_ENABLED"] = True
    admin, client = _admin_client(app, make_user)
    assert f"/forks/{fork.id}/purge" in client.get(f"/forks/{fork.id}").get_data(as_text=True)  # linked for admins
    page = client.get(f"/forks/{fork.id}/purge")
    assert page.status_code == 200 and fork.relpath in page.get_data(as_text=True)
    r = client.post(f"/forks/{fork.id}/purge", data={"reason": "kunci basis data bocor"})
    assert r.status_code == 400  # no CSRF token: nothing purged, nothing recorded
    assert _stored(repo, leaked)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)

    _age_objects(repo, 120)  # older than the purge's 60 s grace, younger than the push's 300 s
    r = client.post(f"/forks/{fork.id}/purge", data={"reason": "kunci basis data bocor", "csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/forks/{fork.id}")
    assert not _stored(repo, leaked)
    assert _fetch_by_id(f"{live_server}/git/{fork.relpath}", leaked, tmp_path / "p.git").returncode != 0

    events = db.session.execute(db.select(AuditEvent).where(AuditEvent.action.in_(("repo.purge", "repo.purged")))
                                .order_by(AuditEvent.seq)).scalars().all()
    assert [(e.action, e.actor_id, e.object_type, e.object_id) for e in events] == [
        ("repo.purge", admin.id, "fork", str(fork.id)), ("repo.purged", admin.id, "fork", str(fork.id))]
    assert "bocor" not in events[0].data  # the reason's text is not published in the audit feed


@pytest.mark.parametrize("role,org", [("adopter", "21.72"), ("publisher", "21"), ("auditor", "21")])
def test_only_a_platform_admin_may_purge(app, make_user, fork, role, org):
    user = make_user(role, org)
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert "/purge" not in client.get(f"/forks/{fork.id}").get_data(as_text=True)
    assert client.get(f"/forks/{fork.id}/purge").status_code == 403
    assert client.post(f"/forks/{fork.id}/purge").status_code == 403
    assert client.post("/apps/simanja/purge").status_code == 403
    anonymous = app.test_client()
    assert anonymous.post(f"/forks/{fork.id}/purge").status_code in (302, 401, 403)
    actions = db.session.execute(db.select(AuditEvent.action)).scalars().all()
    assert "repo.purge" not in actions


def test_mirror_purge_keeps_what_forks_borrow(app, make_user, published_app, adopter, source_repo, tmp_path):
    """Upstream rewrites its history and deletes a branch holding a secret: the admin's purge of
    the mirror deletes the secret but keeps the old commit that a fork still stands on."""
    mirror_repo = repo_paths.absolute(mirrors.get_mirror(published_app).relpath)
    up = tmp_path / "hulu"
    git("clone", str(source_repo), str(up))
    _commit(up, {"LAMA.md": "versi yang akan ditulis ulang\n"}, "belum dirilis")
    git("push", "origin", "main", cwd=up)
    git("checkout", "-b", "rahasia", cwd=up)
    secret = _commit(up, {".env": SECRET}, "rahasia")
    git("push", "origin", "rahasia", cwd=up)
    assert mirrors.run_fetch(published_app.id) == "ready"
    assert _stored(mirror_repo, secret)
    fork = forks.create_fork("simanja", actor=adopter)  # stands on the untagged commit
    fork_repo = repo_paths.absolute(fork.relpath)
    fork_head = git("rev-parse", "refs/heads/main", cwd=fork_repo).stdout.strip()
    assert not list((fork_repo / "objects" / "pack").glob("*.pack"))  # it borrows everything
    # Upstream drops the branch and rewrites main (the fork's head is no longer upstream's).
    git("push", "origin", ":rahasia", cwd=up)
    git("checkout", "main", cwd=up)
    git("reset", "--hard", "HEAD~1", cwd=up)
    _commit(up, {"BARU.md": "riwayat ditulis ulang\n"}, "riwayat ditulis ulang")
    git("push", "--force", "origin", "main", cwd=up)
    assert mirrors.run_fetch(published_app.id) == "ready"
    assert git("rev-list", "--all", "--count", cwd=mirror_repo).stdout.strip()
    reached = git("rev-list", "--all", cwd=mirror_repo).stdout.split()
    assert fork_head not in reached and secret not in reached

    app.config["REPO_PURGE_GRACE"] = 0
    admin, client = _admin_client(app, make_user)
    assert client.get("/apps/simanja/purge").status_code == 200
    r = client.post("/apps/simanja/purge", data={})
    assert r.status_code == 302
    assert not _stored(mirror_repo, secret)
    assert _stored(mirror_repo, fork_head)  # borrowed by the fork through its alternates
    assert git("fsck", "--connectivity-only", cwd=fork_repo, check=False).returncode == 0
    assert git("fsck", "--connectivity-only", cwd=mirror_repo, check=False).returncode == 0
    assert git("archive", "--format=tar", "main", cwd=fork_repo, check=False).returncode == 0
    events = db.session.execute(db.select(AuditEvent.action, AuditEvent.object_type)
                                .where(AuditEvent.action.in_(("repo.purge", "repo.purged")))).all()
    assert events == [("repo.purge", "app"), ("repo.purged", "app")]


def test_downloads_take_exact_names_and_full_reachable_ids(client, published_app, fork):
    repo = repo_paths.absolute(fork.relpath)
    head = git("rev-parse", "refs/heads/main", cwd=repo).stdout.strip()
    for rev in ("main", "refs/heads/main", "v1.0.0", "refs/tags/v1.0.0", "HEAD", head, head.upper()):
        assert client.get(f"/forks/{fork.id}/download?rev={rev}&format=zip").status_code == 200, rev
    assert client.get(f"/apps/simanja/download?rev={head}&format=tar.gz").status_code == 200
    for rev in (head[:4], head[:7], head[:39]):
        r = client.get(f"/forks/{fork.id}/download?rev={rev}&format=zip")
        assert r.status_code == 400 and ABBREVIATION_REFUSED in r.get_data(as_text=True), rev
        r = client.get(f"/apps/simanja/download?rev={rev}&format=zip")
        assert r.status_code == 400, rev
    for rev in ("main~1", "v1.0.0^{}", "refs/catalog-keep/x", "tidak-ada", "0" * 40, "heads/main"):
        assert client.get(f"/forks/{fork.id}/download?rev={rev}&format=zip").status_code == 404, rev
