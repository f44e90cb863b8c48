"""Two catalog nodes on one machine, as README "Lebih dari satu server" sets them up on two.

Nodes A and B each run gunicorn, a job worker and (once the command exists) the search-index
follower, with a data dir, index dir and CATALOG_NODE_ID of their own. They share one PostgreSQL
database, one Redis database for the queue, and one repositories folder, linked into each data
dir as `repos` the way every node mounts the same storage at the same path. nginx on loopback
balances between them with deploy/nginx/katalog.conf, its upstream block replaced by
deploy/nginx/katalog-nodes.conf. Used by tests/scale/test_two_nodes.py and `loadtest.run --nodes 2`.
"""
from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .stack import ROOT, Stack, free_port

SITE = ROOT / "deploy" / "nginx" / "katalog.conf"
NODES_UPSTREAM = ROOT / "deploy" / "nginx" / "katalog-nodes.conf"
FOLLOW_COMMAND = ("catalog", "follow-index")


def nginx_binary() -> str | None:
    """Debian puts nginx in /usr/sbin, which an ordinary user's PATH may lack."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")


def render_two_node_site(*, listen: str, node_a: str, node_b: str, static_dir: str) -> str:
    """katalog.conf with katalog-nodes.conf's upstream block in place of its own, placeholders filled."""
    site = SITE.read_text()
    upstream = re.search(r"^upstream katalog_web \{.*?^\}", NODES_UPSTREAM.read_text(), re.M | re.S).group(0)
    site, replaced = re.subn(r"^upstream katalog_web \{.*?^\}", lambda _m: upstream, site, flags=re.M | re.S)
    if replaced != 1:
        raise RuntimeError("deploy/nginx/katalog.conf lost its upstream block")
    values = {"LISTEN": listen, "SERVER_NAME": "katalog.example.go.id", "STATIC_DIR": static_dir,
              "NODE_A": node_a, "NODE_B": node_b}
    for name, value in values.items():
        site = site.replace(f"@{name}@", value)
    live = "\n".join(line for line in site.splitlines() if not line.lstrip().startswith("#"))
    if left := re.findall(r"@[A-Z_]+@", live):
        raise RuntimeError(f"placeholders left in the rendered site: {left}")
    return site


def _nginx_conf(tmp: Path, site: Path) -> str:
    """The lines of /etc/nginx/nginx.conf the site relies on, with everything in `tmp`."""
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    mime = Path("/etc/nginx/mime.types")
    types = f"include {mime};" if mime.is_file() else "types { text/html html; text/css css; }"
    temp = "\n".join(f"    {kind}_temp_path {tmp / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                         "scgi"))
    return (f"daemon off;\nmaster_process on;\nworker_processes 1;\npid {tmp / 'nginx.pid'};\n"
            f"error_log {tmp / 'error.log'} info;\n{user}events {{ worker_connections 512; }}\n"
            f"http {{\n    {types}\n    default_type application/octet-stream;\n    sendfile on;\n"
            f"    log_format upstreams '$msec $status \"$request\" $upstream_addr $upstream_status';\n"
            f"    access_log {tmp / 'access.log'} upstreams;\n{temp}\n    include {site};\n}}\n")


class Node(Stack):
    """One application node: gunicorn, a job worker and the index follower, on its own data dir."""

    def __init__(self, name: str, data_dir: Path, *, shared_repos: Path, database_url: str, redis_url: str,
                 base_url: str, web_workers: int, threads: int):
        data_dir.mkdir(parents=True, exist_ok=True)
        (data_dir / "repos").symlink_to(shared_repos, target_is_directory=True)
        super().__init__(data_dir, database_url=database_url, web_workers=web_workers, threads=threads,
                         redis_url=redis_url)
        self.name = name
        self.env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        self.env.update({"CATALOG_NODE_ID": name, "CATALOG_INDEX_DIR": str(data_dir / "search-index"),
                         "CATALOG_BASE_URL": base_url, "CATALOG_TRUSTED_PROXIES": "1",
                         "XDG_RUNTIME_DIR": str(data_dir)})  # gunicorn's control socket, one per node

    def start(self) -> None:
        """The follower first (a node without an index builds it), then the worker and gunicorn."""
        with open(self.log_path, "ab") as log:
            self.procs["follower"] = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", *FOLLOW_COMMAND], cwd=ROOT, env=self.env,
                stdout=log, stderr=log, start_new_session=True)
        super().start()

    def kill(self) -> None:
        """The machine dies: SIGKILL to every process of the node, nothing shut down cleanly."""
        for proc in self.procs.values():
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for proc in self.procs.values():
            proc.wait(timeout=30)
        self.procs.clear()


