"""An upload received by one node is imported by a worker on another: the bundle waits beside
the repositories (the storage every node mounts), never in the receiving node's data dir."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from catalog.services.catalog import apps
from catalog.services.repos import mirrors
from seed.demo_repos import create_demo_repo
from tests.factories import app_payload
from tests.scale.conftest import REDIS_URL, SPEC, redis_up

pytestmark = pytest.mark.slow  # nodes are separate processes (a few seconds each to start)


@pytest.mark.xdist_group("redis")
def test_bundle_uploaded_on_node_a_is_imported_by_the_worker_on_node_b(app, nodes, make_user, tmp_path):
    if not redis_up():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379 (several nodes queue jobs in Redis)")
    from huey import RedisHuey

    RedisHuey("catalog", url=REDIS_URL).flush()
    publisher, admin = make_user("publisher", "21"), make_user("admin", "komdigi")
    apps.create_app(app_payload(repo_url="https://git.tidak-terjangkau.go.id/srikandi.git"), actor=publisher)
    apps.submit_app("srikandi", actor=publisher)
    row = apps.publish_app("srikandi", actor=admin)  # the fetch fails offline: a bundle is the way in
    assert mirrors.get_mirror(row).head is None
    source = create_demo_repo(tmp_path / "sources" / "srikandi.git", {**SPEC, "slug": "srikandi"})
    bundle = tmp_path / "srikandi.bundle"
    subprocess.run(["git", "--git-dir", str(source), "bundle", "create", str(bundle), "--all"],
                   check=True, capture_output=True)

    web = nodes.config("web-a", JOBS_IMMEDIATE=False, REDIS_URL=REDIS_URL)
    assert nodes.run("upload_bundle", "web-a", web, email=publisher.email, slug="srikandi",
                     bundle=str(bundle)) == {"status": 302}
    assert not (Path(web["DATA_DIR"]) / "incoming").exists()
    waiting = list((Path(app.config["REPOS_DIR"]) / mirrors.INCOMING_DIR).glob("*.bundle"))
    assert len(waiting) == 1

    worker = nodes.config("worker-b", JOBS_IMMEDIATE=False, REDIS_URL=REDIS_URL)
    assert "mirror.import_bundle" in " ".join(nodes.run("drain_jobs", "worker-b", worker)["ran"])
    mirror = mirrors.get_mirror_by_slug("srikandi")
    assert mirror.state == "ready" and mirror.head
    assert not waiting[0].exists()  # imported, then removed


@pytest.mark.parametrize("name", ["../../outside.bundle", ".hidden.bundle", "not-a-bundle.txt", "missing.bundle"])
def test_an_import_job_naming_no_waiting_upload_fails_with_a_reason_and_touches_nothing(app, make_user, tmp_path,
                                                                                       name):
    publisher, admin = make_user("publisher", "21"), make_user("admin", "komdigi")
    apps.create_app(app_payload(repo_url="https://git.tidak-terjangkau.go.id/srikandi.git"), actor=publisher)
    apps.submit_app("srikandi", actor=publisher)
    row = apps.publish_app("srikandi", actor=admin)
    outside = Path(app.config["REPOS_DIR"]).parent / "outside.bundle"
    outside.write_bytes(b"not for the job")
    assert mirrors.run_bundle_import(row.id, bundle_name=name) == "failed"
    assert mirrors.run_bundle_import(row.id, bundle_path=str(outside)) == "failed"  # a path outside the uploads
    mirror = mirrors.get_mirror_by_slug("srikandi")
    assert mirror.error == "Berkas bundel yang diunggah tidak ditemukan; unggah lagi." and mirror.head is None
    assert outside.read_bytes() == b"not for the job"
