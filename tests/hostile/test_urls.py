"""Hostile repository addresses, one table run three ways — the registration form, the JSON API
and the service called directly — then the addresses that pass the form but are refused before
any git runs (mirror job). A password in an address is never stored, echoed or logged."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from catalog.extensions import db
from catalog.models import App, AuditEvent
from catalog.services.catalog import apps
from catalog.services.errors import ValidationFailed
from catalog.services.repos import mirrors
from tests.factories import app_payload
from tests.hostile.conftest import fake_dns, upstream_leftovers
from tests.hostile.trees import snapshot

SECRET = "S3cr3t-Sandi-Uji"
MARKER = "/tmp/katalog-uji-pwned"  # what an ext:: or --upload-pack payload would create

REFUSED_AT_INPUT = [
    pytest.param("ext::sh -c touch% " + MARKER, id="ext-transport"),
    pytest.param("ext::sh -c 'touch " + MARKER + "'", id="ext-quoted"),
    pytest.param("fd::17", id="fd-transport"),
    pytest.param("file:///etc/passwd", id="file-url"),
    pytest.param("file:///etc", id="file-dir"),
    pytest.param("file://localhost/etc", id="file-localhost"),
    pytest.param("/etc", id="absolute-path"),
    pytest.param("/etc/passwd", id="absolute-file"),
    pytest.param("../../etc", id="relative-path"),
    pytest.param("etc/passwd", id="plain-relative"),
    pytest.param("~/.ssh", id="home-path"),
    pytest.param("--upload-pack=touch " + MARKER, id="upload-pack-option"),
    pytest.param("--upload-pack=touch%20" + MARKER, id="upload-pack-nospace"),
    pytest.param("-uhttps://git.pemda.go.id/x.git", id="short-option"),
    pytest.param("ssh://127.0.0.1/repo.git", id="ssh"),
    pytest.param("git@127.0.0.1:repo.git", id="scp-like"),
    pytest.param("git://127.0.0.1/repo.git", id="git-protocol"),
    pytest.param("http://git.pemda.go.id/repo.git", id="plain-http"),
    pytest.param("ftp://git.pemda.go.id/repo.git", id="ftp"),
    pytest.param("javascript:alert(1)", id="javascript"),
    pytest.param("https://git.pemda.go.id/x\r.git", id="cr"),
    pytest.param("https://git.pemda.go.id/x\n.git", id="lf"),
    pytest.param("https://git.pemda.go.id/x.git\r\nHost: evil.example", id="crlf-header"),
    pytest.param("https://git.pemda.go.id/x\x00.git", id="nul"),
    pytest.param("https://git.pemda.go.id/\tx.git", id="tab"),
    pytest.param("https://git.pemda.go.id/x .git", id="space"),
    pytest.param("https:///x.git", id="no-host"),
    pytest.param(f"https://budi:{SECRET}@git.pemda.go.id/x.git", id="user-password"),
    pytest.param(f"https://{SECRET}@git.pemda.go.id/x.git", id="token-as-user"),
    pytest.param(f"https://:{SECRET}@git.pemda.go.id/x.git", id="password-only"),
    pytest.param(f"https://budi:{SECRET}@127.0.0.1/x.git", id="password-loopback"),
    pytest.param(f"http://budi:{SECRET}@git.pemda.go.id/x.git", id="password-http"),
]


def _stored_text() -> str:
    """Every app row and audit event as text: where a refused address must not appear."""
    rows = db.session.execute(db.select(App)).scalars().all()
    events = db.session.execute(db.select(AuditEvent)).scalars().all()
    return repr([(a.slug, a.repo_url) for a in rows]) + repr([(e.action, e.data) for e in events])


@pytest.fixture
def strict(app, caplog):
    """No local repositories, no real DNS; capture every log record of the catalog."""
    app.config.update(ALLOW_LOCAL_REPOS=False, DNS_RESOLVER=fake_dns({}))
    caplog.set_level(logging.DEBUG)
    before = snapshot(Path(app.config["DATA_DIR"]))
    yield
    assert not Path(MARKER).exists()
    assert _apps() == []
    assert upstream_leftovers(app) == []
    created = snapshot(Path(app.config["DATA_DIR"])) - before
    assert not [p for p in created if p.startswith(("repos", "incoming"))], created
    stored = _stored_text()
    assert SECRET not in stored and MARKER not in stored
    assert SECRET not in caplog.text


def _apps() -> list[str]:
    db.session.rollback()
    return list(db.session.execute(db.select(App.slug)).scalars())


def _form(url: str) -> dict:
    data = app_payload(repo_url=url, slug="uji-alamat")
    data["features"] = "\n".join(data["features"])
    data["tags"] = ", ".join(data["tags"])
    data["maintenance_contacts"] = "Tim Srikandi <srikandi@anri.go.id>"
    return data


@pytest.mark.parametrize("url", REFUSED_AT_INPUT)
def test_refused_by_the_service(strict, people, url):
    with pytest.raises(ValidationFailed) as err:
        apps.create_app(app_payload(repo_url=url, slug="uji-alamat"), actor=people["publisher"])
    assert "repo_url" in err.value.fields
    assert SECRET not in err.value.message + repr(err.value.fields)


@pytest.mark.parametrize("url", REFUSED_AT_INPUT)
def test_refused_by_the_api(strict, people, client, token_for, url):
    body = app_payload(repo_url=url, slug="uji-alamat")
    r = client.post("/api/v1/apps", json=body, headers=token_for(people["publisher"]))
    assert r.status_code == 422, r.json
    assert r.json["error"] == "invalid" and "repo_url" in r.json["fields"]
    assert SECRET not in r.get_data(as_text=True)


@pytest.mark.parametrize("url", REFUSED_AT_INPUT)
def test_refused_by_the_form(strict, people, client, login, url):
    login(people["publisher"])
    r = client.post("/apps/new", data=_form(url))
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert 'id="f-repo_url"' in page or "repo_url" in page  # the form is shown again with the error
    assert SECRET not in page  # nor in the flashed message, which is part of the page


@pytest.mark.parametrize("url", [p for p in REFUSED_AT_INPUT if "budi" in p.values[0] or "@" in p.values[0]])
def test_password_never_echoed_when_editing(strict, people, client, login, url):
    """The edit form and the import form give the refused address back without its password."""
    app_row = apps.create_app(app_payload(slug="uji-edit", repo_url="https://git.pemda.go.id/x.git"),
                              actor=people["publisher"])
    login(people["publisher"])
    r = client.post(f"/apps/{app_row.slug}/edit", data=_form(url) | {"slug": "uji-edit"})
    assert r.status_code == 422 and SECRET not in r.get_data(as_text=True)
    r = client.post("/apps/import", data={"import_repo_url": url})
    assert r.status_code == 422 and SECRET not in r.get_data(as_text=True)
    r = client.patch("/api/v1/apps/uji-edit", json={"repo_url": url},
                     headers={"Authorization": "Bearer x"})  # a bad token is refused first
    assert SECRET not in r.get_data(as_text=True)
    assert apps.get_app("uji-edit", people["publisher"]).repo_url == "https://git.pemda.go.id/x.git"
    db.session.delete(apps.get_app("uji-edit", people["publisher"]))  # `strict` expects no apps
    db.session.commit()


# Addresses the form accepts (https, a host name) that the mirror job refuses before git runs.
REFUSED_BEFORE_GIT = [
    pytest.param("https://127.0.0.1/x.git", "internal", id="loopback-literal"),
    pytest.param("https://localhost/x.git", "internal", id="localhost"),
    pytest.param("https://0x7f.1/x.git", "internal", id="hex-loopback"),
    pytest.param("https://2130706433/x.git", "internal", id="decimal-loopback"),
    pytest.param("https://0177.0.0.1/x.git", "internal", id="octal-loopback"),
    pytest.param("https://[::ffff:127.0.0.1]/x.git", "internal", id="mapped-loopback"),
    pytest.param("https://169.254.169.254/latest/meta-data", "internal", id="metadata"),
    pytest.param("https://git.internal.go.id/x.git", "internal", id="name-to-private"),
    pytest.param("https://git.cgnat.go.id/x.git", "internal", id="name-to-cgnat"),
    pytest.param("https://git.tidak-ada.go.id/x.git", "tidak dapat ditemukan", id="unresolvable"),
    pytest.param("https://git.pemda.go.id:99999/x.git", "port", id="bad-port"),
    pytest.param("https://git.pemda.go.id/x.git#--upload-pack=touch", "tidak valid", id="fragment"),
    pytest.param("https://git.pemda.go.id/x.git?--upload-pack=touch", "tidak valid", id="query"),
    pytest.param("https://git.pemda.go.id%2f@evil/x.git", "", id="encoded-netloc"),
]


@pytest.mark.parametrize("url, reason", REFUSED_BEFORE_GIT)
def test_refused_by_the_mirror_job_before_any_fetch(app, people, url, reason, caplog):
    asked: list[str] = []
    app.config.update(ALLOW_LOCAL_REPOS=False, DNS_RESOLVER=fake_dns(
        {"git.internal.go.id": ["10.0.0.7"], "git.cgnat.go.id": ["100.64.1.1"], "localhost": ["127.0.0.1", "::1"],
         "git.pemda.go.id": ["93.184.216.34"]}, asked))
    caplog.set_level(logging.DEBUG)
    try:
        apps.create_app(app_payload(repo_url=url, slug="uji-alamat"), actor=people["publisher"])
    except ValidationFailed:
        assert "@" in url or reason in ("", "internal")  # refused even earlier, at save: fine too
        return
    apps.submit_app("uji-alamat", actor=people["publisher"])
    row = apps.publish_app("uji-alamat", actor=people["admin"])
    mirror = mirrors.get_mirror(row)
    assert mirror.state == "failed" and mirror.head is None
    assert reason.lower() in mirror.error.lower()
    assert upstream_leftovers(app) == []
    assert all(host in ("git.internal.go.id", "git.cgnat.go.id", "git.tidak-ada.go.id", "localhost")
               for host in asked)  # numeric hosts are judged without asking DNS
    assert not Path(MARKER).exists()


def test_local_path_needs_the_admin_setting_and_an_admin(app, people, tmp_path):
    """`/etc` is a path only an admin may register, and only with ALLOW_LOCAL_REPOS; even then it
    is cloned as a repository (which /etc is not), never read as files."""
    app.config["ALLOW_LOCAL_REPOS"] = True
    with pytest.raises(ValidationFailed):
        apps.create_app(app_payload(repo_url="/etc", slug="uji-lokal"), actor=people["publisher"])
    apps.create_app(app_payload(repo_url="/etc", slug="uji-lokal"), actor=people["admin"], org_code="21")
    apps.submit_app("uji-lokal", actor=people["publisher"])
    row = apps.publish_app("uji-lokal", actor=people["admin"])
    mirror = mirrors.get_mirror(row)
    assert mirror.state == "failed" and mirror.head is None
    assert upstream_leftovers(app) == []
