"""Issue 13, finding 6: the offline bundle upload runs the same object checks as a fetch, and
bundles past the 16 MiB form cap stream to disk up to BUNDLE_MAX_BYTES.

Every upload goes through the real route (`POST /apps/<slug>/bundle`) with CSRF protection on,
signed in through the login form, as a browser sends it: the hidden token first, then the file.
The app is published with an upstream nobody can reach (its mirror failed), as for an office
whose link cannot carry a clone; jobs run inline (JOBS_IMMEDIATE), so the import has finished
when the response comes back.
"""
from __future__ import annotations

import io
import re
import subprocess
import tracemalloc
from pathlib import Path

import pytest

from catalog.extensions import db
from catalog.models import Release
from catalog.services import repo_paths
from catalog.services.catalog import apps
from catalog.services.errors import ServiceError
from catalog.services.repos import forks, mirrors
from catalog.vcs.mirror import fsck_severities, object_refusal
from tests.conftest import PASSWORD
from tests.factories import app_payload
from tests.hostile.conftest import fake_dns, upstream_leftovers
from tests.hostile.trees import (
    base_files,
    big_blob_repo,
    blob,
    commit,
    files_of,
    gitlinks_of,
    gitmodules,
    mktree,
    new_repo,
    tree,
)
from tests.vcs.gitlib import git

# System-level attack reproductions (real git processes and servers): `make test` runs them, the edit loop does not.
pytestmark = pytest.mark.slow

SLUG = "bundel-uji"
SHA = "1234567890abcdef1234567890abcdef12345678"
MiB = 1024 * 1024


