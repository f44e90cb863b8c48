"""Issue 13, finding 9: reading a repository for the registration form is a POST with a CSRF
token; a GET (a link, an <img>, a prefetch) only shows the form and never makes the server fetch."""
from __future__ import annotations

import re

import pytest

from catalog.extensions import db
from catalog.models import Mirror
from catalog.services.interop import imports
from tests.conftest import PASSWORD
from tests.interop.conftest import publiccode_text

REPO = "https://git.example.go.id/pemda/simanja.git"


def _token(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


@pytest.fixture
def fetches(app, monkeypatch):
    """Every server-side read of a repository, recorded instead of done."""
    seen: list[tuple] = []

    def peek(remote, *names, **kw):
        seen.append((remote, names))
        return publiccode_text().encode()

    monkeypatch.setattr(imports.vcs, "peek_file", peek)
    monkeypatch.setattr(imports.vcs, "check_remote_url", lambda url, **kw: url)
    return seen


@pytest.fixture
def signed_in(app, make_user):
    """A publisher signed in through the real form, with CSRF protection on."""
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    user = make_user("publisher", "21")
    r = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": _token(client, "/login")})
    assert r.status_code == 302
    return client


def _mirrors() -> int:
    db.session.rollback()
    return db.session.execute(db.select(db.func.count()).select_from(Mirror)).scalar_one()


def test_get_with_a_repository_address_shows_the_form_and_fetches_nothing(signed_in, fetches):
    before = _mirrors()
    r = signed_in.get("/apps/import", query_string={"import_repo_url": REPO})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert f'name="import_repo_url" type="url" value="{REPO}"' in html  # prefilled, for the person to confirm
    assert 'name="name" type="text" value="Simanja"' not in html      # nothing was read
    assert fetches == [] and _mirrors() == before


def test_post_without_csrf_token_is_refused_before_any_fetch(signed_in, fetches):
    r = signed_in.post("/apps/import", data={"import_repo_url": REPO})
    assert r.status_code == 400
    assert fetches == []


def test_post_with_csrf_token_reads_the_repository(signed_in, fetches):
    token = _token(signed_in, "/apps/new")
    r = signed_in.post("/apps/import", data={"import_repo_url": REPO, "csrf_token": token})
    assert r.status_code in (200, 422)  # the demo file lacks some keys: named, not refused
    assert 'name="name" type="text" value="Simanja"' in r.get_data(as_text=True)
    assert len(fetches) == 1
