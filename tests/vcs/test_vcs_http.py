"""Clone and push through http_backend_response on a real threaded server on 127.0.0.1."""
from __future__ import annotations

import io
import os
import subprocess
import threading
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from catalog.vcs import head_info, http_backend_response, write_protected_commits
from catalog.vcs.hooks import HOOK_SCRIPTS
from tests.vcs.gitlib import Builder, clean_env, git


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


class GitHost:
    """Maps /git/<relpath>/<service> to http_backend_response; `push` lists writable repos,
    `pushes` what on_push was called with, `on_push` may be replaced."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.push: set[str] = set()
        self.max_push = 64 * 1024 * 1024
        self.pushes: list[list[tuple[str, str, str]]] = []
        self.on_push = lambda updates: self.pushes.append([(u.old, u.new, u.ref) for u in updates])
        self.server = make_server("127.0.0.1", 0, self.app, server_class=_Server,
                                  handler_class=_QuietHandler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/git"

    def app(self, environ, start_response):
        path = environ["PATH_INFO"]
        relpath = path[len("/git/"):].split(".git/", 1)[0] + ".git"
        status, headers, body = http_backend_response(
            environ, project_root=self.root, repo_relpath=relpath, remote_user="penguji",
            allow_push=relpath in self.push, timeout=60, max_push_bytes=self.max_push,
            on_push=lambda updates: self.on_push(updates))
        start_response(status, headers)
        return body


@pytest.fixture
def host(tmp_path: Path):
    h = GitHost(tmp_path)
    yield h
    h.server.shutdown()
    h.server.server_close()


def client(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], capture_output=True, text=True, env=clean_env(),
                          cwd=cwd, timeout=60)


@pytest.fixture
def pushable(host: GitHost, fork: Path, tmp_path: Path):
    """A fork accepting pushes and a bare clone of it; returns the clone and host.pushes."""
    host.push.add("forks/kota-x/simpeg.git")
    clone = tmp_path / "klon.git"
    result = client("clone", "--quiet", "--bare", f"{host.base}/forks/kota-x/simpeg.git",
                    str(clone))
    assert result.returncode == 0, result.stderr
    return clone, host.pushes


def test_clone_over_http_matches_fork(host: GitHost, fork: Path, tmp_path: Path):
    dest = tmp_path / "klon.git"
    result = client("clone", "--bare", f"{host.base}/forks/kota-x/simpeg.git", str(dest))
    assert result.returncode == 0, result.stderr
    assert git("rev-parse", "main", git_dir=dest).strip() == head_info(fork).head
    git("fsck", "--no-dangling", git_dir=dest)


def test_unknown_paths_and_dumb_protocol_refused(host: GitHost, fork: Path, tmp_path: Path):
    import urllib.error
    import urllib.request
    for path in ["/git/forks/kota-x/simpeg.git/HEAD",
                 "/git/forks/kota-x/simpeg.git/info/refs",
                 "/git/forks/kota-x/simpeg.git/objects/info/alternates",
                 "/git/forks/../../etc.git/info/refs?service=git-upload-pack",
                 "/git/forks/kota-x/tidak-ada.git/info/refs?service=git-upload-pack"]:
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(host.base[:-4] + path, timeout=10)
        assert err.value.code == 404, path


def test_push_refused_when_not_allowed(host: GitHost, fork: Path, tmp_path: Path):
    clone = tmp_path / "klon.git"
    client("clone", "--quiet", "--bare", f"{host.base}/forks/kota-x/simpeg.git", str(clone))
    Builder(clone).commit("main", {"x.txt": "x"}, "coba")
    result = client("push", f"{host.base}/forks/kota-x/simpeg.git", "main", cwd=clone)
    assert result.returncode != 0 and "403" in result.stderr


def test_push_updates_fork_and_reports_the_updated_refs_once(host: GitHost, pushable, fork: Path):
    clone, pushes = pushable
    old = head_info(fork).head
    new = Builder(clone).commit("main", {"kota.txt": "kota x\n"}, "perubahan kota x")
    result = client("push", "origin", "main", f"{new}:refs/tags/v1.1-kota-x", cwd=clone)
    assert result.returncode == 0, result.stderr
    assert head_info(fork).head == new
    assert pushes == [[(old, new, "refs/heads/main"),
                       ("0" * 40, new, "refs/tags/v1.1-kota-x")]]  # by the time `git push` returns


def test_refused_or_empty_push_reports_nothing(host: GitHost, pushable, fork: Path):
    clone, pushes = pushable
    assert client("push", "origin", ":main", cwd=clone).returncode != 0
    assert client("push", "origin", "main", cwd=clone).returncode == 0  # already up to date
    assert pushes == []


def test_hooks_start_only_the_entry_point_the_server_names(fork: Path):
    """The scripts in a repository name no Python, no PYTHONPATH and no install directory."""
    for name, text in HOOK_SCRIPTS.items():
        written = (fork / "hooks" / name).read_text()
        assert written == text and os.access(fork / "hooks" / name, os.X_OK)
        assert "python" not in written.lower() and "PYTHONPATH" not in written
        assert str(Path(__file__).resolve().parents[2]) not in written
    assert not (fork / "catalog-hooks.json").exists()


def test_prereceive_refuses_deleting_default_branch(host: GitHost, pushable, fork: Path):
    clone, _ = pushable
    before = head_info(fork).head
    result = client("push", "origin", ":main", cwd=clone)
    assert result.returncode != 0
    assert "remote: Ditolak: cabang utama 'main' tidak boleh dihapus." in result.stderr
    assert head_info(fork).head == before


def test_prereceive_refuses_tag_delete_and_rewrite(host: GitHost, pushable, fork: Path):
    clone, _ = pushable
    deleted = client("push", "origin", ":refs/tags/v1.0", cwd=clone)
    assert deleted.returncode != 0 and "tag 'v1.0' tidak boleh dihapus" in deleted.stderr
    other = Builder(clone).commit("main", {"t.txt": "t"}, "lain")
    moved = client("push", "--force", "origin", f"{other}:refs/tags/v1.0", cwd=clone)
    assert moved.returncode != 0 and "tag 'v1.0' sudah ada" in moved.stderr
    created = client("push", "origin", f"{other}:refs/tags/v1.1-kota-x", cwd=clone)
    assert created.returncode == 0, created.stderr


def test_prereceive_protects_deployed_commits_from_force_push(host: GitHost, pushable,
                                                              fork: Path):
    clone, _ = pushable
    base = head_info(fork).head
    deployed = Builder(clone).commit("main", {"rilis.txt": "1\n"}, "versi terpasang")
    assert client("push", "origin", "main", cwd=clone).returncode == 0
    write_protected_commits(fork, [deployed])
    rewrite = Builder(clone).commit("main", {"lain.txt": "2\n"}, "tulis ulang", parents=[base])
    refused = client("push", "--force", "origin", "main", cwd=clone)
    assert refused.returncode != 0 and f"commit {deployed[:12]}" in refused.stderr
    assert head_info(fork).head == deployed
    # keeping the deployed commit on another branch makes the rewrite acceptable
    ok = client("push", "--force", "origin", f"{deployed}:refs/heads/arsip",
                f"{rewrite}:refs/heads/main", cwd=clone)
    assert ok.returncode == 0, ok.stderr
    assert head_info(fork).head == rewrite


def test_mirror_over_http_uses_pinned_ip_not_dns(host: GitHost, upstream: Builder,
                                                 tmp_path: Path):
    """`.invalid` never resolves, so success proves git connected to the checked, pinned IP."""
    from catalog.vcs import check_remote_url, create_mirror, fetch_mirror

    def fake_dns(name, port, *args):
        assert name == "git.contoh.invalid"
        return [(2, 1, 6, "", ("127.0.0.1", port))]
    url = f"http://git.contoh.invalid:{host.server.server_port}/git/upstream/simpeg.git"
    remote = check_remote_url(url, allow_local=True, resolver=fake_dns)
    assert remote.pinned_ips == ("127.0.0.1",)
    info = create_mirror(tmp_path / "m" / "simpeg.git", remote, timeout=60)
    assert info.head == git("rev-parse", "main", git_dir=upstream.path).strip()
    new = upstream.commit("main", {"n.txt": "n"}, "baru")
    assert fetch_mirror(info.path, remote, timeout=60).head == new


def test_failing_push_record_does_not_fail_push(host: GitHost, pushable, fork: Path):
    clone, _ = pushable

    def broken(updates):
        raise RuntimeError("database down")

    host.on_push = broken
    new = Builder(clone).commit("main", {"a.txt": "a"}, "a")
    result = client("push", "origin", "main", cwd=clone)
    assert result.returncode == 0, result.stderr
    assert head_info(fork).head == new


def test_push_over_size_cap_refused(host: GitHost, pushable, fork: Path):
    clone, _ = pushable
    before = head_info(fork).head
    host.max_push = 20_000
    Builder(clone).commit("main", {"besar.bin": os.urandom(200_000)}, "besar")
    result = client("push", "origin", "main", cwd=clone)
    assert result.returncode != 0 and "maximum allowed size" in result.stderr
    assert head_info(fork).head == before


def test_closing_response_early_kills_backend(fork: Path, tmp_path: Path):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/git/forks/kota-x/simpeg.git/info/refs",
               "QUERY_STRING": "service=git-upload-pack", "wsgi.input": io.BytesIO(b"")}
    status, headers, body = http_backend_response(
        environ, project_root=tmp_path, repo_relpath="forks/kota-x/simpeg.git",
        remote_user=None, timeout=30)
    assert status.startswith("200")
    assert ("Content-Type", "application/x-git-upload-pack-advertisement") in headers
    body.close()  # the client went away before reading anything
    assert body.stream.proc.poll() is not None
