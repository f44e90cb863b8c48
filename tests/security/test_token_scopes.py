"""Token scopes and expiry (issue 13, "Also") through the real entry points: `git push` over the
app's HTTP, and the JSON API with a bearer token."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from catalog.extensions import db
from catalog.models import AccessToken
from catalog.models.types import utcnow
from catalog.services.accounts import tokens
from catalog.services.errors import ValidationFailed
from catalog.services.repos import forks
from tests.repos.conftest import adopter, fork, published_app, source_repo, work  # noqa: F401  (fixtures)
from tests.repos.gitclient import git, with_token


def _token(user, *scopes: str, days: int = 90) -> str:
    return tokens.create_token(user, label="uji", actor=user, scopes=list(scopes), lifetime_days=days)[1]


def _expire(plain: str) -> None:
    row = db.session.execute(db.select(AccessToken).where(AccessToken.prefix == plain[:12])).scalar_one()
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()


def _bearer(plain: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {plain}"}


def _commit(work: Path, name: str) -> str:
    (work / name).write_text(f"<?php // {name}\n")
    git("add", ".", cwd=work)
    git("commit", "-m", f"Tambah {name}", cwd=work)
    return git("rev-parse", "HEAD", cwd=work).stdout.strip()


def _fork_head(fork_id: int) -> str | None:
    db.session.rollback()  # the live server committed in its own session
    return forks.get_fork(fork_id).fork_head


def test_git_token_pushes_but_cannot_write_through_the_api(fork, adopter, live_server, work, client):
    plain = _token(adopter, "git")
    head = _commit(work, "git-saja.php")
    git("push", with_token(f"{live_server}/git/{fork.relpath}", plain), "main", cwd=work)
    assert _fork_head(fork.id) == head

    r = client.post(f"/api/v1/forks/{fork.id}/refresh", headers=_bearer(plain))
    assert r.status_code == 403 and r.is_json
    body = r.get_json()
    assert body["error"] == "forbidden" and body["missing_scope"] == "write"
    assert "'write'" in body["message"] and "git" in body["token_scopes"]
    r = client.get("/api/v1/notifications", headers=_bearer(plain))  # nor read as its owner
    assert r.status_code == 403 and r.get_json()["missing_scope"] == "read"


def test_read_token_can_get_but_not_post(fork, adopter, client):
    plain = _token(adopter, "read")
    r = client.get("/api/v1/notifications", headers=_bearer(plain))
    assert r.status_code == 200 and "items" in r.get_json()
    r = client.post(f"/api/v1/forks/{fork.id}/refresh", headers=_bearer(plain))
    assert r.status_code == 403 and r.get_json()["missing_scope"] == "write"
    r = client.post("/api/v1/apps/simanja/forks", headers=_bearer(plain), json={"name": "lagi"})
    assert r.status_code == 403 and "'write'" in r.get_json()["message"]


def test_write_token_writes_and_reads(fork, adopter, client):
    plain = _token(adopter, "write")
    assert client.post(f"/api/v1/forks/{fork.id}/refresh", headers=_bearer(plain)).status_code == 200
    assert client.get("/api/v1/notifications", headers=_bearer(plain)).status_code == 200


def test_api_token_cannot_push(fork, adopter, live_server, work):
    plain = _token(adopter, "read", "write")
    _commit(work, "api-saja.php")
    refused = git("push", with_token(f"{live_server}/git/{fork.relpath}", plain), "main", cwd=work, check=False)
    assert refused.returncode != 0 and "403" in refused.stderr
    assert _fork_head(fork.id) == fork.fork_head


def test_expired_token_is_refused_by_git_and_api(fork, adopter, live_server, work, client):
    plain = _token(adopter, "git", "read", "write")
    _expire(plain)
    _commit(work, "kedaluwarsa.php")
    refused = git("push", with_token(f"{live_server}/git/{fork.relpath}", plain), "main", cwd=work, check=False)
    assert refused.returncode != 0 and "kedaluwarsa" in refused.stderr
    assert _fork_head(fork.id) == fork.fork_head
    for method, path in (("GET", "/api/v1/notifications"), ("POST", f"/api/v1/forks/{fork.id}/refresh")):
        r = client.open(path, method=method, headers=_bearer(plain))
        assert r.status_code == 401 and r.get_json()["error"] == "unauthenticated"
        assert "kedaluwarsa" in r.get_json()["message"] and r.get_json()["expired_at"]


def test_refusals_are_in_english_for_english_clients(fork, adopter, client):
    plain = _token(adopter, "git")
    r = client.post(f"/api/v1/forks/{fork.id}/refresh", headers={**_bearer(plain), "Accept-Language": "en"})
    assert r.status_code == 403 and "scope 'write'" in r.get_json()["message"]


def test_creation_needs_a_scope_and_a_bounded_lifetime(make_user):
    user = make_user("adopter", "21.72")
    with pytest.raises(ValidationFailed) as exc:
        tokens.create_token(user, label="x", actor=user, scopes=[])
    assert "scopes" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        tokens.create_token(user, label="x", actor=user, scopes=["admin"])
    assert "scopes" in exc.value.fields
    for days in (0, tokens.MAX_LIFETIME_DAYS + 1):
        with pytest.raises(ValidationFailed) as exc:
            tokens.create_token(user, label="x", actor=user, scopes=["git"], lifetime_days=days)
        assert "lifetime_days" in exc.value.fields
    row, _plain = tokens.create_token(user, label="x", actor=user, scopes=["write", "git"])
    assert row.scopes == "git,write"
    assert abs(row.expires_at - (utcnow() + timedelta(days=tokens.DEFAULT_LIFETIME_DAYS))) < timedelta(minutes=5)
