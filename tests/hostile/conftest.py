"""Fixtures for hostile-input tests: loopback HTTPS git server, fake DNS, publishing helpers."""
from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

from catalog.services.catalog import apps
from catalog.services.repos import forks, mirrors
from tests.factories import app_payload
from tests.hostile.servers import HOST_NAME, GitHttpsServer, make_certificate
from tests.repos.conftest import published_app, source_repo  # noqa: F401  (shared fixtures)

GIT_ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_TERMINAL_PROMPT": "0",
           "GIT_AUTHOR_NAME": "Staf TI", "GIT_AUTHOR_EMAIL": "ti@tanjungpinangkota.go.id",
           "GIT_COMMITTER_NAME": "Staf TI", "GIT_COMMITTER_EMAIL": "ti@tanjungpinangkota.go.id"}


def client_git(*args, cwd=None, check=True, timeout=120):
    """The test's own git client (a region's laptop), not the catalog's."""
    return subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, capture_output=True, text=True,
                          check=check, timeout=timeout)


def fake_dns(table, calls: list | None = None):
    """A resolver answering only from `table`; records every name asked for in `calls`."""
    def resolve(host, port, *args, **kwargs):
        if calls is not None:
            calls.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "unknown")
        return [(socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port or 443))
                for ip in table[host]]
    return resolve


@pytest.fixture
def people(make_user):
    """The admin, a publisher of Provinsi Kepulauan Riau and an adopter of Kota Tanjung Pinang."""
    return {"admin": make_user("admin", "komdigi"), "publisher": make_user("publisher", "21"),
            "adopter": make_user("adopter", "21.72")}


@pytest.fixture
def publish(people):
    """Register, submit and publish an app; the mirror job runs inline (JOBS_IMMEDIATE)."""
    def do(repo_url: str, slug: str = "uji-aplikasi"):
        admin = people["admin"]  # only an admin may name a local path (ALLOW_LOCAL_REPOS in tests)
        apps.create_app(app_payload(name=f"Aplikasi {slug}", slug=slug, repo_url=str(repo_url)),
                        actor=admin, org_code="21")
        apps.submit_app(slug, actor=people["publisher"])
        row = apps.publish_app(slug, actor=admin)
        return row, mirrors.get_mirror(row)
    return do


@pytest.fixture
def fork_of(people):
    def do(slug: str, name: str | None = None):
        return forks.create_fork(slug, actor=people["adopter"], name=name)
    return do


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory):
    cert = make_certificate(tmp_path_factory.mktemp("tls"))
    if cert is None:
        pytest.skip("openssl is not available to make a test certificate")
    return cert


@pytest.fixture
def git_server(app, tls_cert, tmp_path, monkeypatch):
    """An HTTPS git server on 127.0.0.1 whose name resolves only through the test's fake DNS;
    the catalog's git trusts its certificate through GIT_SSL_CAINFO (the one setting let in)."""
    root = tmp_path / "remote"
    root.mkdir()
    monkeypatch.setenv("GIT_SSL_CAINFO", str(tls_cert[0]))
    app.config["DNS_RESOLVER"] = fake_dns({HOST_NAME: ["127.0.0.1"]})
    app.config["ALLOW_LOCAL_REPOS"] = True  # loopback remotes are allowed only with this setting
    with GitHttpsServer(root, tls_cert) as server:
        yield server


def upstream_leftovers(app) -> list[str]:
    """Everything under the data dir's upstream mirrors folder (temp dirs included)."""
    root = Path(app.config["REPOS_DIR"]) / "upstream"
    return sorted(p.name for p in root.iterdir()) if root.exists() else []
