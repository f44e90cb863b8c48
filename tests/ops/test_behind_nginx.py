"""Issue 17, item 1: the catalog behind the shipped nginx site (deploy/nginx/katalog.conf).

One real stack per module, loopback only: the demo catalog (SQLite in a temp data dir, a copy of
the run's `db upgrade` + `catalog seed --demo`, tests/demo_template.py) under gunicorn started
with deploy/catalog-web.service's own flags, and Debian's nginx (installed by .ci/run, never
here) running the site file rendered with this test's ports and paths, the same substitution of
its four @PLACEHOLDER@s the README gives operators. Through nginx:

- a clone, a push of more than 50 MB of incompressible data, and a clone that brings it back;
- static files by hashed URL come from nginx itself (gunicorn never sees them), cached for a year;
  gzip for HTML, JSON and CSS, never added to git responses;
- the app sees the client's address, the one nginx appends to X-Forwarded-For: sign-in
  throttling counts per that address, and a client's own X-Forwarded-For cannot pick it;
- absolute links use CATALOG_BASE_URL whatever Host the client sends.

nginx tells its clients apart here by loopback source address (127.0.0.2, 127.0.0.3: every
127/8 address is local on Linux), while gunicorn's peer is always nginx at 127.0.0.1.
"""
from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from catalog.config import PROJECT_ROOT
from seed.demo_copy import copy_demo_data
from tests.repos.gitclient import GIT_ENV, with_token

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nginx")]

SITE = PROJECT_ROOT / "deploy" / "nginx" / "katalog.conf"
WEB_UNIT = PROJECT_ROOT / "deploy" / "catalog-web.service"
ADOPTER = "adopsi@tanjungpinangkota.go.id"       # README, demo accounts
ADOPTER_PASSWORD = "adopsi-demo-2026"
FORK = "kota-tanjung-pinang/simanja.git"          # the demo adopter's fork
BIG_PUSH_BYTES = 60 * 1024 * 1024                 # > 50 MB, random: git cannot shrink it
TIMEOUT = 60                                      # seconds for any ordinary subprocess or request
GIT_BIG_TIMEOUT = 300                             # for the big push and the clone bringing it back


def _nginx() -> str | None:
    """Debian puts nginx in /usr/sbin, which an ordinary user's PATH may lack."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, log: Path, deadline: float) -> None:
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            alive = proc.poll() is None and time.monotonic() < deadline
            assert alive, f"{proc.args[0]} did not come up:\n{log.read_text(errors='replace')[-4000:]}"
            time.sleep(0.1)


def _stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


def render_site(*, listen: str, server_name: str, upstream: str, static_dir: str) -> str:
    """deploy/nginx/katalog.conf with its placeholders filled (README, "Behind nginx": the sed line)."""
    text = SITE.read_text()
    for name, value in {"LISTEN": listen, "SERVER_NAME": server_name, "UPSTREAM": upstream,
                        "STATIC_DIR": static_dir}.items():
        assert f"@{name}@" in text, f"the site file lost its @{name}@ placeholder"
        text = text.replace(f"@{name}@", value)
    assert not re.search(r"@[A-Z_]+@", text), "a placeholder the README does not name"
    return text


def _nginx_conf(tmp: Path, site: Path) -> str:
    """The few lines of /etc/nginx/nginx.conf the site relies on, with everything in the temp dir."""
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    mime = Path("/etc/nginx/mime.types")
    types = f"include {mime};" if mime.is_file() else \
        "types { text/html html; text/css css; application/javascript js; image/svg+xml svg; }"
    temp = "\n".join(f"    {kind}_temp_path {tmp / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                         "uwsgi", "scgi"))
    return f"""daemon off;
