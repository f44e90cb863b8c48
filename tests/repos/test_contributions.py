"""Issue 20: a region offers its fix upstream; the publisher downloads it as an mbox and applies
it with `git am`; the new upstream release (a real mirror refresh) closes the contribution by
patch-id and both forks carrying the same fix stop counting it as their own."""
from __future__ import annotations

from pathlib import Path

import pytest

from catalog.extensions import db
from catalog.models import AuditEvent, Notification
from catalog.services.repos import forks
from tests.repos.gitclient import git, with_token

FIX = ("README.md", "# Simanja\n\nPerbaikan: rumus capaian kinerja dibulatkan dua desimal.\n")


def _push_change(fork, user, token_for, live_server, tmp_path: Path, change: tuple[str, str], message: str) -> str:
    """Clone the fork over /git/, commit one change, push it back with the user's token."""
    work = tmp_path / f"kerja-{fork.id}"
    url = f"{live_server}/git/{fork.relpath}"
    git("clone", url, str(work))
    (work / change[0]).write_text(change[1])
    git("add", ".", cwd=work)
    git("commit", "-m", message, cwd=work)
    git("push", with_token(url, token_for(user)["Authorization"].split()[1]), "main", cwd=work)
    return git("rev-parse", "HEAD", cwd=work).stdout.strip()


@pytest.fixture
def three_forks(published_app, make_user, token_for, live_server, tmp_path):
    """Tanjung Pinang and Bintan carry the same fix (same patch-id), Batam a different one."""
    people, rows, shas = [], [], []
    for code, change, message in (("21.72", FIX, "Perbaiki pembulatan capaian"),
                                  ("21.01", FIX, "Pembulatan dua desimal (Bintan)"),
                                  ("21.71", ("src/batam.php", "<?php // integrasi SIMPEG Batam\n"),
                                   "Integrasi SIMPEG Batam")):
        user = make_user("adopter", code)
        fork = forks.create_fork("simanja", actor=user)
        shas.append(_push_change(fork, user, token_for, live_server, tmp_path, change, message))
        people.append(user)
        rows.append(fork)
    return people, rows, shas


def _own(client, fork_id: int) -> int:
    r = client.get(f"/api/v1/forks/{fork_id}")
    assert r.status_code == 200
    return r.json["divergence"]["own_commits"]


def test_a_release_that_took_the_regions_commit_itself_is_named(three_forks, source_repo, make_user, client,
                                                                token_for, tmp_path):
    """Upstream fetched the offered commit from the bundle and fast-forwarded to it: no equivalent
    commit, the very one. The contribution closes as merged with the release that holds it."""
    (tanjungpinang, _bintan, _batam), (f1, _f2, _f3), shas = three_forks
    publisher = make_user("publisher", "21")
    c = client.post(f"/api/v1/forks/{f1.id}/contributions", headers=token_for(tanjungpinang),
                    json={"title": "Perbaiki pembulatan capaian"}).json
    bundle = tmp_path / "usulan.bundle"
    bundle.write_bytes(client.get(f"/api/v1/contributions/{c['id']}.bundle").data)
    upstream = tmp_path / "induk"
    git("clone", str(source_repo), str(upstream))
    git("fetch", str(bundle), f"refs/contributions/{c['id']}:usulan", cwd=upstream)
    git("merge", "--ff-only", "usulan", cwd=upstream)
    assert git("rev-parse", "HEAD", cwd=upstream).stdout.strip() == shas[0]
    git("tag", "-a", "v1.3.0", "-m", "Rilis 1.3.0", cwd=upstream)
    git("push", "origin", "main", "v1.3.0", cwd=upstream)
    assert client.post("/api/v1/apps/simanja/refresh", headers=token_for(publisher)).status_code == 202
    db.session.expire_all()
    r = client.get(f"/api/v1/contributions/{c['id']}")
    assert r.json["state"] == "merged" and r.json["merged_release"] == "v1.3.0"


