""""Lupa kata sandi": the same answer whether or not the address exists, a real e-mail with a
one-hour, single-use link, throttled per address and per client, and the API's 202."""
from __future__ import annotations

import re
from datetime import timedelta

from catalog.extensions import db
from catalog.models import AccountLink, AuditEvent
from catalog.models.types import utcnow
from catalog.services.accounts import reset_throttle, users
from tests.accounts.conftest import link_path
from tests.conftest import PASSWORD

NEW = "pantai-trikora-senja-9"


_CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="[^"]*"')


def _comparable(page: str, email: str) -> str:
    """The page with the address and the CSRF token (it carries a timestamp) taken out."""
    return _CSRF_TOKEN.sub("csrf", page.replace(email, "X"))


def _forgot(client, email: str, **kw):
    return client.post("/password/forgot", data={"email": email}, **kw)


def test_login_page_links_to_the_form(client):
    assert '/password/forgot"' in client.get("/login").text


def test_the_answer_is_the_same_for_known_and_unknown_addresses(client, make_user, inbox):
    user = make_user("adopter", "21.01", email="lupa@bintankab.go.id")
    known = _forgot(client, user.email, follow_redirects=True)
    unknown = _forgot(client, "tidak.ada@bintankab.go.id", follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert _comparable(known.text, user.email) == _comparable(unknown.text, "tidak.ada@bintankab.go.id")
    assert len(inbox.to(user.email)) == 1 and inbox.to("tidak.ada@bintankab.go.id") == []


def test_the_link_sets_a_new_password_and_ends_every_session(client, app, make_user, inbox):
    user = make_user("adopter", "21.01", email="lupa@bintankab.go.id")
    other_device = app.test_client()
    other_device.post("/login", data={"email": user.email, "password": PASSWORD})
    _forgot(client, user.email)
    message = inbox.last_to(user.email)
    assert message["Subject"] == "Atur ulang kata sandi Katalog Bagi-Pakai" and "1 jam" in message.get_content()
    path = link_path(message)
    assert client.post(path, data={"password": NEW, "password_confirm": NEW}).status_code == 303
    assert users.authenticate(user.email, NEW) is not None
    assert users.authenticate(user.email, PASSWORD) is None
    assert other_device.get("/account/tokens").status_code == 302  # signed out there


def test_the_link_works_once(client, make_user, inbox):
    user = make_user("adopter", "21.01", email="lupa@bintankab.go.id")
    _forgot(client, user.email)
    path = link_path(inbox.last_to(user.email))
    client.post(path, data={"password": NEW, "password_confirm": NEW})
    assert client.get(path).status_code == 404


def test_the_link_expires_after_one_hour(client, make_user, inbox):
    user = make_user("adopter", "21.01", email="lupa@bintankab.go.id")
    _forgot(client, user.email)
    path = link_path(inbox.last_to(user.email))
    link = db.session.execute(db.select(AccountLink)).scalar_one()
    assert link.expires_at - link.created_at == timedelta(hours=1)
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    r = client.post(path, data={"password": NEW, "password_confirm": NEW})
    assert r.status_code == 404 and users.authenticate(user.email, NEW) is None


def test_a_later_link_ends_the_earlier_one(client, make_user, inbox):
    user = make_user("adopter", "21.01", email="lupa@bintankab.go.id")
    _forgot(client, user.email)
    first = link_path(inbox.last_to(user.email))
    _forgot(client, user.email)
    second = link_path(inbox.last_to(user.email))
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200


def test_a_password_change_ends_open_links(client, login, make_user, inbox):
    user = make_user("adopter", "21.01", email="lupa@bintankab.go.id")
    _forgot(client, user.email)
    path = link_path(inbox.last_to(user.email))
    login(user)
    client.post("/account/password", data={"current_password": PASSWORD, "password": NEW, "password_confirm": NEW})
    assert client.get(path).status_code == 404


def test_a_deactivated_account_gets_no_mail(client, make_user, inbox):
    admin = make_user("admin", "komdigi")
    from catalog.services.accounts import people

    user = make_user("adopter", "21.01", email="lupa@bintankab.go.id")
    people.deactivate(admin, user.id)
    _forgot(client, user.email)
    assert inbox.to(user.email) == []


def test_requests_for_one_address_are_limited(client, make_user, inbox):
    user = make_user("adopter", "21.01", email="lupa@bintankab.go.id")
    answers = [_forgot(client, user.email).status_code for _ in range(reset_throttle.RESET_PER_EMAIL + 1)]
    assert answers == [303] * reset_throttle.RESET_PER_EMAIL + [429]
    assert len(inbox.to(user.email)) == reset_throttle.RESET_PER_EMAIL


def test_requests_from_one_client_are_limited(client, inbox):
    answers = [_forgot(client, f"orang{i}@bintankab.go.id").status_code
               for i in range(reset_throttle.RESET_PER_ADDRESS + 1)]
    assert answers[-1] == 429 and set(answers[:-1]) == {303}


def test_other_clients_are_not_limited_by_one(client, make_user, inbox):
    for i in range(reset_throttle.RESET_PER_ADDRESS):
        _forgot(client, f"orang{i}@bintankab.go.id")
    other = _forgot(client, "orang0@bintankab.go.id", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 303


def test_api_answers_202_for_known_and_unknown_addresses(client, make_user, inbox):
    user = make_user("adopter", "21.01", email="lupa@bintankab.go.id")
    known = client.post("/api/v1/password-reset", json={"email": user.email})
    unknown = client.post("/api/v1/password-reset", json={"email": "tidak.ada@bintankab.go.id"})
    assert known.status_code == unknown.status_code == 202 and known.json == unknown.json
    assert len(inbox.to(user.email)) == 1


def test_api_answers_202_past_the_limit_and_sends_nothing_more(client, make_user, inbox):
    user = make_user("adopter", "21.01", email="lupa@bintankab.go.id")
    codes = {client.post("/api/v1/password-reset", json={"email": user.email}).status_code
             for _ in range(reset_throttle.RESET_PER_EMAIL + 2)}
    assert codes == {202} and len(inbox.to(user.email)) == reset_throttle.RESET_PER_EMAIL


def test_api_refuses_a_body_without_an_email(client):
    r = client.post("/api/v1/password-reset", json={"email": 5})
    assert r.status_code == 422 and r.json["fields"]["email"]


def test_reset_is_an_audit_event(client, make_user, inbox):
    user = make_user("adopter", "21.01", email="lupa@bintankab.go.id")
    _forgot(client, user.email)
    client.post(link_path(inbox.last_to(user.email)), data={"password": NEW, "password_confirm": NEW})
    actions = [e.action for e in db.session.execute(db.select(AuditEvent).order_by(AuditEvent.seq)).scalars()]
    assert actions[-2:] == ["user.reset_link", "user.password_reset"]


def test_the_request_does_the_same_work_for_known_and_unknown_addresses(app, make_user):
    """The request only counts and queues; the worker looks the address up. Same SQL either way."""
    from sqlalchemy import event

    from catalog.jobs.queue import queue
    from catalog.services.accounts import passwords

    user = make_user("adopter", "21.01", email="lupa@bintankab.go.id")
    app.config["JOBS_IMMEDIATE"] = False  # a real queue in the data dir: the jobs wait for a worker
    statements: list[str] = []
    record = lambda _conn, _cursor, statement, *_rest: statements.append(statement)  # noqa: E731
    email = user.email  # read before measuring
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        passwords.request_reset(email, address="192.0.2.1")
        known = list(statements)
        statements.clear()
        passwords.request_reset("tidak.ada@bintankab.go.id", address="192.0.2.2")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert known == statements and not any("user_account" in s for s in known)
    assert queue(app).pending_count() == 2
