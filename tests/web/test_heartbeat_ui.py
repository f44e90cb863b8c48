"""Heartbeat on the deployment page (issue 19): the token shown once, revoke after a
confirmation, the one-click version update, and the snippets run for real against the app
served on loopback."""
from __future__ import annotations

import html
import re
import subprocess
import sys
from datetime import timedelta

import pytest
import requests

from catalog.extensions import db
from catalog.models import AuditEvent, Deployment
from catalog.models.types import utcnow
from tests.conftest import PASSWORD
from tests.deployment_world import source_repos, world, world_app, world_template  # noqa: F401


@pytest.fixture
def app(world_app):
    return world_app


@pytest.fixture
def dep(world):
    return world.deploy("21.72", "simanja", version="v1.1.0")


def _snippet(page: str, name: str) -> str:
    found = re.search(rf'<pre id="snippet-{name}"[^>]*><code>(.*?)</code></pre>', page, re.S)
    assert found, name
    return html.unescape(found.group(1))


def _deployed_tree(tmp_path, tag: str):
    tree = tmp_path / "simanja-terpasang"
    tree.mkdir()
    run = {"cwd": tree, "check": True, "capture_output": True}
    subprocess.run(["git", "init", "-q"], **run)
    (tree / "index.php").write_text("<?php echo 'Simanja';\n")
    subprocess.run(["git", "add", "."], **run)
    subprocess.run(["git", "-c", "user.name=Pemda", "-c", "user.email=it@pemda.go.id", "commit", "-qm", "pasang"],
                   **run)
    subprocess.run(["git", "tag", tag], **run)
    return tree


def test_curl_snippet_from_the_page_makes_the_deployment_observed(app, world, dep, live_server, tmp_path):
    web = requests.Session()
    r = web.post(f"{live_server}/login", data={"email": world.user("adopter", "21.72").email, "password": PASSWORD})
    assert r.status_code == 200 and "/login" not in r.url
    page = web.post(f"{live_server}/deployments/{dep.id}/heartbeat-token")
    assert page.status_code == 201 and page.headers["Cache-Control"] == "no-store"
    token = re.search(r'id="heartbeat-token-value">(kbh_[^<]+)<', page.text).group(1)
    cron = _snippet(page.text, "cron")
    assert cron.startswith("*/5 * * * * curl ") and token in cron and live_server in cron
    command = cron.split(" ", 5)[5].replace("/var/www/simanja", str(_deployed_tree(tmp_path, "v1.1.0")))
    assert web.get(f"{live_server}/api/v1/deployments/{dep.id}").json()["evidence"]["observed"] is False
    done = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    shown = web.get(f"{live_server}/api/v1/deployments/{dep.id}").json()
    assert shown["evidence"]["observed"] is True and shown["observed_version"] == "v1.1.0" and shown["flags"] == []
    # the token is not kept anywhere a later page could show it again
    assert token not in web.get(f"{live_server}/deployments/{dep.id}").text


def test_python_snippet_reads_a_version_file_and_raises_the_mismatch(app, world, dep, live_server, tmp_path):
    web = requests.Session()
    web.post(f"{live_server}/login", data={"email": world.user("adopter", "21.72").email, "password": PASSWORD})
    page = web.post(f"{live_server}/deployments/{dep.id}/heartbeat-token").text
    tree = tmp_path / "tanpa-git"
    tree.mkdir()
    (tree / "VERSION").write_text("v1.2.0\n")
    script = tmp_path / "heartbeat.py"
    script.write_text(_snippet(page, "python").replace("/var/www/simanja", str(tree)))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "GIT_CEILING_DIRECTORIES": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    shown = web.get(f"{live_server}/deployments/{dep.id}").text
    assert "Versi berjalan berbeda" in shown and "v1.2.0" in shown
    assert web.get(f"{live_server}/api/v1/deployments/{dep.id}").json()["flags"] == ["version_mismatch"]


