"""Hostile git-over-HTTP clients (issue 13, finding 2): gzip bodies inflating to gigabytes of want
lines, clients that hang on or vanish, many requests from one address. All through the real app
on a loopback server; every wait is a bounded poll, nothing asserts on time."""
from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import pytest

from catalog.services import repo_paths
from catalog.services.repos import forks
from tests.hostile.conftest import GIT_ENV, client_git

# System-level attack reproductions (real git processes and servers): `make test` runs them, the edit loop does not.
pytestmark = pytest.mark.slow

UPLOAD = "application/x-git-upload-pack-request"


@pytest.fixture
def fork(published_app, make_user):
    return forks.create_fork("simanja", actor=make_user("adopter", "21.72"))


@pytest.fixture
def url(live_server, fork) -> str:
    return f"{live_server}/git/{fork.relpath}"


def _pkt(line: str) -> bytes:
    return f"{len(line) + 4:04x}{line}".encode()


def _head(fork) -> str:
    return client_git("rev-parse", "HEAD", cwd=repo_paths.absolute(fork.relpath)).stdout.strip()


def _want_body(sha: str) -> bytes:
    return _pkt(f"want {sha} no-progress\n") + b"0000" + _pkt("done\n")


def _gzip(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


def _want_bomb(sha: str, inflated: int) -> bytes:
    """A gzip body of repeated want lines, built a megabyte at a time (never `inflated` bytes)."""
    block = _pkt(f"want {sha}\n") * (1024 * 1024 // 50)
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [packer.compress(block) for _ in range(inflated // len(block) + 1)]
    return b"".join(parts) + packer.compress(_pkt("done\n")) + packer.flush()


def _post(url: str, body: bytes, headers: dict[str, str] | None = None):
    request = urllib.request.Request(f"{url}/git-upload-pack", data=body, method="POST",
                                     headers={"Content-Type": UPLOAD, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _get_refs(url: str):
    try:
        with urllib.request.urlopen(f"{url}/info/refs?service=git-upload-pack", timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _git_backends() -> list[int]:
    """Pids of git processes below this test process (http-backend, upload-pack), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] == "Z":
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], list(children.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"http-backend" in cmdline or b"upload-pack" in cmdline:
            found.append(pid)
    return found


def _eventually(check, seconds: float = 20) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.05)
    return check()


def _slots(app):
    return app.extensions.get("git_client_slots")


def _held(app) -> int:
    slots = _slots(app)
    return slots.held("127.0.0.1") if slots is not None else 0


def _open_slow_upload(live_server: str, fork) -> socket.socket:
    """An upload-pack POST that announces 1,000 body bytes and sends 4: git waits on its input."""
    host, port = live_server.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    sock.sendall((f"POST /git/{fork.relpath}/git-upload-pack HTTP/1.1\r\nHost: {host}\r\n"
                  f"Content-Type: {UPLOAD}\r\nContent-Length: 1000\r\n\r\n0032").encode())
    return sock


def test_real_clone_over_http_still_works(url, fork, tmp_path):
    result = client_git("clone", "--quiet", url, str(tmp_path / "klon"), check=False)
    assert result.returncode == 0, result.stderr
    assert client_git("rev-parse", "HEAD", cwd=tmp_path / "klon").stdout.strip() == _head(fork)


def test_valid_gzip_negotiation_is_inflated_and_served(url, fork):
    status, _, body = _post(url, _gzip(_want_body(_head(fork))), {"Content-Encoding": "gzip"})
    assert status == 200
    assert body.startswith(b"0008NAK\n") and b"PACK" in body


def test_gzip_bomb_over_the_cap_gets_413_and_starts_no_git(app, url, fork):
    bomb = _want_bomb(_head(fork), 100 * 1024 * 1024)
    assert len(bomb) < 2 * 1024 * 1024  # ~100 MB of want lines in well under 2 MB
    status, _, body = _post(url, bomb, {"Content-Encoding": "gzip"})
    assert status == 413 and b"terlalu besar" in body
    assert _eventually(lambda: not _git_backends())
    assert _eventually(lambda: _held(app) == 0)


def test_gzip_bomb_just_over_a_small_cap_is_refused_below_it_served(app, url, fork):
    app.config["GIT_UPLOAD_PACK_MAX_BYTES"] = 64 * 1024
    sha = _head(fork)
    padded = _pkt(f"want {sha}\n") * 1000 + _want_body(sha)  # ~50 KB inflated: under the cap
    assert _post(url, _gzip(padded), {"Content-Encoding": "gzip"})[0] == 200
    padded = _pkt(f"want {sha}\n") * 2000 + _want_body(sha)  # ~100 KB: over it
    assert _post(url, _gzip(padded), {"Content-Encoding": "gzip"})[0] == 413


@pytest.mark.parametrize("body", [b"bukan gzip sama sekali", _gzip(b"0000")[:-6], b""],
                         ids=["not-gzip", "truncated", "empty"])
def test_invalid_gzip_gets_400(app, url, body):
    status, _, text = _post(url, body, {"Content-Encoding": "gzip"})
    assert status == 400 and b"gzip" in text
    assert _eventually(lambda: not _git_backends())


def test_plain_body_declared_over_the_cap_gets_413(app, url):
    app.config["GIT_UPLOAD_PACK_MAX_BYTES"] = 1024
    status, _, _ = _post(url, b"0" * 2048)
    assert status == 413


def test_per_address_cap_answers_429_until_a_slot_is_free(app, live_server, url, fork):
    app.config["GIT_MAX_PER_CLIENT"] = 2
    held = [_open_slow_upload(live_server, fork) for _ in range(2)]
    try:
        assert _eventually(lambda: _held(app) == 2)
        assert _slots(app).limit == 2
        status, headers, _ = _get_refs(url)
        assert status == 429 and int(headers["Retry-After"]) > 0
    finally:
        for sock in held:
            sock.close()
    assert _eventually(lambda: _held(app) == 0)  # a client that left frees its slot
    assert _eventually(lambda: not _git_backends())
    assert _get_refs(url)[0] == 200


def test_negotiation_time_limit_kills_git(app, live_server, fork):
    app.config["GIT_NEGOTIATION_TIMEOUT"] = 1
    sock = _open_slow_upload(live_server, fork)  # git waits for wants that never come
    try:
        assert _eventually(lambda: _held(app) == 1)
        assert _eventually(lambda: _held(app) == 0)  # killed at the limit, slot released
        assert _eventually(lambda: not _git_backends())
    finally:
        sock.close()


def test_client_leaving_mid_response_leaves_no_git(app, live_server, fork):
    repo = repo_paths.absolute(fork.relpath)
    sha = _big_branch(repo, os.urandom(24 * 1024 * 1024))  # incompressible: a 24 MB pack
    host, port = live_server.removeprefix("http://").split(":")
    body = _want_body(sha)
    sock = socket.create_connection((host, int(port)), timeout=30)
    try:
        sock.sendall((f"POST /git/{fork.relpath}/git-upload-pack HTTP/1.1\r\nHost: {host}\r\n"
                      f"Content-Type: {UPLOAD}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")  # the pack is on its way
    finally:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()  # reset: the server's next write fails
    assert _eventually(lambda: not _git_backends())
    assert _eventually(lambda: _held(app) == 0)


def _git_in(repo: Path, *args: str, data: bytes = b"") -> str:
    return subprocess.run(["git", *args], cwd=repo, env=GIT_ENV, input=data, capture_output=True,
                          check=True, timeout=120).stdout.decode().strip()


def _big_branch(repo: Path, content: bytes) -> str:
    blob = _git_in(repo, "hash-object", "-w", "--stdin", data=content)
    tree = _git_in(repo, "mktree", data=f"100644 blob {blob}\tbesar.bin\n".encode())
    commit = _git_in(repo, "commit-tree", tree, "-m", "besar")
    _git_in(repo, "update-ref", "refs/heads/besar", commit)
    return commit
