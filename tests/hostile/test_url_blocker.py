"""Issue 13, finding 7: internal repository addresses are refused when saved, not only at fetch.

A publisher could PATCH repo_url=https://127.0.0.1:5443/x.git with CATALOG_ALLOW_LOCAL_REPOS=1 (on in
`make run`) and the mirror job connected to loopback. Now the address is checked like GitLab's URL
blocker at creation: IP literals in non-public ranges, `localhost`, and names the configured resolver
maps to internal addresses are refused with a field error; nothing is saved and no fetch is queued.
Local repositories stay possible for an admin with ALLOW_LOCAL_REPOS only. DNS is always mocked."""
from __future__ import annotations

import threading
import time

import pytest

from catalog.extensions import db
from catalog.models import App
from catalog.services.catalog import apps, fields, mirror_requests
from catalog.services.repos import mirrors
from tests.factories import app_payload
from tests.hostile.conftest import fake_dns

PUBLIC_IP = "93.184.216.34"
DNS = {"internal.example": ["192.168.1.10"], "git.publik.example": [PUBLIC_IP],
       "campur.example": [PUBLIC_IP, "10.1.2.3"], "localhost": ["127.0.0.1", "::1"]}

INTERNAL = [
    pytest.param("https://127.0.0.1:5443/x.git", id="loopback-port"),
    pytest.param("https://[::1]/x.git", id="ipv6-loopback"),
    pytest.param("https://10.0.0.5/x.git", id="private-10"),
    pytest.param("https://localhost/x.git", id="localhost"),
    pytest.param("https://git.localhost/x.git", id="sub-localhost"),
    pytest.param("https://internal.example/x.git", id="name-to-192.168"),
    pytest.param("https://campur.example/x.git", id="name-to-public-and-private"),
    pytest.param("https://100.64.0.1/x.git", id="cgnat"),
    pytest.param("https://169.254.169.254/x.git", id="link-local"),
    pytest.param("https://[fd00::1]/x.git", id="unique-local-v6"),
    pytest.param("https://[::ffff:127.0.0.1]/x.git", id="mapped-v4"),
    pytest.param("https://0.0.0.0/x.git", id="unspecified"),
    pytest.param("https://224.0.0.1/x.git", id="multicast"),
    pytest.param("https://240.0.0.1/x.git", id="reserved"),
    pytest.param("https://2130706433/x.git", id="decimal-loopback"),
]
ORIGINAL = "/srv/tidak-ada/uji.git"  # an admin-registered local path (the mirror job just fails)


@pytest.fixture
def blocker(app, monkeypatch):
    """ALLOW_LOCAL_REPOS on, as in `make run`; a mocked resolver; fetches recorded, never run."""
    asked: list[str] = []
    queued: list[int] = []
    app.config.update(ALLOW_LOCAL_REPOS=True, DNS_RESOLVER=fake_dns(DNS, asked))
    monkeypatch.setattr(mirror_requests, "queue_fetch", lambda app_id, *a, **k: queued.append(app_id))
    return {"asked": asked, "queued": queued}


@pytest.fixture
def published(people, blocker):
    """A published entry of the publisher's organization, its address registered by the admin."""
    apps.create_app(app_payload(slug="uji-blokir", repo_url=ORIGINAL), actor=people["admin"], org_code="21")
    apps.submit_app("uji-blokir", actor=people["publisher"])
    apps.publish_app("uji-blokir", actor=people["admin"])
    blocker["queued"].clear()
    return "uji-blokir"


def _stored(slug: str) -> str | None:
    db.session.rollback()
    return db.session.execute(db.select(App.repo_url).where(App.slug == slug)).scalar_one_or_none()


def _form(url: str, slug: str) -> dict:
    data = app_payload(repo_url=url, slug=slug)
    data["features"] = "\n".join(data["features"])
    data["tags"] = ", ".join(data["tags"])
    data["maintenance_contacts"] = "Tim Srikandi <srikandi@anri.go.id>"
    return data