def test_offer_apply_with_git_am_release_and_auto_close(three_forks, published_app, source_repo, make_user,
                                                        client, token_for, tmp_path):
    (tanjungpinang, bintan, batam), (f1, f2, f3), shas = three_forks
    publisher = make_user("publisher", "21")
    assert [_own(client, f.id) for f in (f1, f2, f3)] == [1, 1, 1]

    # Bintan may not offer Tanjung Pinang's fork; Tanjung Pinang offers its own (the default commits).
    r = client.post(f"/api/v1/forks/{f1.id}/contributions", json={"title": "Pembulatan"}, headers=token_for(bintan))
    assert r.status_code == 403
    r = client.post(f"/api/v1/forks/{f1.id}/contributions", headers=token_for(tanjungpinang),
                    json={"title": "Perbaiki pembulatan capaian", "description": "Nilai capaian tampil 2 desimal.",
                          "notes": {shas[0]: "Dilaporkan OPD BKPSDM"}})
    assert r.status_code == 201, r.json
    c = r.json
    assert c["state"] == "open" and [x["sha"] for x in c["commits"]] == [shas[0]]
    assert c["commits"][0]["note"] == "Dilaporkan OPD BKPSDM" and c["fork"]["id"] == f1.id
    again = client.post(f"/api/v1/forks/{f1.id}/contributions", json={"title": "Lagi"},
                        headers=token_for(tanjungpinang))
    assert again.status_code == 409 and again.json["fields"]["commits"]  # one pending offer per commit
    listed = client.get("/api/v1/apps/simanja/contributions?state=open").json
    assert [x["id"] for x in listed["items"]] == [c["id"]]
    assert db.session.execute(db.select(Notification).where(
        Notification.user_id == publisher.id, Notification.kind == "contribution_offered")).scalar_one()

    # The publisher downloads the patch series and applies it to a copy of upstream with git am.
    mbox = client.get(f"/api/v1/contributions/{c['id']}.patch")
    assert mbox.status_code == 200 and mbox.data.startswith(b"From " + shas[0].encode())
    bundle = client.get(f"/api/v1/contributions/{c['id']}.bundle")
    assert bundle.status_code == 200 and bundle.data.startswith(b"# v2 git bundle")
    upstream = tmp_path / "induk"
    git("clone", str(source_repo), str(upstream))
    (tmp_path / "usulan.patch").write_bytes(mbox.data)
    # Signed off, as a publisher applies it: a commit of its own, whatever the clock (applied within
    # the second of the region's commit, with the same names, it would otherwise be that very commit).
    git("am", "--signoff", str(tmp_path / "usulan.patch"), cwd=upstream)
    assert git("log", "-1", "--format=%s", cwd=upstream).stdout.strip() == "Perbaiki pembulatan capaian"
    bundle_file = tmp_path / "usulan.bundle"
    bundle_file.write_bytes(bundle.data)
    assert git("bundle", "verify", str(bundle_file), cwd=upstream).returncode == 0

    # Accept with a note (the fork's adopters hear of it), then publish v1.3.0 upstream.
    r = client.post(f"/api/v1/contributions/{c['id']}/accept", json={"note": "Masuk rilis 1.3"},
                    headers=token_for(tanjungpinang))
    assert r.status_code == 403
    r = client.post(f"/api/v1/contributions/{c['id']}/accept", json={"note": "Masuk rilis 1.3"},
                    headers=token_for(publisher))
    assert r.status_code == 200 and r.json["state"] == "accepted"
    git("tag", "-a", "v1.3.0", "-m", "Rilis 1.3.0", cwd=upstream)
    git("push", "origin", "main", "v1.3.0", cwd=upstream)
    r = client.post("/api/v1/apps/simanja/refresh", headers=token_for(publisher))
    assert r.status_code == 202
    db.session.expire_all()

    r = client.get(f"/api/v1/contributions/{c['id']}")
    assert r.json["state"] == "merged" and r.json["merged_release"] == "v1.3.0"
    # Both forks with the fix count it as upstream's now; Batam's different change stays its own.
    assert [_own(client, f.id) for f in (f1, f2, f3)] == [0, 0, 1]
    upstreamed = client.get(f"/api/v1/forks/{f2.id}").json["divergence"]["upstreamed_commits"]
    assert [(u["sha"], u["release"]) for u in upstreamed] == [(shas[1], "v1.3.0")]
    page = client.get(f"/forks/{f2.id}")
    assert "sudah masuk induk di v1.3.0" in page.get_data(as_text=True)
    actions = [e.action for e in db.session.execute(db.select(AuditEvent).where(
        AuditEvent.object_type == "contribution").order_by(AuditEvent.seq)).scalars()]
    assert actions == ["contribution.create", "contribution.accept", "contribution.merged"]
    # the offering region heard of each decision: accepted by the publisher, then merged upstream
    heard = db.session.execute(db.select(Notification.kind).where(
        Notification.user_id == tanjungpinang.id, Notification.kind.startswith("contribution_"))
        .order_by(Notification.id)).scalars().all()
    assert heard == ["contribution_accepted", "contribution_merged"]


def test_common_changes_link_the_two_forks_with_the_same_fix(three_forks, client):
    from catalog.worker import tasks

    _people, (f1, f2, f3), shas = three_forks
    assert client.get("/api/v1/apps/simanja/hotspots").json["common_changes"] == []  # not computed yet
    assert tasks.sweep_hotspots() == 1 and tasks.sweep_hotspots() == 0  # the worker's periodic job; then none due
    hot = client.get("/api/v1/apps/simanja/hotspots").json
    assert [c["forks"] for c in hot["common_changes"]] == [[f1.id, f2.id]]
    assert {x["sha"] for x in hot["common_changes"][0]["commits"]} == {shas[0], shas[1]}
    assert hot["files"][0] == {"path": "README.md", "forks": [f1.id, f2.id]}
    assert {"path": "src/batam.php", "forks": [f3.id]} in hot["files"]
    page = client.get("/apps/simanja/contributions").get_data(as_text=True)
    assert "2 daerah membuat perubahan yang sama" in page


