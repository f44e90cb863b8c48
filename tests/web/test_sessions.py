"""Listed sessions: one row per sign-in on the account page (device, address, signed in, last
seen), each endable, all at once too; an ended row is a cookie that no longer works."""
from __future__ import annotations

from datetime import timedelta

from catalog.extensions import db
from catalog.models import UserSession
from catalog.services.accounts import users
from catalog.web.auth import SEEN_AT
from tests.conftest import PASSWORD, IsolatedClient

PHONE = ("Mozilla/5.0 (Linux; Android 13; SM-A536E) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/120.0.0.0 Mobile Safari/537.36")
LAPTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"


def sign_in(app, user, user_agent: str = LAPTOP, address: str = "203.0.113.7"):
    app.test_client_class = IsolatedClient  # each request in its own context, as in production
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD},
                           headers={"User-Agent": user_agent}, environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 302
    return client


def rows(user) -> list[UserSession]:
    db.session.expire_all()
    return list(db.session.execute(db.select(UserSession).where(UserSession.user_id == user.id)
                                   .order_by(UserSession.id)).scalars())


def works(client) -> bool:
    return client.get("/account/tokens").status_code == 200


def test_each_sign_in_is_listed_with_device_address_and_times(app, make_user):
    user = make_user("adopter", "21.72")
    laptop = sign_in(app, user)
    sign_in(app, user, PHONE, "198.51.100.9")
    page = laptop.get("/account/sessions").get_data(as_text=True)
    assert "Firefox 133 · Windows 10" in page and "203.0.113.7" in page
    assert "Chrome Mobile 120 · Android 13" in page and "198.51.100.9" in page
    assert page.count('class="badge">perangkat ini') == 1
    assert [r.method for r in rows(user)] == ["password", "password"]


def test_ending_another_session_stops_its_cookie_only(app, make_user):
    user = make_user("adopter", "21.72")
    laptop, phone = sign_in(app, user), sign_in(app, user, PHONE)
    phone_row = rows(user)[1]
    response = laptop.post(f"/account/sessions/{phone_row.id}/end")
    assert response.status_code == 302
    assert not works(phone) and works(laptop)
    assert "Chrome Mobile" not in laptop.get("/account/sessions").get_data(as_text=True)


def test_sign_out_everywhere_ends_every_listed_session(app, make_user):
    user = make_user("adopter", "21.72")
    laptop, phone = sign_in(app, user), sign_in(app, user, PHONE)
    laptop.post("/logout/all")
    assert not works(laptop) and not works(phone)
    assert all(r.ended_at is not None for r in rows(user))
    again = sign_in(app, user)
    assert again.get("/account/sessions").get_data(as_text=True).count("<tr><td") == 1


def test_sign_out_on_this_device_ends_its_row(app, make_user):
    user = make_user("adopter", "21.72")
    laptop, phone = sign_in(app, user), sign_in(app, user, PHONE)
    phone.post("/logout")
    assert rows(user)[1].ended_at is not None and rows(user)[0].ended_at is None
    assert "Chrome Mobile" not in laptop.get("/account/sessions").get_data(as_text=True)


def test_sessions_ended_by_a_version_bump_are_not_listed(app, make_user):
    """Deactivation and password changes end sessions through users.end_sessions: the rows agree."""
    user = make_user("adopter", "21.72")
    sign_in(app, user, PHONE)
    users.end_sessions(user)
    laptop = sign_in(app, user)
    assert "Chrome Mobile" not in laptop.get("/account/sessions").get_data(as_text=True)


def test_nobody_ends_another_persons_session(app, make_user):
    owner, other = make_user("adopter", "21.72"), make_user("adopter", "21.72")
    owners = sign_in(app, owner)
    response = sign_in(app, other).post(f"/account/sessions/{rows(owner)[0].id}/end")
    assert response.status_code == 404
    assert works(owners)


def test_ending_a_session_is_audited(app, make_user):
    from catalog.models import AuditEvent
    user = make_user("adopter", "21.72")
    laptop, _phone = sign_in(app, user), sign_in(app, user, PHONE)
    laptop.post(f"/account/sessions/{rows(user)[1].id}/end")
    actions = db.session.execute(db.select(AuditEvent.action)).scalars().all()
    assert "session.end" in actions


def test_last_seen_is_written_at_most_once_per_interval(app, make_user):
    user = make_user("adopter", "21.72")
    client = sign_in(app, user)
    row = rows(user)[0]
    older = row.last_seen_at - timedelta(hours=1)
    row.last_seen_at = older
    db.session.commit()
    for _request in range(3):  # inside the interval: no write
        assert works(client)
    assert rows(user)[0].last_seen_at == older
    with client.session_transaction() as sess:  # the interval has passed for this session
        sess[SEEN_AT] -= app.config["SESSION_SEEN_INTERVAL"]
    assert works(client)
    assert rows(user)[0].last_seen_at > older


def test_rows_of_long_expired_sessions_are_removed_at_the_next_sign_in(app, make_user):
    user = make_user("adopter", "21.72")
    sign_in(app, user)
    old = rows(user)[0]
    old.created_at, old_id = old.created_at - timedelta(seconds=3 * app.config["SESSION_MAX_AGE"]), old.id
    db.session.commit()
    sign_in(app, user, PHONE)
    assert [r.id for r in rows(user)] != [old_id] and len(rows(user)) == 1
