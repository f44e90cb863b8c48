"""Where upstream code may come from: hostile URLs refused (mocked DNS), bundles imported."""
from __future__ import annotations

import io
import socket
import subprocess
from pathlib import Path

import pytest

from catalog.services import repo_paths
from catalog.services.catalog import apps
from catalog.services.errors import ValidationFailed
from catalog.services.repos import mirrors
from tests.factories import app_payload


def fake_dns(table):
    def resolve(host, port, *args, **kwargs):
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "unknown")
        return [(socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port or 443))
                for ip in table[host]]
    return resolve


def _publish(make_user, url):
    publisher, admin = make_user("publisher", "21"), make_user("admin", "komdigi")
    apps.create_app(app_payload(repo_url=url), actor=publisher)
    apps.submit_app("srikandi", actor=publisher)
    return apps.publish_app("srikandi", actor=admin)


@pytest.mark.parametrize("addresses", [["10.1.2.3"], ["127.0.0.1"], ["169.254.169.254"], ["100.64.0.1"],
                                       ["93.184.216.34", "192.168.1.10"], ["::ffff:127.0.0.1"], ["64:ff9b::a00:1"]])
def test_private_addresses_refused_and_nothing_left(app, make_user, addresses):
    """Refused when saved (issue 13, finding 7) and, if DNS moves after the save, at fetch time."""
    table = {"git.pemda.go.id": addresses}
    app.config.update(DNS_RESOLVER=fake_dns(table), ALLOW_LOCAL_REPOS=False)
    publisher, admin = make_user("publisher", "21"), make_user("admin", "komdigi")
    with pytest.raises(ValidationFailed) as err:
        apps.create_app(app_payload(repo_url="https://git.pemda.go.id/srikandi.git"), actor=publisher)
    assert "jaringan internal" in err.value.fields["repo_url"]
    table["git.pemda.go.id"] = ["93.184.216.34"]
    apps.create_app(app_payload(repo_url="https://git.pemda.go.id/srikandi.git"), actor=publisher)
    apps.submit_app("srikandi", actor=publisher)
    table["git.pemda.go.id"] = addresses  # the name moved inside after the save
    row = apps.publish_app("srikandi", actor=admin)
    mirror = mirrors.get_mirror(row)
    assert mirror.state == "failed" and "jaringan internal" in mirror.error
    upstream = repo_paths.repos_root() / "upstream"
    assert not upstream.exists() or not any(upstream.iterdir())


def test_bundle_import_builds_mirror(app, make_user, login, client, source_repo, tmp_path):
    app.config["DNS_RESOLVER"] = fake_dns({})
    _publish(make_user, "https://git.tidak-terjangkau.go.id/srikandi.git")
    bundle = tmp_path / "srikandi.bundle"
    subprocess.run(["git", "--git-dir", str(source_repo), "bundle", "create", str(bundle), "--all"],
                   check=True, capture_output=True)
    login(make_user("publisher", "21"))
    r = client.post("/apps/srikandi/bundle", data={"bundle": (io.BytesIO(bundle.read_bytes()), "srikandi.bundle")},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    mirror = mirrors.get_mirror_by_slug("srikandi")
    assert mirror.state == "ready" and mirror.head and [r.name for r in mirrors.releases(mirror.app_id)][0] == "v1.1.0"
    assert (Path(app.config["REPOS_DIR"]) / ".incoming").is_dir()  # uploads wait on the shared storage
    assert not any((Path(app.config["REPOS_DIR"]) / ".incoming").iterdir())  # the upload is removed


def test_garbage_bundle_fails_cleanly(app, make_user, login, client):
    app.config["DNS_RESOLVER"] = fake_dns({})
    _publish(make_user, "https://git.tidak-terjangkau.go.id/srikandi.git")
    login(make_user("publisher", "21"))
    client.post("/apps/srikandi/bundle", data={"bundle": (io.BytesIO(b"bukan bundel"), "x.bundle")},
                content_type="multipart/form-data")
    mirror = mirrors.get_mirror_by_slug("srikandi")
    assert mirror.state == "failed" and mirror.error
    assert not repo_paths.absolute(mirror.relpath).exists()


def test_adopter_cannot_upload_bundle(app, make_user, login, client):
    app.config["DNS_RESOLVER"] = fake_dns({})
    _publish(make_user, "https://git.tidak-terjangkau.go.id/srikandi.git")
    login(make_user("adopter", "21.72"))
    r = client.post("/apps/srikandi/bundle", data={"bundle": (io.BytesIO(b"x"), "x.bundle")},
                    content_type="multipart/form-data")
    assert r.status_code == 403