def _token(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


@pytest.fixture
def publisher_client(app, people):
    """The app published with an unreachable upstream, and its publisher signed in through the
    login form with CSRF protection on."""
    app.config["DNS_RESOLVER"] = fake_dns({})
    admin = people["admin"]
    apps.create_app(app_payload(name="Aplikasi Bundel", slug=SLUG,
                                repo_url="https://git.tidak-terjangkau.go.id/bundel.git"),
                    actor=admin, org_code="21")
    apps.submit_app(SLUG, actor=people["publisher"])
    row = apps.publish_app(SLUG, actor=admin)
    assert mirrors.get_mirror(row).state == "failed"  # nothing can be fetched: the bundle is the way in
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    r = client.post("/login", data={"email": people["publisher"].email, "password": PASSWORD,
                                    "csrf_token": _token(client, "/login")})
    assert r.status_code == 302
    return client


def _bundle(repo: Path, target: Path) -> Path:
    git("bundle", "create", str(target), "--all", git_dir=repo)
    return target


def _upload(client, bundle: Path, *, token: str | None = "auto"):
    if token == "auto":
        token = _token(client, f"/apps/{SLUG}")
    data = {"csrf_token": token} if token else {}
    with open(bundle, "rb") as fh:
        data["bundle"] = (fh, bundle.name)
        return client.post(f"/apps/{SLUG}/bundle", data=data, content_type="multipart/form-data")


def _incoming(app) -> list[str]:
    root = Path(app.config["REPOS_DIR"]) / ".incoming"  # beside the repositories, shared by the nodes
    assert not (Path(app.config["DATA_DIR"]) / "incoming").exists()  # never the node's own data dir
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def _mirror():
    db.session.rollback()
    return mirrors.get_mirror_by_slug(SLUG)


def _nothing_served(app, client, people) -> None:
    """No repository, no releases, no clone, no download, no fork."""
    mirror = _mirror()
    assert mirror.head is None and mirror.state == "failed"
    assert upstream_leftovers(app) == []  # no half-written repository, no temp dir beside it
    assert not repo_paths.absolute(mirror.relpath).exists()
    assert db.session.execute(db.select(Release).where(Release.app_id == mirror.app_id)).first() is None
    assert _incoming(app) == []  # the upload is gone too
    refs = client.get(f"/git/{mirror.relpath}/info/refs", query_string={"service": "git-upload-pack"})
    assert refs.status_code in (401, 404)
    assert client.get(f"/apps/{SLUG}/download", query_string={"rev": "main", "format": "zip"}).status_code >= 400
    page = client.get(f"/apps/{SLUG}").get_data(as_text=True)
    assert "git clone" not in page
    with pytest.raises(ServiceError):
        forks.create_fork(SLUG, actor=people["adopter"])


# --- the four hostile repositories of the finding, each as a complete bundle -------------------

def _modules_repo(repo: Path, module: tuple[str, str, str]) -> None:
    entries = {**base_files(repo), **files_of(repo, {".gitmodules": gitmodules([module])}),
               **gitlinks_of({module[1]: SHA})}
    commit(repo, tree(repo, entries), "submodul")


def _url_option(repo: Path) -> None:
    _modules_repo(repo, ("aman", "vendor/aman", "--upload-pack=touch /tmp/katalog-uji-bundel-pwned"))


def _path_option(repo: Path) -> None:
    _modules_repo(repo, ("aman", "-vendor", "https://git.pemda.go.id/x.git"))


def _name_escape(repo: Path) -> None:
    _modules_repo(repo, ("../../modules/evil", "vendor/evil", "https://git.pemda.go.id/x.git"))


def _dot_git_hook(repo: Path) -> None:
    hook = blob(repo, "#!/bin/sh\ntouch /tmp/katalog-uji-bundel-hook\n")
    commit(repo, tree(repo, {**base_files(repo), ".git/hooks/post-checkout": ("100755", hook)}), "hook")


def _dot_dot_entry(repo: Path) -> None:
    inner = tree(repo, files_of(repo, {"config": "[core]\n\thooksPath = /tmp\n"}))
    safe = mktree(repo, [("040000", inner, "..")])  # `safe/..`: a checkout writes beside `safe`
    entries = base_files(repo)
    top = mktree(repo, [("100644", entries["README.md"][1], "README.md"), ("040000", safe, "safe")])
    commit(repo, top, "titik dua")


HOSTILE = [
    pytest.param(_url_option, "gitmodulesUrl", "alamat submodul", id="gitmodules-url-option"),
    pytest.param(_path_option, "gitmodulesPath", "jalur submodul", id="gitmodules-path-option"),
    pytest.param(_name_escape, "gitmodulesName", "nama submodul", id="submodule-name-escape"),
    pytest.param(_dot_git_hook, "hasDotgit", "bernama .git", id="dot-git-hooks-path"),
    pytest.param(_dot_dot_entry, "hasDotdot", "entri bernama", id="dot-dot-entry"),
]


@pytest.mark.parametrize(("build", "check", "words"), HOSTILE)
def test_hostile_bundle_is_refused_and_nothing_is_served(app, publisher_client, people, tmp_path,
                                                         build, check, words):
    repo = new_repo(tmp_path / "sumber" / "bahaya.git")
    build(repo)
    bundle = _bundle(repo, tmp_path / "bahaya.bundle")
    git("bundle", "verify", str(bundle), git_dir=repo)  # a well-formed, complete bundle: only its content is hostile

    r = _upload(publisher_client, bundle)
    assert r.status_code == 302
    page = publisher_client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Bundel ditolak" in page and check in page and words in page  # why, in words, and which check

    mirror = _mirror()
    assert "Bundel ditolak" in mirror.error and check in mirror.error
    _nothing_served(app, publisher_client, people)
    assert not Path("/tmp/katalog-uji-bundel-pwned").exists()


def test_the_same_repository_by_url_is_refused_too(app, publish, tmp_path):
    """The fetch path's refusal the bundle path now matches (one case: the others are in
    test_submodules.py)."""
    repo = new_repo(tmp_path / "sumber" / "nama.git")
    _name_escape(repo)
    row, mirror = publish(repo, slug="lewat-alamat")
    assert mirror.state == "failed" and mirror.head is None


# --- CSRF, still enforced on the streamed route ------------------------------------------------

def _valid_bundle(tmp_path: Path) -> Path:
    repo = new_repo(tmp_path / "sumber" / "baik.git")
    commit(repo, tree(repo, base_files(repo)), "awal")
    return _bundle(repo, tmp_path / "baik.bundle")


def test_upload_without_csrf_token_is_refused_before_anything_is_written(app, publisher_client, tmp_path):
    bundle = _valid_bundle(tmp_path)
    before = _mirror().state
    r = _upload(publisher_client, bundle, token=None)
    assert r.status_code == 400
    r = _upload(publisher_client, bundle, token="bukan-token")
    assert r.status_code == 400
    assert _mirror().state == before and _mirror().head is None
    assert _incoming(app) == [] and upstream_leftovers(app) == []


def test_token_after_the_file_is_refused(app, publisher_client, tmp_path):
    """Only a token that comes before the file counts: the file is never written unchecked."""
    bundle = _valid_bundle(tmp_path)
    token = _token(publisher_client, f"/apps/{SLUG}")
    boundary = "batas-uji"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"bundle\"; filename=\"baik.bundle\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + bundle.read_bytes() + (
            f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--{boundary}--\r\n").encode()
    r = publisher_client.post(f"/apps/{SLUG}/bundle", data=body,
                              content_type=f"multipart/form-data; boundary={boundary}")
    assert r.status_code == 400
    assert _mirror().head is None and _incoming(app) == []


def test_token_in_a_header_is_accepted(app, publisher_client, tmp_path):
    """Scripts (curl -H 'X-CSRFToken: …' -F bundle=@…) may send the token as a header instead."""
    bundle = _valid_bundle(tmp_path)
    token = _token(publisher_client, f"/apps/{SLUG}")
    with open(bundle, "rb") as fh:
        r = publisher_client.post(f"/apps/{SLUG}/bundle", data={"bundle": (fh, "baik.bundle")},
                                  headers={"X-CSRFToken": token}, content_type="multipart/form-data")
    assert r.status_code == 302
    assert _mirror().state == "ready" and _mirror().head


# --- size: larger than the 16 MiB form cap, and over the bundle limit ---------------------------

def _multipart_file(path: Path, token: str, bundle: Path, boundary: str = "batas-besar") -> tuple[Path, str]:
    """The body a browser sends, built on disk so the test itself holds no 20 MiB buffer."""
    with open(path, "wb") as out, open(bundle, "rb") as src:
        out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
                  f"--{boundary}\r\nContent-Disposition: form-data; name=\"bundle\"; filename=\"{bundle.name}\"\r\n"
                  f"Content-Type: application/octet-stream\r\n\r\n".encode())
        while chunk := src.read(MiB):
            out.write(chunk)
        out.write(f"\r\n--{boundary}--\r\n".encode())
    return path, f"multipart/form-data; boundary={boundary}"


