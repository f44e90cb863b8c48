"""Issue 20, item 4: an upstream hosted in the catalog. The publisher registers the app with
"repositori induk di katalog", pushes to /git/upstream/<slug>.git over the real smart-HTTP route,
a region forks and offers a fix, the publisher merges it with one click (merge-tree) and the
contribution closes as merged; a conflicting one changes nothing; force pushes are refused."""
from __future__ import annotations

from pathlib import Path

import pytest

from catalog.extensions import db
from catalog.models import AuditEvent, Notification
from catalog.services.repos import mirrors
from tests.factories import app_payload
from tests.repos.gitclient import git, with_token


def _commit(work: Path, path: str, content: str, message: str) -> str:
    target = work / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content)
    git("add", ".", cwd=work)
    git("commit", "-m", message, cwd=work)
    return git("rev-parse", "HEAD", cwd=work).stdout.strip()


def _token(token_for, user) -> str:
    return token_for(user)["Authorization"].split()[1]


def _copy_with_fix(client, token_for, adopter, live_server, tmp_path, content: str, message: str):
    """The adopter's region copies the hosted app, changes src/app.php in one commit and pushes it:
    (fork as the API answered, its clone URL, the working copy, the fix's sha)."""
    fork = client.post("/api/v1/apps/simantap/forks", json={}, headers=token_for(adopter)).json
    fork_url = f"{live_server}/git/{fork['clone_url'].split('/git/', 1)[1]}"
    work = tmp_path / "bintan"
    git("clone", fork_url, str(work))
    fix = _commit(work, "src/app.php", content, message)
    git("push", with_token(fork_url, _token(token_for, adopter)), "main", cwd=work)
    return fork, fork_url, work, fix


@pytest.fixture
def hosted(app, make_user, client, token_for, live_server, tmp_path):
    """SIMANTAP registered by Provinsi Kepulauan Riau with its upstream in the catalog, published,
    and its first version pushed by the publisher (v1.0.0)."""
    admin, publisher = make_user("admin", "komdigi"), make_user("publisher", "21")
    payload = {**app_payload(name="Simantap", slug="simantap"), "hosted_upstream": True}
    del payload["repo_url"]
    r = client.post("/api/v1/apps", json=payload, headers=token_for(publisher))
    assert r.status_code == 201, r.json
    assert client.post("/api/v1/apps/simantap/submit", headers=token_for(publisher)).status_code == 200
    assert client.post("/api/v1/apps/simantap/publish", json={}, headers=token_for(admin)).status_code == 200
    url = f"{live_server}/git/upstream/simantap.git"
    work = tmp_path / "induk"
    git("init", "-q", "-b", "main", str(work))
    _commit(work, "README.md", "# Simantap\n", "Awal")
    _commit(work, "src/app.php", "<?php // aplikasi\n", "Aplikasi")
    git("tag", "-a", "v1.0.0", "-m", "Rilis 1.0.0", cwd=work)
    anonymous = git("push", url, "main", cwd=work, check=False)
    assert anonymous.returncode != 0  # a push needs a token
    git("push", with_token(url, _token(token_for, publisher)), "main", "v1.0.0", cwd=work)
    mirror = mirrors.get_mirror_by_slug("simantap")
    assert mirror.head == git("rev-parse", "HEAD", cwd=work).stdout.strip()
    return publisher, work, with_token(url, _token(token_for, publisher))


