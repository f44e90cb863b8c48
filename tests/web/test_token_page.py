"""The tokens page (/account/tokens): scopes and expiry in the form and the list; the secret
is shown once, after a redirect, so that a reload makes no second token."""
from __future__ import annotations

from datetime import timedelta

from catalog.extensions import db
from catalog.models import AccessToken
from catalog.models.types import utcnow
from catalog.services.accounts import tokens


def _rows(user) -> list[AccessToken]:
    db.session.rollback()
    return list(db.session.execute(db.select(AccessToken).where(AccessToken.user_id == user.id)).scalars())


def test_form_offers_scopes_and_lifetimes_with_90_days_chosen(client, make_user, login):
    login(make_user("adopter", "21.72"))
    html = client.get("/account/tokens").get_data(as_text=True)
    assert 'name="scopes" value="git" checked' in html  # the common need: a password for git push
    for scope in ("read", "write"):
        assert f'name="scopes" value="{scope}">' in html  # not ticked: API rights only when asked for
    for days in (30, 90, 180, 365):
        assert f'<option value="{days}"' in html
    assert '<option value="90" selected>' in html


def test_create_redirects_and_a_reload_makes_no_second_token(client, make_user, login):
    user = make_user("adopter", "21.72")
    login(user)
    r = client.post("/account/tokens", data={"label": "laptop kantor", "scopes": ["git", "read"],
                                             "lifetime_days": "30"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/account/tokens")
    assert "kbp_" not in r.headers["Location"]
    [row] = _rows(user)
    assert row.scopes == "git,read"
    assert abs(row.expires_at - (utcnow() + timedelta(days=30))) < timedelta(minutes=5)

    shown = client.get("/account/tokens")
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    secret = html.split('<code class="token">')[1].split("</code>")[0]
    assert secret.startswith("kbp_") and tokens.user_for_token(secret).id == user.id

    reloaded = client.get("/account/tokens").get_data(as_text=True)  # the browser's reload after the redirect
    assert secret not in reloaded and "laptop kantor" in reloaded
    assert len(_rows(user)) == 1


def test_form_without_scope_is_refused_and_makes_nothing(client, make_user, login):
    user = make_user("adopter", "21.72")
    login(user)
    r = client.post("/account/tokens", data={"label": "tanpa cakupan", "lifetime_days": "180"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "sedikitnya satu cakupan" in html
    assert 'value="tanpa cakupan"' in html and '<option value="180" selected>' in html
    assert _rows(user) == []


def test_lifetime_outside_the_choices_is_refused(client, make_user, login):
    user = make_user("adopter", "21.72")
    login(user)
    r = client.post("/account/tokens", data={"label": "lama", "scopes": "git", "lifetime_days": "3650"})
    assert r.status_code == 400 and _rows(user) == []


def test_list_shows_scopes_expiry_and_marks_expired_tokens(client, make_user, login):
    user = make_user("adopter", "21.72")
    tokens.create_token(user, label="push laptop", actor=user, scopes=["git"], lifetime_days=90)
    old, _plain = tokens.create_token(user, label="skrip lama", actor=user, scopes=["read", "write"], lifetime_days=30)
    old.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    login(user)
    html = client.get("/account/tokens").get_data(as_text=True)
    rows = {label: html.split(label, 1)[1].split("</tr>", 1)[0] for label in ("push laptop", "skrip lama")}
    assert "<code>git</code>" in rows["push laptop"] and "Aktif" in rows["push laptop"]
    assert "<code>read</code>, <code>write</code>" in rows["skrip lama"] and "Kedaluwarsa" in rows["skrip lama"]
    expiry = utcnow() + timedelta(days=90)
    assert str(expiry.year) in rows["push laptop"]  # the date itself, in the page's format
    assert "Cabut" not in rows["skrip lama"]  # nothing left to revoke


def test_english_page_names_scopes_and_expiry(client, make_user, login):
    user = make_user("adopter", "21.72")
    tokens.create_token(user, label="push", actor=user, scopes=["git"])
    login(user)
    html = client.get("/account/tokens", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Scopes" in html and "Valid for" in html and "90 days" in html


def test_revoking_asks_once_more_and_says_what_stops_working(app, client, make_user, login):
    """Issue 15, item 6: revoking is final; the first click shows what stops working."""
    user = make_user("adopter", "21.72")
    row, _plain = tokens.create_token(user, label="pipeline CI", actor=user, scopes=["git"])
    login(user)
    first = client.post(f"/account/tokens/{row.id}/revoke")
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and "tidak dapat dibatalkan" in html and "pipeline CI" in html
    assert db.session.get(AccessToken, row.id).revoked_at is None
    assert client.post(f"/account/tokens/{row.id}/revoke", data={"confirmed": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(AccessToken, row.id).revoked_at is not None
    other = make_user("adopter", "21.72")
    theirs, _ = tokens.create_token(other, label="milik orang lain", actor=other, scopes=["git"])
    assert client.post(f"/account/tokens/{theirs.id}/revoke").status_code == 404