def _php_with_curl() -> bool:
    try:
        modules = subprocess.run(["php", "-m"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return False
    return "curl" in modules.lower().split()


@pytest.mark.skipif(not _php_with_curl(), reason="php-cli with curl is not installed (.ci/run installs it)")
def test_php_snippet_reports_the_git_version_and_fails_when_refused(app, world, dep, live_server, tmp_path):
    """The PHP script of the page (Laravel, CodeIgniter, OpenSID servers) run with php itself: it reads
    the tag with git describe, the deployment becomes observed; a second run within the rate limit
    is refused, and the script says so with its exit status, as curl -f does for cron."""
    web = requests.Session()
    web.post(f"{live_server}/login", data={"email": world.user("adopter", "21.72").email, "password": PASSWORD})
    page = web.post(f"{live_server}/deployments/{dep.id}/heartbeat-token").text
    script = tmp_path / "heartbeat.php"
    script.write_text(_snippet(page, "php").replace("/var/www/simanja", str(_deployed_tree(tmp_path, "v1.1.0"))))
    done = subprocess.run(["php", str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    shown = web.get(f"{live_server}/api/v1/deployments/{dep.id}").json()
    assert shown["evidence"]["observed"] is True and shown["observed_version"] == "v1.1.0" and shown["flags"] == []
    seen = shown["last_seen_at"]
    again = subprocess.run(["php", str(script)], capture_output=True, text=True, timeout=60)
    assert again.returncode == 1
    assert web.get(f"{live_server}/api/v1/deployments/{dep.id}").json()["last_seen_at"] == seen


def test_one_click_update_of_the_declared_version(client, login, world, dep):
    db.session.get(Deployment, dep.id).observed_version = "v1.2.0"
    db.session.commit()
    login(world.user("adopter", "21.72"))
    page = client.get(f"/deployments/{dep.id}").get_data(as_text=True)
    assert 'id="adopt-version"' in page
    r = client.post(f"/deployments/{dep.id}/adopt-observed-version", follow_redirects=True)
    assert "Versi tercatat kini v1.2.0" in r.get_data(as_text=True)
    assert db.session.get(Deployment, dep.id).version == "v1.2.0"
    last = db.session.execute(db.select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
    assert last.action == "deployment.update" and '"version":"v1.2.0"' in last.data


def test_revoke_asks_first_then_revokes(client, login, world, dep):
    login(world.user("adopter", "21.72"))
    assert client.post(f"/deployments/{dep.id}/heartbeat-token").status_code == 201
    ask = client.post(f"/deployments/{dep.id}/heartbeat-token/revoke")
    assert ask.status_code == 200 and "Ya, cabut token" in ask.get_data(as_text=True)
    assert db.session.get(Deployment, dep.id).heartbeat_token_hash is not None
    client.post(f"/deployments/{dep.id}/heartbeat-token/revoke", data={"confirmed": "1"})
    db.session.expire_all()
    assert db.session.get(Deployment, dep.id).heartbeat_token_hash is None


def test_forms_need_the_csrf_token(app, client, login, world, dep):
    login(world.user("adopter", "21.72"))
    app.config["WTF_CSRF_ENABLED"] = True
    for path in ("heartbeat-token", "heartbeat-token/revoke", "adopt-observed-version"):
        assert client.post(f"/deployments/{dep.id}/{path}", data={"confirmed": "1"}).status_code == 400, path
    assert db.session.get(Deployment, dep.id).heartbeat_token_hash is None


def test_others_see_evidence_but_no_controls(client, login, world, dep):
    row = db.session.get(Deployment, dep.id)
    row.last_seen_at = utcnow() - timedelta(days=9)
    db.session.commit()
    login(world.user("publisher", "21"))
    page = client.get(f"/deployments/{dep.id}").get_data(as_text=True)
    assert "Tidak terpantau" in page and "Terpantau" in page
    assert 'id="heartbeat-install"' not in page and 'id="heartbeat-token"' not in page
    assert client.post(f"/deployments/{dep.id}/heartbeat-token").status_code == 403


def test_my_region_asks_attention_for_silent_servers_and_other_versions(client, login, world, dep):
    row = db.session.get(Deployment, dep.id)
    row.last_seen_at, row.observed_version = utcnow() - timedelta(days=9), "v1.2.0"
    db.session.commit()
    login(world.user("adopter", "21.72"))
    page = client.get("/my/region").get_data(as_text=True)
    assert "tidak terpantau: server tidak mengirim heartbeat selama 9 hari." in page
    assert "server melaporkan versi v1.2.0, yang tercatat v1.1.0." in page
    client.post("/language", data={"lang": "en"})
    assert "not observed: the server has sent no heartbeat for 9 days." in client.get("/my/region").get_data(
        as_text=True)