master_process on;
worker_processes 1;
pid {tmp / 'nginx.pid'};
error_log {tmp / 'error.log'} info;
{user}events {{ worker_connections 256; }}
http {{
    {types}
    default_type application/octet-stream;
    sendfile on;
    access_log {tmp / 'access.log'};
{temp}
    include {site};
}}
"""


def _gunicorn_args(port: int) -> list[str]:
    """deploy/catalog-web.service's ExecStart, with this test's bind and two workers."""
    exec_start = next(line.split("=", 1)[1] for line in WEB_UNIT.read_text().splitlines()
                      if line.startswith("ExecStart="))
    argv = shlex.split(exec_start)
    assert argv[0].endswith("/gunicorn") and argv[1:3] == ["-c", "gunicorn.conf.py"]
    assert "--worker-class" in argv and argv[argv.index("--worker-class") + 1] == "gthread"
    args = argv[1:]
    args[args.index("--bind") + 1] = f"127.0.0.1:{port}"
    args[args.index("--workers") + 1] = "2"
    return [sys.executable, "-m", "gunicorn", *args]


@dataclass
class Stack:
    tmp: Path
    nginx_port: int
    gunicorn_port: int
    base: str
    token: str
    gunicorn_log: Path

    def request(self, method: str, path: str, *, headers: dict | None = None, body: bytes | None = None,
                source: str = "127.0.0.1", direct: bool = False) -> tuple[int, dict, bytes]:
        """One HTTP request to nginx (or straight to gunicorn), from a chosen loopback address."""
        port = self.gunicorn_port if direct else self.nginx_port
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT, source_address=(source, 0))
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def log_lines(self) -> list[dict]:
        """gunicorn's JSON request lines (CATALOG_LOG_FORMAT=json), each one request the app served."""
        lines = []
        for raw in self.gunicorn_log.read_text(errors="replace").splitlines():
            if raw.startswith("{"):
                entry = json.loads(raw)
                if entry.get("logger") == "catalog.request":
                    lines.append(entry)
        return lines

    def log_until(self, done, seconds: float = 10) -> list[dict]:
        """The request lines once `done(lines)` holds (a line is written as its response closes,
        a moment after the client has read it), or as they are after `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            lines = self.log_lines()
            if done(lines) or time.monotonic() > deadline:
                return lines
            time.sleep(0.05)


@pytest.fixture(scope="module")
def stack(tmp_path_factory, demo_template):
    nginx = _nginx()
    if nginx is None:
        pytest.skip("nginx is not on PATH (nor in /usr/sbin): .ci/run installs Debian's nginx package")
    tmp = tmp_path_factory.mktemp("nginx")
    data_dir = copy_demo_data(demo_template, tmp / "data")  # `db upgrade` + `catalog seed --demo`, once per run
    nginx_port, gunicorn_port = _free_port(), _free_port()
    base = f"http://127.0.0.1:{nginx_port}"
    env = {**os.environ, "CATALOG_DATA_DIR": str(data_dir), "CATALOG_ENV": "development",
           "CATALOG_ALLOW_LOCAL_REPOS": "1", "CATALOG_TRUSTED_PROXIES": "1", "CATALOG_BASE_URL": base,
           "CATALOG_LOG_FORMAT": "json", "XDG_RUNTIME_DIR": str(tmp)}  # gunicorn's control socket there
    for key in ("CATALOG_DATABASE_URL", "CATALOG_REDIS_URL", "CATALOG_METRICS_TOKEN", "PROMETHEUS_MULTIPROC_DIR",
                "CATALOG_JOBS_IMMEDIATE"):
        env.pop(key, None)

    def flask(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=PROJECT_ROOT, env=env,
                              capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, f"flask {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    token = flask("catalog", "create-token", "--email", ADOPTER, "--label", "nginx test", "--scope", "git") \
        .strip().splitlines()[-1]

    site = tmp / "katalog.conf"
    site.write_text(render_site(listen=f"127.0.0.1:{nginx_port}", server_name="katalog.example.go.id",
                                upstream=f"127.0.0.1:{gunicorn_port}",
                                static_dir=str(PROJECT_ROOT / "catalog" / "static")))
    conf = tmp / "nginx.conf"
    conf.write_text(_nginx_conf(tmp, site))
    nginx_cmd = [nginx, "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(conf)]
    checked = subprocess.run([*nginx_cmd, "-t"], capture_output=True, text=True, timeout=TIMEOUT)
    assert checked.returncode == 0, checked.stderr

    gunicorn_log, nginx_log = tmp / "gunicorn.log", tmp / "nginx.out"
    web = proxy = None
    try:
        with open(gunicorn_log, "wb") as out:
            web = subprocess.Popen(_gunicorn_args(gunicorn_port), cwd=PROJECT_ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        with open(nginx_log, "wb") as out:
            proxy = subprocess.Popen(nginx_cmd, cwd=tmp, stdout=out, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 90
        _wait_for_port(gunicorn_port, web, gunicorn_log, deadline)
        _wait_for_port(nginx_port, proxy, tmp / "error.log", deadline)
        yield Stack(tmp, nginx_port, gunicorn_port, base, token, gunicorn_log)
    finally:
        _stop(proxy)
        _stop(web)


def _git(*args: str, cwd: Path | None = None, timeout: int = TIMEOUT) -> subprocess.CompletedProcess:
    done = subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"git {args[0]}: {done.stdout}\n{done.stderr}"
    return done


# --- (1) git through nginx: clone, a push of more than 50 MB, and back -----------------------------

def test_clone_and_a_push_of_more_than_50_mb_through_nginx(stack, tmp_path, record_property):
    url = with_token(f"{stack.base}/git/{FORK}", stack.token)
    work = tmp_path / "work"
    _git("clone", "-q", url, str(work))
    _git("checkout", "-q", "-b", "besar", cwd=work)
    big = work / "data" / "acak.bin"
    big.parent.mkdir()
    with open(big, "wb") as out:  # incompressible: the pack is as big as the file
        for _ in range(BIG_PUSH_BYTES // (1024 * 1024)):
            out.write(os.urandom(1024 * 1024))
    _git("add", "data/acak.bin", cwd=work)
    _git("commit", "-q", "-m", "Data uji 60 MB", cwd=work)
    pushed = _git("rev-parse", "HEAD", cwd=work).stdout.strip()

    started = time.monotonic()
    _git("push", "-q", "origin", "besar", cwd=work, timeout=GIT_BIG_TIMEOUT)
    push_seconds = time.monotonic() - started
    started = time.monotonic()
    again = tmp_path / "again"
    _git("clone", "-q", "--branch", "besar", url, str(again), timeout=GIT_BIG_TIMEOUT)
    clone_seconds = time.monotonic() - started
    record_property("push_mb_s", f"{BIG_PUSH_BYTES / 2**20:.0f} MiB in {push_seconds:.1f} s")
    record_property("clone_s", f"{clone_seconds:.1f}")
    print(f"push of {BIG_PUSH_BYTES // 2**20} MiB through nginx: {push_seconds:.1f} s; "
          f"clone back: {clone_seconds:.1f} s")

    assert _git("rev-parse", "HEAD", cwd=again).stdout.strip() == pushed
    assert hashlib.sha256((again / "data" / "acak.bin").read_bytes()).digest() == \
        hashlib.sha256(big.read_bytes()).digest()

    def pushed_ok(lines):
        return any(e["method"] == "POST" and (e["path"] or "").startswith("/git/") and e["status"] == 200
                   for e in lines)
    assert pushed_ok(stack.log_until(pushed_ok))


def test_git_responses_are_not_compressed_by_nginx(stack):
    status, headers, body = stack.request(
        "GET", f"/git/{FORK}/info/refs?service=git-upload-pack",
        headers={"Accept-Encoding": "gzip", "Authorization": "Basic " + _basic(stack.token)})
    assert status == 200 and "content-encoding" not in headers
    assert body.startswith(b"001e# service=git-upload-pack\n")


def _basic(token: str) -> str:
    import base64
    return base64.b64encode(f"x:{token}".encode()).decode()


# --- (2) static files from nginx, cached for a year; gzip where it belongs -------------------------

def test_hashed_static_files_come_from_nginx_with_long_lived_cache_headers(stack):
    status, _headers, page = stack.request("GET", "/")
    assert status == 200
    css_url = re.search(r'/static/[0-9a-f]{12}/css/catalog\.css', page.decode()).group(0)

    status, headers, body = stack.request("GET", css_url)
    assert status == 200
    assert body == (PROJECT_ROOT / "catalog" / "static" / "css" / "catalog.css").read_bytes()
    cache = headers["cache-control"]
    assert "immutable" in cache and "max-age=31536000" in cache and "public" in cache
    assert headers["content-type"].startswith("text/css")
    status, headers, _ = stack.request("GET", "/static/css/catalog.css")  # a plain name: short max age
    assert status == 200 and "max-age=300" in headers["cache-control"]

    # gunicorn never saw them: none of its request lines is for a static file
    lines = stack.log_until(lambda lines: any(e["path"] == "/" for e in lines))
    assert any(e["path"] == "/" for e in lines)  # the app does log what it serves
    assert not [e for e in lines if "static" in (e.get("path") or "")]


def test_gzip_for_html_json_and_css_once(stack):
    """CSS is compressed by nginx (it serves the file), pages and JSON by the app; either way once."""
    _status, _headers, page = stack.request("GET", "/")
    css_url = re.search(r'/static/[0-9a-f]{12}/css/catalog\.css', page.decode()).group(0)
    css = (PROJECT_ROOT / "catalog" / "static" / "css" / "catalog.css").read_bytes()
    for path, kind in ((css_url, "text/css"), ("/", "text/html"), ("/api/v1/apps?per_page=5", "application/json")):
        status, headers, body = stack.request("GET", path, headers={"Accept-Encoding": "gzip"})
        assert status == 200 and headers["content-type"].startswith(kind)
        assert headers.get("content-encoding") == "gzip", (path, headers)
        plain = gzip.decompress(body)  # one decompression gives the document itself
        if kind == "text/css":
            assert plain == css
        elif kind == "text/html":
            assert plain.lstrip().lower().startswith(b"<!doctype html")
        else:
            assert json.loads(plain)["items"]


def test_gunicorn_sends_one_date_and_honours_q0(stack):
    """Straight to gunicorn, its header lines as sent: werkzeug's make_conditional (called by
    Flask-Compress on every compressed answer) adds a Date, and gunicorn drops the app's Date
    for its own (gunicorn.util.hop_headers), so one Date line; a coding rated q=0 is not used."""
    for coding, expected in (("gzip", "gzip"), ("gzip;q=0", None)):
        conn = http.client.HTTPConnection("127.0.0.1", stack.gunicorn_port, timeout=TIMEOUT)
        try:
            conn.request("GET", "/api/v1/openapi.json", headers={"Accept-Encoding": coding})
            resp = conn.getresponse()
            resp.read()
            lines = resp.getheaders()
        finally:
            conn.close()
        assert resp.status == 200
        assert [k for k, _v in lines if k.lower() == "date"] == ["Date"], lines
        assert resp.getheader("Content-Encoding") == expected, (coding, lines)


# --- (3) the client's own address, not the proxy's and not one the client names --------------------

def _login_form(stack: Stack, source: str) -> tuple[str, str]:
    status, headers, body = stack.request("GET", "/login", source=source)
    assert status == 200
    cookie = SimpleCookie()
    cookie.load(headers.get("set-cookie", ""))
    token = re.search(r'name="csrf_token" value="([^"]+)"', body.decode()).group(1)
    return "; ".join(f"{k}={m.value}" for k, m in cookie.items()), token


def _sign_in(stack: Stack, source: str, password: str, forged: str | None = None) -> int:
    cookie, csrf = _login_form(stack, source)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    if forged:
        headers["X-Forwarded-For"] = forged
    body = urllib.parse.urlencode({"email": ADOPTER, "password": password, "csrf_token": csrf, "next": ""})
    return stack.request("POST", "/login", headers=headers, body=body.encode(), source=source)[0]


def test_sign_in_throttling_counts_the_address_nginx_saw_and_a_forged_header_changes_nothing(stack):
    guesser, colleague = "127.0.0.2", "127.0.0.3"
    # Five wrong passwords from one address, each naming a different address of its own: all five
    # count against the guesser's real address, so the sixth try (right password) is refused.
    codes = [_sign_in(stack, guesser, "tebakan-salah", forged=f"203.0.113.{i}") for i in range(5)]
    assert codes == [401] * 5
    assert _sign_in(stack, guesser, ADOPTER_PASSWORD, forged="198.51.100.99") == 429
    # The same account from another address is not locked: the throttle saw two addresses, not
    # one proxy.
    assert _sign_in(stack, colleague, ADOPTER_PASSWORD) == 302

    def login_posts(lines):
        return [e for e in lines if e["path"] == "/login" and e["method"] == "POST"]
    posts = login_posts(stack.log_until(lambda lines: len(login_posts(lines)) >= 7))
    assert [e["client"] for e in posts if e["status"] in (401, 429)] == [guesser] * 6
    assert [e["client"] for e in posts if e["status"] == 302] == [colleague]
    assert not [e for e in stack.log_lines() if (e["client"] or "").startswith(("203.0.113.", "198.51.100."))]


def test_trusted_proxies_1_means_only_nginx_may_reach_gunicorn(stack):
    """CATALOG_TRUSTED_PROXIES=1 believes the last X-Forwarded-For hop, whoever sent it: through
    nginx that hop is nginx's own, but a client reaching gunicorn's port directly names its own
    address. Hence the loopback bind in deploy/catalog-web.service (documented, pinned here)."""
    stack.request("GET", "/healthz", headers={"X-Forwarded-For": "192.0.2.77"}, direct=True)
    stack.request("GET", "/healthz", headers={"X-Forwarded-For": "192.0.2.78"}, source="127.0.0.4")

    def clients(lines):
        return {e["client"] for e in lines if e["path"] == "/healthz"}
    seen = clients(stack.log_until(lambda lines: {"192.0.2.77", "127.0.0.4"} <= clients(lines)))
    assert "192.0.2.77" in seen            # direct: believed (gunicorn must not be reachable)
    assert "192.0.2.78" not in seen and "127.0.0.4" in seen  # through nginx: the real address


def test_metrics_through_nginx_need_the_token(stack):
    """/metrics is left to the app: every request through nginx carries X-Forwarded-For, so
    without CATALOG_METRICS_TOKEN set it is refused even from loopback; gunicorn's port answers."""
    assert stack.request("GET", "/metrics")[0] == 403
    assert stack.request("GET", "/metrics", direct=True)[0] == 200