@pytest.mark.parametrize("url", INTERNAL)
def test_publisher_api_patch_to_internal_address_refused(blocker, published, people, client, token_for, url):
    r = client.patch(f"/api/v1/apps/{published}", json={"repo_url": url}, headers=token_for(people["publisher"]))
    assert r.status_code == 422, r.json
    assert r.json["error"] == "invalid"
    assert "jaringan internal" in r.json["fields"]["repo_url"]
    assert _stored(published) == ORIGINAL
    assert blocker["queued"] == []


@pytest.mark.parametrize("url", INTERNAL)
def test_publisher_api_create_with_internal_address_refused(blocker, people, client, token_for, url):
    r = client.post("/api/v1/apps", json=app_payload(repo_url=url, slug="uji-baru"),
                    headers=token_for(people["publisher"]))
    assert r.status_code == 422, r.json
    assert "jaringan internal" in r.json["fields"]["repo_url"]
    assert _stored("uji-baru") is None
    assert blocker["queued"] == []


@pytest.mark.parametrize("url", ["https://127.0.0.1:5443/x.git", "https://localhost/x.git",
                                 "https://internal.example/x.git"])
def test_publisher_form_refuses_internal_address(blocker, published, people, client, login, url):
    login(people["publisher"])
    r = client.post("/apps/new", data=_form(url, "uji-formulir"))
    assert r.status_code == 422
    assert "jaringan internal" in r.get_data(as_text=True)
    assert _stored("uji-formulir") is None
    r = client.post(f"/apps/{published}/edit", data=_form(url, published))
    assert r.status_code == 422
    assert "jaringan internal" in r.get_data(as_text=True)
    assert _stored(published) == ORIGINAL
    assert blocker["queued"] == []


def test_public_name_is_accepted(blocker, published, people, client, token_for):
    r = client.post("/api/v1/apps", json=app_payload(repo_url="https://git.publik.example/baru.git",
                                                     slug="uji-publik"), headers=token_for(people["publisher"]))
    assert r.status_code == 201, r.json
    assert _stored("uji-publik") == "https://git.publik.example/baru.git"
    assert "git.publik.example" in blocker["asked"]


def test_unresolvable_name_is_left_to_the_mirror_job(blocker, people, client, token_for):
    """Offline or slow DNS does not block a save; the fetch checks every address again."""
    r = client.post("/api/v1/apps", json=app_payload(repo_url="https://belum-ada.example/x.git",
                                                     slug="uji-belum"), headers=token_for(people["publisher"]))
    assert r.status_code == 201, r.json


def test_slow_resolver_is_bounded(app, people, monkeypatch):
    """A resolver that hangs does not hold the save: after the bound the name counts as unresolved."""
    release = threading.Event()

    def hanging(host, port, *args, **kwargs):
        release.wait(5)
        raise OSError("late")
    monkeypatch.setattr(fields, "RESOLVE_TIMEOUT", 0.2)
    app.config.update(DNS_RESOLVER=hanging)
    started = time.monotonic()
    try:
        row = apps.create_app(app_payload(repo_url="https://lambat.example/x.git", slug="uji-lambat"),
                              actor=people["publisher"])
    finally:
        release.set()
    assert time.monotonic() - started < 4
    assert row.repo_url == "https://lambat.example/x.git"


def test_admin_with_allow_local_registers_local_path_and_loopback(blocker, people, client, token_for, tmp_path):
    admin = token_for(people["admin"])
    r = client.post("/api/v1/apps", json=app_payload(repo_url=str(tmp_path), slug="uji-lokal") | {"org": "21"},
                    headers=admin)
    assert r.status_code == 201, r.json
    assert _stored("uji-lokal") == str(tmp_path)
    r = client.patch("/api/v1/apps/uji-lokal", json={"repo_url": "https://127.0.0.1:5443/x.git"}, headers=admin)
    assert r.status_code == 200, r.json
    r = client.patch("/api/v1/apps/uji-lokal", json={"repo_url": "https://10.0.0.5/x.git"}, headers=admin)
    assert r.status_code == 422  # loopback only: a private network is refused even for an admin