def test_valid_bundle_larger_than_the_form_cap_is_accepted_and_streamed(app, publisher_client, tmp_path):
    assert app.config["MAX_CONTENT_LENGTH"] == 16 * MiB  # every other route keeps its cap
    repo = big_blob_repo(tmp_path / "sumber" / "besar.git", 20 * MiB)  # random bytes: incompressible
    bundle = _bundle(repo, tmp_path / "besar.bundle")
    assert bundle.stat().st_size > 20 * MiB
    body, content_type = _multipart_file(tmp_path / "body.bin", _token(publisher_client, f"/apps/{SLUG}"), bundle)

    with open(body, "rb") as stream:
        tracemalloc.start()
        try:
            r = publisher_client.post(f"/apps/{SLUG}/bundle", input_stream=stream,
                                      content_length=body.stat().st_size, content_type=content_type)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert r.status_code == 302, r.get_data(as_text=True)[-3000:]
    mirror = _mirror()
    assert mirror.state == "ready", mirror.error
    assert mirror.head == git("rev-parse", "main", git_dir=repo).strip()
    assert mirror.size_bytes > 20 * MiB
    assert peak < 8 * MiB  # the body was never held in memory in one piece (it is 20 MiB)
    assert _incoming(app) == []
    r = publisher_client.get(f"/apps/{SLUG}/download", query_string={"rev": "main", "format": "zip"})
    assert r.status_code == 200


