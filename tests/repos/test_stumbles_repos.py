"""Issue 15, stumbles that need a fork with real git behind it: a region's change shown as a
coloured diff with text markers, and a version the fork does not have refused with the tags it does."""
from __future__ import annotations

import re

from tests.repos.gitclient import git, with_token

BASE = {"app": "simanja", "environment": "production", "status": "production", "hosting": "pusat_data_daerah"}


def _push_change(work, token: str, live_server: str, fork) -> None:
    index = work / "src" / "index.php"
    lines = index.read_text().splitlines()
    lines[1] = "// SIMANJA Kota Tanjung Pinang"  # the upstream's name comment goes, the region's comes
    index.write_text("\n".join(lines) + "\n")
    git("commit", "-am", "Nama daerah di kepala berkas", cwd=work)
    git("tag", "v1.1.0-tpi", cwd=work)
    git("push", with_token(f"{live_server}/git/{fork.relpath}", token), "main", "v1.1.0-tpi", cwd=work)


def test_fork_diff_marks_added_and_removed_lines_in_words_and_signs(fork, adopter, work, token_for, live_server,
                                                                    client):
    token = token_for(adopter)["Authorization"].split()[1]
    _push_change(work, token, live_server, fork)
    html = client.get(f"/forks/{fork.id}/diff", query_string={"path": "src/index.php"}).get_data(as_text=True)
    added = re.search(r'<span class="d-line d-added">(.*?)</span>\n?(?=<span class="d-line|</code>)', html)
    removed = re.search(r'<span class="d-line d-removed">(.*?)</span>\n?(?=<span class="d-line|</code>)', html)
    assert added and removed, html[-3000:]
    assert '<span class="d-sign" aria-hidden="true">+</span>' in added.group(1)
    assert '<span class="visually-hidden">ditambah: </span>// SIMANJA Kota Tanjung Pinang' in added.group(1)
    assert '<span class="d-sign" aria-hidden="true">&#8722;</span>' in removed.group(1)
    assert '<span class="visually-hidden">dihapus: </span>// Simanja' in removed.group(1)
    # the file headers (--- a/…, +++ b/…) are not counted as a removed and an added line
    assert html.count('class="d-line d-added"') == 1 and html.count('class="d-line d-removed"') == 1
    assert '<span class="d-line d-hunk">@@' in html

    english = client.get(f"/forks/{fork.id}/diff", query_string={"path": "src/index.php", "lang": "en"},
                         headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "added: </span>" in english and "removed: </span>" in english


def test_version_missing_from_the_fork_is_refused_with_the_forks_tags(fork, adopter, work, token_for, live_server,
                                                                     client):
    headers = token_for(adopter)
    _push_change(work, headers["Authorization"].split()[1], live_server, fork)
    r = client.post("/api/v1/deployments", headers=headers,
                    json={**BASE,
                          "version": "v9.9.9", "fork_id": str(fork.id)})
    assert r.status_code == 422, r.json
    message = r.json.get("fields", {}).get("version", str(r.json))
    assert "'v9.9.9'" in message and "v1.1.0-tpi" in message and "v1.0.0" in message, message
    ok = client.post("/api/v1/deployments", headers=headers,
                     json={**BASE,
                           "version": "v1.1.0-tpi", "fork_id": str(fork.id)})
    assert ok.status_code == 201, ok.json


def test_version_missing_upstream_is_refused_with_the_recorded_releases(published_app, adopter, token_for, client):
    r = client.post("/api/v1/deployments", headers=token_for(adopter),
                    json={**BASE, "version": "v7"})
    assert r.status_code == 422
    assert "v1.0.0" in r.json["fields"]["version"] and "v1.1.0" in r.json["fields"]["version"]