class Cluster:
    """Nodes A and B behind nginx; `base` is nginx's address (CATALOG_BASE_URL on both nodes)."""

    def __init__(self, root: Path, *, database_url: str, redis_url: str, web_workers: int = 2, threads: int = 4):
        self.root = root
        self.database_url, self.redis_url = database_url, redis_url
        self.repos = root / "shared-repos"
        self.repos.mkdir(parents=True, exist_ok=True)
        self.nginx_port = free_port()
        self.base = f"http://127.0.0.1:{self.nginx_port}"
        self.a, self.b = (Node(name, root / f"node-{name.lower()}", shared_repos=self.repos,
                               database_url=database_url, redis_url=redis_url, base_url=self.base,
                               web_workers=web_workers, threads=threads) for name in ("A", "B"))
        self.nodes = (self.a, self.b)
        self.nginx: subprocess.Popen | None = None

    # the interface of Stack that loadtest.run uses
    @property
    def procs(self) -> dict[str, subprocess.Popen]:
        return self.a.procs

    def flask(self, *args: str, input: str | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
        return self.a.flask(*args, input=input, timeout=timeout)

    def access_counts(self) -> tuple[int, int]:
        counts = [node.access_counts() for node in self.nodes]
        return sum(c[0] for c in counts), sum(c[1] for c in counts)

    def wait_for_jobs(self, timeout: float = 180) -> bool:
        return self.a.wait_for_jobs(timeout)

    def start(self) -> None:
        """After `db upgrade` and seeding through node A: each node's follower builds its index, then all starts."""
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda node: node.start(), self.nodes))
        self.start_nginx()

    def start_nginx(self) -> None:
        nginx = nginx_binary()
        if nginx is None:
            raise RuntimeError("nginx is not installed")
        tmp = self.root / "nginx"
        tmp.mkdir(exist_ok=True)
        site = tmp / "katalog.conf"
        site.write_text(render_two_node_site(listen=f"127.0.0.1:{self.nginx_port}", node_a=f"127.0.0.1:{self.a.port}",
                                             node_b=f"127.0.0.1:{self.b.port}",
                                             static_dir=str(ROOT / "catalog" / "static")))
        conf = tmp / "nginx.conf"
        conf.write_text(_nginx_conf(tmp, site))
        cmd = [nginx, "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(conf)]
        checked = subprocess.run([*cmd, "-t"], capture_output=True, text=True, timeout=60)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx -t: {checked.stderr}")
        with open(tmp / "nginx.out", "ab") as out:
            self.nginx = subprocess.Popen(cmd, cwd=tmp, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2).read()
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                if self.nginx.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start; see {tmp / 'error.log'}") from None
                time.sleep(0.1)

    def passed_on(self) -> list[str]:
        """nginx's log lines of requests it sent to more than one node (the first could not answer)."""
        log = self.root / "nginx" / "access.log"
        lines = log.read_text(errors="replace").splitlines() if log.exists() else []
        return [line for line in lines if ", " in line.rsplit('" ', 1)[-1]]

    def restart(self, node: Node) -> None:
        """A node back after a crash: its follower catches up from the change log, and nginx gives it
        requests once its fail_timeout has passed."""
        node.start()

    def stop(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            try:
                os.killpg(self.nginx.pid, signal.SIGTERM)
                self.nginx.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.nginx.pid, signal.SIGKILL)
                self.nginx.wait(timeout=10)
            except ProcessLookupError:
                pass
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda node: node.stop(), self.nodes))


def flush_redis(url: str) -> None:
    """Empty the queue's Redis database (this run's own number), so no job of an earlier run is taken."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()