def test_other_routes_keep_the_16_mib_cap(app, publisher_client):
    token = _token(publisher_client, f"/apps/{SLUG}")
    r = publisher_client.post(f"/apps/{SLUG}/edit", data={"csrf_token": token, "description": "x" * (17 * MiB)})
    assert r.status_code == 413


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed-count"])
def test_upload_over_the_bundle_limit_gets_413(app, publisher_client, tmp_path, declared):
    """Over the limit by Content-Length: refused before the body is read. Within Content-Length's
    slack for the form's framing but a file past the limit: refused while streaming, the partial
    file deleted."""
    app.config["BUNDLE_MAX_BYTES"] = MiB
    repo = big_blob_repo(tmp_path / "sumber" / "lebih.git", 2 * MiB if declared else MiB + 1024)
    bundle = _bundle(repo, tmp_path / "lebih.bundle")
    body, content_type = _multipart_file(tmp_path / "body.bin", _token(publisher_client, f"/apps/{SLUG}"), bundle)
    with open(body, "rb") as stream:
        r = publisher_client.post(f"/apps/{SLUG}/bundle", input_stream=stream,
                                  content_length=body.stat().st_size, content_type=content_type)
    assert r.status_code == 413
    text = r.get_data(as_text=True)
    assert "Berkas bundel terlalu besar" in text and "1 MiB" in text
    assert _mirror().head is None and _incoming(app) == [] and upstream_leftovers(app) == []


def test_garbage_is_refused_at_upload_with_the_reason(app, publisher_client, tmp_path):
    """Not a bundle: refused when uploaded (a quick header check), the mirror row untouched."""
    junk = tmp_path / "bukan.bundle"
    junk.write_bytes(b"bukan bundel\n" * 100)
    before = (_mirror().state, _mirror().error)
    r = _upload(publisher_client, junk)
    assert r.status_code == 302
    page = publisher_client.get(r.headers["Location"]).get_data(as_text=True)
    assert "tidak valid" in page
    assert (_mirror().state, _mirror().error) == before and _incoming(app) == []


# --- the pieces -----------------------------------------------------------------------------

def test_fsck_forgives_exactly_what_a_fetch_forgives():
    assert set(fsck_severities()) == {"fsck.zeroPaddedFilemode=ignore", "fsck.badTimezone=ignore"}


@pytest.mark.parametrize(("stderr", "words"), [
    ("error in blob 5c86fb0c: gitmodulesUrl: disallowed submodule url: --upload-pack=x", "alamat submodul"),
    ("error: object 5c86fb0c: gitmodulesName: disallowed submodule name: ../x\nfatal: fsck error", "nama submodul"),
    ("error in tree 3b034677: hasDotdot: contains '..'", "\"..\""),
    ("error in blob 5c86fb0c: gitmodulesParse: could not parse gitmodules blob", ".gitmodules tidak dapat"),
    ("broken link from  tree 3b034677\n              to  blob 5c86fb0c", "tidak lengkap"),
    ("error in tree 3b034677: fullPathname: contains full pathnames", "git fsck"),
])
def test_git_messages_become_reasons_in_words(stderr, words):
    assert words in object_refusal(stderr)


def test_uploads_on_disk_are_never_read_whole(app, publisher_client, tmp_path):
    """The form's 413 at 16 MiB is gone for this route only; an in-memory upload of a small bundle
    still works (the form a browser sends)."""
    bundle = _valid_bundle(tmp_path)
    r = publisher_client.post(f"/apps/{SLUG}/bundle",
                              data={"csrf_token": _token(publisher_client, f"/apps/{SLUG}"),
                                    "bundle": (io.BytesIO(bundle.read_bytes()), "baik.bundle")},
                              content_type="multipart/form-data")
    assert r.status_code == 302
    assert _mirror().state == "ready"
    assert subprocess.run(["git", "--git-dir", str(repo_paths.absolute(_mirror().relpath)), "fsck", "--strict"],
                          capture_output=True).returncode == 0