def test_push_fork_offer_merge_in_catalog_and_refuse_force_push(hosted, make_user, client, token_for,
                                                                 live_server, tmp_path):
    publisher, upstream_work, upstream_url = hosted
    adopter = make_user("adopter", "21.01")
    other = make_user("adopter", "21.72")
    fork, fork_url, work, fix = _copy_with_fix(client, token_for, adopter, live_server, tmp_path,
                                                "<?php // aplikasi, validasi NIP 18 digit\n", "Validasi NIP")
    # Only the publisher pushes upstream; a region's token is refused.
    assert git("push", with_token(f"{live_server}/git/upstream/simantap.git", _token(token_for, other)),
               "main", cwd=work, check=False).returncode != 0

    # Upstream moves on meanwhile (another file), so the merge is a real three-way merge.
    _commit(upstream_work, "docs/panduan.md", "# Panduan\n", "Panduan")
    git("push", upstream_url, "main", cwd=upstream_work)

    c = client.post(f"/api/v1/forks/{fork['id']}/contributions", json={"title": "Validasi NIP"},
                    headers=token_for(adopter)).json
    assert [x["sha"] for x in c["commits"]] == [fix]
    early = client.post(f"/api/v1/contributions/{c['id']}/merge", headers=token_for(publisher))
    assert early.status_code == 409  # accept first
    client.post(f"/api/v1/contributions/{c['id']}/accept", json={}, headers=token_for(publisher))
    assert client.post(f"/api/v1/contributions/{c['id']}/merge",
                       headers=token_for(adopter)).status_code == 403
    r = client.post(f"/api/v1/contributions/{c['id']}/merge", headers=token_for(publisher))
    assert r.status_code == 200, r.json
    assert r.json["outcome"] == "merged" and r.json["state"] == "merged"
    assert db.session.execute(db.select(Notification).where(
        Notification.user_id == adopter.id, Notification.kind == "contribution_merged")).scalar_one()
    merges = db.session.execute(db.select(AuditEvent.action, AuditEvent.actor_id).where(
        AuditEvent.object_type == "contribution", AuditEvent.object_id == str(c["id"])).order_by(AuditEvent.seq)).all()
    assert [tuple(m) for m in merges] == [("contribution.create", adopter.id), ("contribution.accept", publisher.id),
                                          ("contribution.merge", publisher.id)]
    git("pull", "-q", "--no-rebase", upstream_url, "main", cwd=upstream_work)
    assert (upstream_work / "src/app.php").read_text() == "<?php // aplikasi, validasi NIP 18 digit\n"
    assert (upstream_work / "docs/panduan.md").exists()
    parents = git("log", "-1", "--format=%P", cwd=upstream_work).stdout.split()
    assert len(parents) == 2 and fix in parents

    # A conflicting contribution: both sides rewrote README.md; nothing is written.
    _commit(upstream_work, "README.md", "# Simantap (induk)\n", "README induk")
    git("push", upstream_url, "main", cwd=upstream_work)
    _commit(work, "README.md", "# Simantap Bintan\n", "README Bintan")
    git("push", with_token(fork_url, _token(token_for, adopter)), "main", cwd=work)
    c2 = client.post(f"/api/v1/forks/{fork['id']}/contributions", json={"title": "README"},
                     headers=token_for(adopter)).json
    client.post(f"/api/v1/contributions/{c2['id']}/accept", json={}, headers=token_for(publisher))
    head_before = mirrors.get_mirror_by_slug("simantap").head
    r = client.post(f"/api/v1/contributions/{c2['id']}/merge", headers=token_for(publisher))
    assert r.status_code == 409 and r.json["conflicts"] == ["README.md"]
    assert git("ls-remote", upstream_url, "refs/heads/main").stdout.split()[0] == head_before

    # History is never rewritten upstream: a force push and a tag deletion are refused.
    git("commit", "--amend", "-m", "README induk (ditulis ulang)", cwd=upstream_work)
    forced = git("push", "--force", upstream_url, "main", cwd=upstream_work, check=False)
    assert forced.returncode != 0 and "non-fast-forward" in forced.stderr
    deleted = git("push", upstream_url, ":refs/tags/v1.0.0", cwd=upstream_work, check=False)
    assert deleted.returncode != 0
    assert git("ls-remote", upstream_url, "refs/heads/main").stdout.split()[0] == head_before


def test_external_mirror_stays_read_only(published_app, make_user, token_for, live_server, tmp_path):
    publisher = make_user("publisher", "21")
    work = tmp_path / "klon"
    git("clone", f"{live_server}/git/upstream/simanja.git", str(work))
    _commit(work, "x.txt", "x\n", "Coba")
    refused = git("push", with_token(f"{live_server}/git/upstream/simanja.git", _token(token_for, publisher)),
                  "HEAD:main", cwd=work, check=False)
    assert refused.returncode != 0 and "hanya dapat dibaca" in refused.stderr


def test_a_lost_hosted_repository_is_not_recreated_empty(hosted):
    import shutil

    from catalog.services import repo_paths

    mirror = mirrors.get_mirror_by_slug("simantap")
    head = mirror.head
    shutil.rmtree(repo_paths.absolute(mirror.relpath))
    assert mirrors.run_fetch(mirror.app_id) == "failed"
    mirror = mirrors.get_mirror_by_slug("simantap")
    assert mirror.head == head and "cadangan" in mirror.error
    assert not (repo_paths.absolute(mirror.relpath) / "HEAD").exists()


def test_merge_with_one_click_on_the_contribution_page(hosted, make_user, client, token_for, login, live_server,
                                                       tmp_path):
    """The publisher's button on the contribution page (a form with its CSRF token) merges it;
    a region sees no button."""
    publisher, upstream_work, upstream_url = hosted
    adopter = make_user("adopter", "21.01")
    fork, _fork_url, _work, fix = _copy_with_fix(client, token_for, adopter, live_server, tmp_path,
                                                  "<?php // aplikasi, NIK 16 digit\n", "Validasi NIK")
    c = client.post(f"/api/v1/forks/{fork['id']}/contributions", json={"title": "Validasi NIK"},
                    headers=token_for(adopter)).json
    client.post(f"/api/v1/contributions/{c['id']}/accept", json={}, headers=token_for(publisher))
    login(adopter)
    assert "Gabungkan ke repositori induk di katalog" not in client.get(f"/contributions/{c['id']}").get_data(
        as_text=True)
    client.post("/logout")
    login(publisher)
    page = client.get(f"/contributions/{c['id']}").get_data(as_text=True)
    form = page.split("Gabungkan ke repositori induk di katalog", 1)[1].split("</form>", 1)[0]
    assert f'action="/contributions/{c["id"]}/merge"' in form and 'name="csrf_token"' in form
    r = client.post(f"/contributions/{c['id']}/merge", follow_redirects=True)
    shown = r.get_data(as_text=True)
    assert r.status_code == 200 and "Usulan digabungkan ke repositori induk." in shown
    assert "Sudah masuk induk" in shown  # the worker read the new head (jobs run inline in tests)
    assert git("ls-remote", upstream_url, "refs/heads/main").stdout.split()[0] == fix  # a fast-forward
