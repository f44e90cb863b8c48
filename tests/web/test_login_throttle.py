"""Issue 13, finding 3: sign-in throttling slows guessing without locking anyone out.

Counters are per (account, address), plus a looser per-address slow-down; failures from one
address never refuse the right password from another. Time is moved by patching the clock."""
from __future__ import annotations

from datetime import timedelta

import pytest

from catalog import create_app
from catalog.extensions import db
from catalog.services.accounts import throttle
from tests.conftest import PASSWORD

ATTACKER, VICTIM = "203.0.113.7", "198.51.100.20"


def _login(client, email: str, password: str, address: str):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


@pytest.fixture
def clock(monkeypatch):
    """Move the throttle's clock forward without sleeping."""
    offset = [timedelta()]
    real = throttle.utcnow
    monkeypatch.setattr(throttle, "utcnow", lambda: real() + offset[0])
    return offset


def test_victim_signs_in_after_ten_failures_from_another_address(client, make_user):
    victim = make_user("publisher", "21")
    codes = [_login(client, victim.email, "tebakan-salah-1", ATTACKER).status_code for _ in range(10)]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}  # the attacker's pair is stopped
    r = _login(client, victim.email, PASSWORD, VICTIM)
    assert r.status_code == 302


def test_attacker_address_stays_locked_on_that_account_even_with_the_right_password(client, make_user):
    victim = make_user("publisher", "21")
    for _ in range(5):
        _login(client, victim.email, "tebakan-salah-1", ATTACKER)
    r = _login(client, victim.email, PASSWORD, ATTACKER)
    assert r.status_code == 429 and "Terlalu banyak percobaan" in r.get_data(as_text=True)


def test_fifty_made_up_emails_from_one_address_lock_no_real_account_elsewhere(client, make_user):
    real = make_user("adopter", "21.72")
    for i in range(50):
        assert _login(client, f"karangan{i}@contoh.go.id", "tebakan-salah-1", ATTACKER).status_code == 401
    assert _login(client, real.email, PASSWORD, VICTIM).status_code == 302


def test_a_busy_address_is_slowed_down_not_locked_out(client, make_user, clock):
    """An office behind one NAT address: after 50 failures each further try waits a few seconds."""
    colleague = make_user("adopter", "21.72")
    for i in range(50):
        _login(client, f"karangan{i}@contoh.go.id", "tebakan-salah-1", ATTACKER)
    r = _login(client, colleague.email, PASSWORD, ATTACKER)
    assert r.status_code == 429 and "detik" in r.get_data(as_text=True)
    clock[0] += throttle.ADDRESS_DELAY + timedelta(seconds=1)  # seconds, not the 15-minute window
    assert _login(client, colleague.email, PASSWORD, ATTACKER).status_code == 302


def test_pair_lock_ends_with_its_window(client, make_user, clock):
    user = make_user("adopter", "21.72")
    for _ in range(5):
        _login(client, user.email, "tebakan-salah-1", ATTACKER)
    assert _login(client, user.email, PASSWORD, ATTACKER).status_code == 429
    clock[0] += throttle.WINDOW + timedelta(seconds=1)
    assert _login(client, user.email, PASSWORD, ATTACKER).status_code == 302


def test_trusted_proxy_count_makes_forwarded_addresses_count(app, make_user):
    """Behind one proxy (CATALOG_TRUSTED_PROXIES=1) every request comes from the proxy's address;
    the forwarded client address is what the throttle counts, so one guesser locks no one else."""
    user = make_user("adopter", "21.72")
    proxied = create_app({**app.config, "TRUSTED_PROXIES": 1, "SQLALCHEMY_ENGINE_OPTIONS": {}})
    with proxied.app_context():
        client = proxied.test_client()

        def attempt(password: str, client_address: str):
            return client.post("/login", data={"email": user.email, "password": password},
                               environ_base={"REMOTE_ADDR": "127.0.0.1"},
                               headers={"X-Forwarded-For": client_address})

        for _ in range(6):
            attempt("tebakan-salah-1", ATTACKER)
        assert attempt(PASSWORD, ATTACKER).status_code == 429
        assert attempt(PASSWORD, VICTIM).status_code == 302
        db.engine.dispose()


def test_untrusted_forwarded_header_is_ignored(client, make_user):
    """Without a trusted proxy a client cannot pick a fresh address per guess."""
    user = make_user("adopter", "21.72")
    for i in range(5):
        client.post("/login", data={"email": user.email, "password": "tebakan-salah-1"},
                    headers={"X-Forwarded-For": f"10.9.9.{i}"})
    r = client.post("/login", data={"email": user.email, "password": PASSWORD},
                    headers={"X-Forwarded-For": "10.9.9.99"})
    assert r.status_code == 429


def test_a_hash_made_with_other_argon2_settings_is_upgraded_at_sign_in(app, client, make_user):
    """Accounts hashed with the library's heavier defaults move to the catalog's settings."""
    from argon2 import PasswordHasher

    from catalog.extensions import db
    from catalog.models import User
    from tests.conftest import PASSWORD

    user = make_user("adopter", "21.72")
    old = PasswordHasher(time_cost=1, memory_cost=2048, parallelism=2).hash(PASSWORD)
    db.session.get(User, user.id).password_hash = old
    db.session.commit()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    db.session.expire_all()
    upgraded = db.session.get(User, user.id).password_hash
    assert upgraded != old and "m=1024,t=1,p=1" in upgraded  # the test app's ARGON2_PARAMS
    assert client.post("/logout").status_code == 302
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