def test_admin_without_allow_local_cannot_register_loopback(blocker, app, people, client, token_for):
    app.config["ALLOW_LOCAL_REPOS"] = False
    r = client.post("/api/v1/apps", json=app_payload(repo_url="https://127.0.0.1/x.git", slug="uji-admin")
                    | {"org": "21"}, headers=token_for(people["admin"]))
    assert r.status_code == 422
    assert _stored("uji-admin") is None


def test_publisher_with_allow_local_cannot_register_local_path(blocker, people, client, token_for, tmp_path):
    r = client.post("/api/v1/apps", json=app_payload(repo_url=str(tmp_path), slug="uji-jalur"),
                    headers=token_for(people["publisher"]))
    assert r.status_code == 422
    assert "repo_url" in r.json["fields"]
    assert _stored("uji-jalur") is None


def test_publisher_keeps_the_admin_registered_address_when_editing_other_fields(blocker, published, people,
                                                                               client, token_for):
    r = client.patch(f"/api/v1/apps/{published}", json={"name": "Srikandi Baru"},
                     headers=token_for(people["publisher"]))
    assert r.status_code == 200, r.json
    assert _stored(published) == ORIGINAL


def test_fetch_time_check_still_refuses_a_name_that_moved_inside(app, people):
    """DNS can change between save and fetch: the mirror job checks again before git runs."""
    table = {"git.pindah.example": [PUBLIC_IP]}
    app.config.update(ALLOW_LOCAL_REPOS=False, DNS_RESOLVER=fake_dns(table))
    apps.create_app(app_payload(repo_url="https://git.pindah.example/x.git", slug="uji-pindah"),
                    actor=people["publisher"])
    apps.submit_app("uji-pindah", actor=people["publisher"])
    table["git.pindah.example"] = ["10.0.0.5"]
    row = apps.publish_app("uji-pindah", actor=people["admin"])
    mirror = mirrors.get_mirror(row)
    assert mirror.state == "failed" and "internal" in mirror.error.lower()


def test_dns_rebinding_reaches_loopback_only_for_the_address_an_admin_saved(app, git_server, people):
    """With CATALOG_ALLOW_LOCAL_REPOS on (as in `make run`), a publisher's name that resolved to a
    public address when saved and to loopback at fetch time used to be fetched. Now the fetch
    reaches loopback only for the exact address an admin registered (app.local_repo_url)."""
    from tests.hostile.servers import HOST_NAME
    from tests.hostile.test_transfers import _small_repo

    _small_repo(git_server.root)
    url = git_server.url("serve", "kecil.git")
    table = {HOST_NAME: [PUBLIC_IP]}
    app.config["DNS_RESOLVER"] = fake_dns(table)
    publisher, admin = people["publisher"], people["admin"]
    apps.create_app(app_payload(slug="rebind", repo_url=url), actor=publisher)
    apps.submit_app("rebind", actor=publisher)
    table[HOST_NAME] = ["127.0.0.1"]  # the name moves to loopback after the save
    mirror = mirrors.get_mirror(apps.publish_app("rebind", actor=admin))
    assert mirror.state == "failed" and "jaringan internal" in mirror.error
    assert not git_server.requests

    apps.create_app(app_payload(slug="resmi", repo_url=url), actor=admin, org_code="21")  # typed by an admin
    apps.submit_app("resmi", actor=publisher)
    assert mirrors.get_mirror(apps.publish_app("resmi", actor=admin)).state == "ready" and git_server.requests

    seen = len(git_server.requests)
    table[HOST_NAME] = [PUBLIC_IP]  # the same trick by the publisher on the admin's entry
    apps.update_app("resmi", {"repo_url": url.replace("kecil", "lain")}, actor=publisher)
    assert db.session.execute(db.select(App.local_repo_url).where(App.slug == "resmi")).scalar() == ""
    table[HOST_NAME] = ["127.0.0.1"]
    mirrors.request_refresh("resmi", actor=admin)
    assert "jaringan internal" in mirrors.get_mirror_by_slug("resmi").error
    assert len(git_server.requests) == seen
