"""Invitations: an org admin invites through the page, a real e-mail arrives over SMTP, and its
one-time link (72 hours) sets the first password through the real pages."""
from __future__ import annotations

import socket
from datetime import timedelta

from catalog.extensions import db
from catalog.models import AccountLink, AuditEvent, User
from catalog.models.types import utcnow
from catalog.services.accounts import people, users
from tests.accounts.conftest import link_path
from tests.accounts.mailbox import smtp_url

NEW_PASSWORD = "bintan-laut-biru-2026"


def _invite(client, login, make_user, **form):
    org_admin = make_user("org_admin", "21.01")
    login(org_admin)
    data = {"email": "staf.ti@bintankab.go.id", "name": "Staf TI Bintan", "role": "adopter", **form}
    return org_admin, client.post("/admin/people", data=data)


def test_org_admin_invites_and_the_mail_arrives_in_indonesian(client, login, make_user, inbox):
    _admin, r = _invite(client, login, make_user)
    assert r.status_code == 303
    message = inbox.last_to("staf.ti@bintankab.go.id")
    assert message["Subject"] == "Undangan ke Katalog Bagi-Pakai"
    body = message.get_content()
    assert "Pengadopsi" in body and "Kabupaten Bintan" in body and "72 jam" in body
    assert link_path(message).startswith("/account/invitation/")


def test_the_mail_is_in_the_invitees_language(client, login, make_user, inbox):
    _invite(client, login, make_user, locale="en")
    message = inbox.last_to("staf.ti@bintankab.go.id")
    assert message["Subject"] == "Invitation to Katalog Bagi-Pakai"
    assert "within 72 hours" in message.get_content()


def test_following_the_link_sets_the_password_and_the_account_signs_in(client, login, make_user, inbox):
    _invite(client, login, make_user)
    client.post("/logout")
    path = link_path(inbox.last_to("staf.ti@bintankab.go.id"))
    page = client.get(path)
    assert page.status_code == 200 and "Staf TI Bintan" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    r = client.post(path, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert r.status_code == 303 and r.headers["Location"].endswith("/login")
    r = client.post("/login", data={"email": "staf.ti@bintankab.go.id", "password": NEW_PASSWORD})
    assert r.status_code == 302 and "/login" not in r.headers["Location"]


def test_an_invited_account_cannot_sign_in_before_accepting(client, login, make_user, inbox):
    _invite(client, login, make_user)
    client.post("/logout")
    assert users.authenticate("staf.ti@bintankab.go.id", "") is None
    assert users.authenticate("staf.ti@bintankab.go.id", NEW_PASSWORD) is None


def test_the_link_works_once(client, login, make_user, inbox):
    _invite(client, login, make_user)
    client.post("/logout")
    path = link_path(inbox.last_to("staf.ti@bintankab.go.id"))
    client.post(path, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    again = client.post(path, data={"password": "laut-biru-yang-lain-7", "password_confirm": "laut-biru-yang-lain-7"})
    assert again.status_code == 404 and "tidak berlaku lagi" in again.text
    assert users.authenticate("staf.ti@bintankab.go.id", NEW_PASSWORD) is not None


def test_the_link_expires_after_72_hours(client, login, make_user, inbox):
    _invite(client, login, make_user)
    client.post("/logout")
    path = link_path(inbox.last_to("staf.ti@bintankab.go.id"))
    link = db.session.execute(db.select(AccountLink)).scalar_one()
    assert timedelta(hours=71, minutes=59) < link.expires_at - link.created_at <= timedelta(hours=72)
    link.expires_at = utcnow() - timedelta(seconds=1)  # 72 hours went by
    db.session.commit()
    assert client.get(path).status_code == 404


def test_a_new_invitation_ends_the_earlier_link(client, login, make_user, inbox):
    org_admin, _r = _invite(client, login, make_user)
    first = link_path(inbox.last_to("staf.ti@bintankab.go.id"))
    invited = users.get_by_email("staf.ti@bintankab.go.id")
    assert client.post(f"/admin/people/{invited.id}/invitation").status_code == 303
    second = link_path(inbox.last_to("staf.ti@bintankab.go.id"))
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_a_weak_password_is_refused_and_the_link_stays_usable(client, login, make_user, inbox):
    _invite(client, login, make_user)
    client.post("/logout")
    path = link_path(inbox.last_to("staf.ti@bintankab.go.id"))
    r = client.post(path, data={"password": "password1234", "password_confirm": "password1234"})
    assert r.status_code == 422 and "terlalu umum" in r.text
    assert client.get(path).status_code == 200
    assert users.get_by_email("staf.ti@bintankab.go.id").password_hash == ""


def test_only_the_digest_of_the_link_is_stored(client, login, make_user, inbox):
    _invite(client, login, make_user)
    secret = link_path(inbox.last_to("staf.ti@bintankab.go.id")).rsplit("/", 1)[1]
    stored = db.session.execute(db.select(AccountLink.token_hash)).scalar_one()
    assert secret not in stored and len(stored) == 64


def test_invitation_and_acceptance_are_audit_events(client, login, make_user, inbox):
    org_admin, _r = _invite(client, login, make_user)
    client.post("/logout")
    path = link_path(inbox.last_to("staf.ti@bintankab.go.id"))
    client.post(path, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    actions = [e.action for e in db.session.execute(db.select(AuditEvent).order_by(AuditEvent.seq)).scalars()]
    assert actions[-3:] == ["user.invite", "user.invite_link", "user.invitation_accept"]


def test_without_smtp_no_link_is_made(app, make_user):
    org_admin = make_user("org_admin", "21.01")
    app.config["SMTP_URL"] = None
    user = people.invite(org_admin, email="x@bintankab.go.id", name="X", org_code=None, role="adopter")
    assert db.session.get(User, user.id).invitation_pending
    assert db.session.execute(db.select(AccountLink)).first() is None


def test_an_unreachable_mail_server_keeps_the_invitation_for_sending_again(app, client, token_for, make_user, inbox,
                                                                          smtp_server):
    headers = token_for(make_user("org_admin", "21.01"))
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        app.config["SMTP_URL"] = f"smtp://127.0.0.1:{closed.getsockname()[1]}"
    r = client.post("/api/v1/users", json={"email": "x@bintankab.go.id", "name": "X", "role": "adopter"},
                    headers=headers)
    assert r.status_code == 201 and inbox.to("x@bintankab.go.id") == []
    app.config["SMTP_URL"] = smtp_url(smtp_server)
    assert client.post(f"/api/v1/users/{r.json['id']}/invitation", headers=headers).status_code == 202
    assert link_path(inbox.last_to("x@bintankab.go.id")).startswith("/account/invitation/")
