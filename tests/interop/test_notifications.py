"""Notifications: fan-out to adopters, publishers and admins; read/unread pages; e-mail via SMTP."""
from __future__ import annotations

import pytest

import seed.demo as demo
from catalog.extensions import db
from catalog.models import Notification, User
from catalog.services.accounts import notifications, users
from catalog.services.catalog import apps
from catalog.services.deployments import lifecycle as deployments
from catalog.services.repos import forks, mirrors
from seed.demo_apps import DEMO_APPS
from tests.factories import app_payload
from tests.interop.conftest import commit_file, tag
from tests.interop.fake_smtp import FakeSmtp


def inbox(user: User, kind: str | None = None) -> list[Notification]:
    stmt = db.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.session.execute(stmt).scalars())


def test_publisher_hears_of_a_fork_but_the_forker_does_not(published_app, make_user, adopter):
    publisher = make_user("publisher", "21")
    other_org = make_user("publisher", "14")
    fork = forks.create_fork("simanja", actor=adopter)
    [note] = inbox(publisher)
    assert note.kind == "app_forked" and note.link == f"/forks/{fork.id}" and note.read_at is None
    assert "Kota Tanjung Pinang" in note.title
    assert inbox(adopter) == [] and inbox(other_org) == []


def test_admins_hear_of_a_submission(app, make_user):
    admin, second_admin = make_user("admin", "komdigi"), make_user("admin", "komdigi")
    publisher = make_user("publisher", "21")
    apps.create_app(app_payload(), actor=publisher)
    apps.submit_app("srikandi", actor=publisher)
    assert [n.kind for n in inbox(admin)] == [n.kind for n in inbox(second_admin)] == ["app_submitted"]
    assert inbox(admin)[0].link == "/admin/review" and inbox(publisher) == []


def test_publisher_hears_of_a_deployment(published_app, make_user, adopter):
    publisher = make_user("publisher", "21")
    dep = deployments.create_deployment({"environment": "production", "status": "pilot", "version": "v1.1.0",
                                         "hosting": "pdn"}, actor=adopter, app_slug="simanja")
    [note] = inbox(publisher, "app_deployed")  # create_deployment notified the app's publishers
    assert note.link == f"/deployments/{dep.id}" and "pilot" in note.body


def test_new_upstream_tag_reaches_fork_and_deployment_adopters(published_app, source_repo, make_user, adopter):
    fork = forks.create_fork("simanja", actor=adopter)
    user_only = make_user("adopter", "21.01")  # deploys upstream without a fork
    deployments.create_deployment({"environment": "production", "status": "production", "version": "v1.1.0",
                                   "hosting": "pdn"}, actor=user_only, app_slug="simanja")
    bystander = make_user("adopter", "63.09")
    commit_file(source_repo, "src/rilis.php", "<?php // rilis 1.3\n", "Siapkan rilis 1.3")
    tag(source_repo, "v1.3.0")
    mirrors.request_refresh("simanja", actor=make_user("admin", "komdigi"))
    [note] = inbox(adopter, "upstream_release")
    assert note.title == "Rilis baru Simanja: v1.3.0" and note.link == f"/forks/{fork.id}"
    [other] = inbox(user_only, "upstream_release")
    assert other.link == "/apps/simanja"
    assert inbox(bystander) == []
    mirrors.request_refresh("simanja", actor=make_user("admin", "komdigi"))  # nothing new: silence
    assert len(inbox(adopter, "upstream_release")) == 1


def test_upstream_commit_touching_files_the_fork_modified(published_app, source_repo, adopter, make_user):
    fork = forks.create_fork("simanja", actor=adopter)
    from catalog.services import repo_paths
    from seed.demo_repos import add_commits
    add_commits(repo_paths.absolute(fork.relpath), "main", [
        ("src/modul_1.php", "<?php // versi daerah\n", "Sesuaikan modul 1")], author="Staf TI")
    forks.record_push(fork.relpath, adopter.id)  # the hook's work: audit and divergence refresh
    colleague = make_user("adopter", adopter.organization.code)
    colleague.locale = "en"
    db.session.commit()
    commit_file(source_repo, "src/lain.php", "<?php // tidak menyentuh\n", "Berkas lain")
    mirrors.request_refresh("simanja", actor=make_user("admin", "komdigi"))
    assert inbox(adopter, "upstream_touch") == []
    commit_file(source_repo, "src/modul_1.php", "<?php // perbaikan induk\n", "Perbaiki modul 1")
    mirrors.request_refresh("simanja", actor=make_user("admin", "komdigi"))
    [note] = inbox(adopter, "upstream_touch")
    assert "src/modul_1.php" in note.body and note.link == f"/forks/{fork.id}"
    assert "mengubah 1 berkas yang juga diubah" in note.body
    [in_english] = inbox(colleague, "upstream_touch")  # made in the language of the colleague's account
    assert "change 1 file that was also changed in the copy" in in_english.body, in_english.body


def test_demo_fork_adopter_hears_of_a_new_upstream_tag(app, tmp_path, monkeypatch):
    """The issue's 'done when': Tanjung Pinang's demo copy of Simanja, a new tag upstream."""
    demo.seed_users()
    monkeypatch.setattr(demo, "DEMO_APPS", [s for s in DEMO_APPS if s["slug"] in ("simanja", "siap")])
    demo.seed_apps(tmp_path / "sources")
    demo.seed_forks()
    source = tmp_path / "sources" / "simanja.git"
    commit_file(source, "README.md", "# Simanja\n\nRilis 1.3 dengan laporan baru.\n", "Rilis 1.3")
    tag(source, "v1.3.0")
    admin = users.get_by_email("admin@katalog.go.id")
    mirrors.request_refresh("simanja", actor=admin)
    adopter = users.get_by_email("adopsi@tanjungpinangkota.go.id")
    kinds = [n.kind for n in inbox(adopter)]
    assert "upstream_release" in kinds
    assert "upstream_touch" in kinds  # the region rewrote README.md too
    assert inbox(users.get_by_email("adopsi@tabalongkab.go.id")) == []