def test_decline_closes_and_refuses_a_second_decision(three_forks, make_user, client, token_for):
    (tanjungpinang, _b, _c), (f1, _f2, _f3), _shas = three_forks
    publisher = make_user("publisher", "21")
    c = client.post(f"/api/v1/forks/{f1.id}/contributions", json={"title": "Coba"},
                    headers=token_for(tanjungpinang)).json
    r = client.post(f"/api/v1/contributions/{c['id']}/decline", json={"note": "Sudah diperbaiki dengan cara lain"},
                    headers=token_for(publisher))
    assert r.status_code == 200 and r.json["state"] == "declined"
    assert r.json["decision_note"] == "Sudah diperbaiki dengan cara lain"
    again = client.post(f"/api/v1/contributions/{c['id']}/accept", headers=token_for(publisher))
    assert again.status_code == 409
    assert db.session.execute(db.select(Notification).where(
        Notification.user_id == tanjungpinang.id, Notification.kind == "contribution_declined")).scalar_one()


def test_bad_input_is_refused_without_a_row(three_forks, client, token_for):
    (tanjungpinang, _b, _c), (f1, _f2, _f3), _shas = three_forks
    h = token_for(tanjungpinang)
    assert client.post(f"/api/v1/forks/{f1.id}/contributions", json={"title": ""}, headers=h).status_code == 422
    assert client.post(f"/api/v1/forks/{f1.id}/contributions", json={"title": "x", "commits": ["0" * 40]},
                       headers=h).status_code == 422
    assert client.post(f"/api/v1/forks/{f1.id}/contributions", json={"title": 5}, headers=h).status_code == 422
    assert client.get("/api/v1/apps/simanja/contributions").json["total"] == 0
    assert client.get("/api/v1/contributions/999999").status_code == 404


def test_pages_offer_review_and_accept(three_forks, make_user, client, login):
    """The fork page's button, the offer form (CSRF is on in production; the form carries the token),
    the publisher's review page with the diff and the region's reason, and the decision."""
    (tanjungpinang, _b, _c), (f1, _f2, _f3), shas = three_forks
    publisher = make_user("publisher", "21")
    login(tanjungpinang)
    client.post(f"/forks/{f1.id}/note", data={"note": "Sesuai Perwako No. 8/2022"})
    assert "Tawarkan perubahan ke induk" in client.get(f"/forks/{f1.id}").get_data(as_text=True)
    guide = client.get("/apps/simanja/adopsi").get_data(as_text=True)  # the guided flow's last entry
    assert "bagikan perbaikan Anda" in guide and f"/forks/{f1.id}/contributions/new" in guide
    form = client.get(f"/forks/{f1.id}/contributions/new").get_data(as_text=True)
    assert shas[0] in form and 'name="csrf_token"' in form
    r = client.post(f"/forks/{f1.id}/contributions", data={"title": "Pembulatan capaian", "commits": [shas[0]],
                                                          f"note-{shas[0]}": "Permintaan BKPSDM"})
    assert r.status_code == 302
    cid = int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    empty = client.post(f"/forks/{f1.id}/contributions", data={"title": ""})
    assert empty.status_code == 422 and "Wajib diisi." in empty.get_data(as_text=True)
    client.post("/logout")
    login(publisher)
    page = client.get(f"/contributions/{cid}").get_data(as_text=True)
    assert "Permintaan BKPSDM" in page and "+Perbaikan: rumus capaian" in page and "Terima" in page
    assert "Sesuai Perwako No. 8/2022" in page  # the fork's own reason note
    assert "Pembulatan capaian" in client.get("/apps/simanja/contributions?state=open").get_data(as_text=True)
    r = client.post(f"/contributions/{cid}/accept", data={"note": "Terima kasih"})
    assert r.status_code == 302
    assert client.get(f"/api/v1/contributions/{cid}").json["state"] == "accepted"
    client.post("/logout")
    login(tanjungpinang)
    assert client.post(f"/contributions/{cid}/decline", data={}).status_code == 403
    offers = client.get(f"/forks/{f1.id}").get_data(as_text=True)  # the fork page lists its offers with their state
    assert f'href="/contributions/{cid}">Pembulatan capaian</a>' in offers and "Diterima" in offers


def test_hotspots_stop_at_the_time_budget(three_forks, app):
    from catalog.services.repos import hotspots

    _people, (f1, _f2, _f3), _shas = three_forks
    row = hotspots.compute(f1.app_id, budget=0)
    assert row.partial and row.forks_scanned == 0 and row.common_changes == []