# --- (4) links from CATALOG_BASE_URL, whatever Host the client sends --------------------------------

def test_absolute_links_use_the_base_url_not_the_host_header(stack):
    for host in ("katalog.example.go.id", "penipu.example.com", f"127.0.0.1:{stack.nginx_port}"):
        status, _headers, body = stack.request("GET", "/api/v1/apps/simanja",
                                               headers={"Host": host, "X-Forwarded-Host": "penipu.example.com"})
        assert status == 200
        url = json.loads(body)["url"]
        assert url == f"{stack.base}/apps/simanja", url


# --- the environment file template ----------------------------------------------------------------

def test_env_example_names_every_setting_of_the_readme_configuration_table():
    readme = (PROJECT_ROOT / "README.md").read_text()
    table = re.findall(r"^\| `((?:CATALOG|PROMETHEUS)_[A-Z_]+)` \|", readme, flags=re.MULTILINE)
    example = (PROJECT_ROOT / "deploy" / "catalog.env.example").read_text()
    assert len(table) > 15
    assert [name for name in table if not re.search(rf"^#?{name}=", example, flags=re.MULTILINE)] == []
    settings = dict(line.split("=", 1) for line in example.splitlines() if line and not line.startswith("#"))
    assert settings["CATALOG_TRUSTED_PROXIES"] == "1"
    assert settings["CATALOG_BASE_URL"] == "https://katalog.example.go.id"
    assert settings["CATALOG_ENV"] == "production"
    assert settings["CATALOG_SECRET_KEY"] == settings["CATALOG_AUDIT_DIGEST_KEY"] == "CHANGE-ME"
    worker = next(line for line in (PROJECT_ROOT / "deploy" / "catalog-worker.service").read_text().splitlines()
                  if line.startswith("ExecStart="))
    assert shlex.split(worker.split("=", 1)[1])[1:] == ["--app", "wsgi", "catalog", "worker"]