def test_notification_pages_and_nav_count(published_app, make_user, adopter, login, client):
    publisher = make_user("publisher", "21")
    forks.create_fork("simanja", actor=adopter)
    forks.create_fork("simanja", actor=adopter, name="simanja-uji")
    login(publisher)
    html = client.get("/").get_data(as_text=True)
    assert 'Pemberitahuan <span class="badge">2' in html
    page = client.get("/notifications").get_data(as_text=True)
    assert page.count("Kota Tanjung Pinang menyalin Simanja") == 2 and "Tandai semua sudah dibaca" in page
    first, second = inbox(publisher)
    r = client.post(f"/notifications/{first.id}/read", data={"next": first.link})
    assert r.status_code == 302 and r.headers["Location"].endswith(first.link)
    assert 'Pemberitahuan <span class="badge">1' in client.get("/").get_data(as_text=True)
    unread = client.get("/notifications?filter=unread").get_data(as_text=True)
    assert unread.count("menyalin Simanja") == 1
    for typed in ("0", "-3", "dua"):  # not a page: the first
        first_page = client.get(f"/notifications?page={typed}")
        assert first_page.status_code == 200 and first_page.get_data(as_text=True).count("menyalin Simanja") == 2
    for typed in ("7", "99999999999999999999999"):  # past the end: an empty page, never an error
        past = client.get(f"/notifications?page={typed}")
        assert past.status_code == 200 and "menyalin Simanja" not in past.get_data(as_text=True), typed
    client.post("/notifications/read")
    assert notifications.unread_count(publisher) == 0
    assert 'class="badge"' not in client.get("/").get_data(as_text=True).split("</nav>")[0]


def test_others_notifications_cannot_be_touched(published_app, make_user, adopter, login, client):
    publisher = make_user("publisher", "21")
    forks.create_fork("simanja", actor=adopter)
    [note] = inbox(publisher)
    login(adopter)
    assert client.post(f"/notifications/{note.id}/read").status_code == 404
    client.post("/notifications/read")
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is None
    login(publisher)
    r = client.post(f"/notifications/{note.id}/read", data={"next": "//jahat.example"})
    assert r.status_code == 302 and not r.headers["Location"].startswith("//")


def test_email_sent_after_commit_when_smtp_is_configured(app, published_app, make_user, adopter):
    publisher = make_user("publisher", "21", email="penerbit@kepriprov.go.id")
    with FakeSmtp() as smtp:
        app.config.update(SMTP_URL=smtp.url, BASE_URL="https://katalog.example")
        forks.create_fork("simanja", actor=adopter)
    mail = {to[0]: msg for _sender, to, msg in smtp.messages}
    msg = mail["penerbit@kepriprov.go.id"]
    assert msg["Subject"] == "Kota Tanjung Pinang menyalin Simanja" and msg["From"] == "katalog@uji.go.id"
    assert "https://katalog.example/forks/" in msg.get_payload(decode=True).decode()
    db.session.expire_all()
    assert {n.email_state for n in inbox(publisher)} == {"sent"}


def test_unreachable_smtp_keeps_mail_pending_and_no_smtp_means_in_app_only(app, published_app, make_user, adopter):
    publisher = make_user("publisher", "21")
    forks.create_fork("simanja", actor=adopter)
    assert [n.email_state for n in inbox(publisher)] == [""]
    app.config["SMTP_URL"] = "smtp://127.0.0.1:9"  # nothing listens there
    forks.create_fork("simanja", actor=adopter, name="simanja-dua")
    db.session.expire_all()
    assert [n.email_state for n in inbox(publisher)] == ["", "pending"]


@pytest.mark.parametrize("url", ["http://mail.example", "smtp://"])
def test_bad_smtp_url_is_refused(url):
    from catalog.worker.mail import smtp_settings
    with pytest.raises(ValueError):
        smtp_settings(url)



def test_publishers_hear_when_their_entry_is_returned_and_when_published(app, make_user, client, login):
    """Issue 15, item 3: the review's outcome reaches the publishers, with the reviewer's note."""
    admin, publisher = make_user("admin", "komdigi"), make_user("publisher", "21")
    colleague = make_user("publisher", "21")
    other_org = make_user("publisher", "14")
    apps.create_app(app_payload(), actor=publisher)
    apps.submit_app("srikandi", actor=publisher)
    login(admin)
    returning = client.post("/admin/review/srikandi/return", data={"note": "Lengkapi kontak pemeliharaan."})
    assert returning.status_code == 302
    [returned] = inbox(colleague, "app_reviewed")
    assert "dikembalikan" in returned.title and "Lengkapi kontak pemeliharaan." in returned.body
    assert returned.link == "/apps/srikandi/edit" and inbox(admin, "app_reviewed") == [] and inbox(other_org) == []
    apps.submit_app("srikandi", actor=publisher)
    assert client.post("/admin/review/srikandi/publish", data={"note": ""}).status_code == 302
    published = inbox(publisher, "app_reviewed")[-1]
    assert "diterbitkan" in published.title and published.link == "/apps/srikandi"
    client.post("/logout")
    login(colleague)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Srikandi dikembalikan" in page and "Lengkapi kontak pemeliharaan." in page
