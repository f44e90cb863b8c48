"""Crash consistency: SIGKILL the web server or the worker at random points, many times, during
forks, pushes, mirror fetches and deployment writes; then check that rows, repositories and the
search index agree and that every acknowledged write is there."""
from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from seed.demo_copy import copy_demo_data

ROOT = Path(__file__).resolve().parents[2]
KILLS = 20
ADOPTER = "adopsi@tanjungpinangkota.go.id"
PUBLISHER = "penerbit@tanjungpinangkota.go.id"
GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_TERMINAL_PROMPT": "0",
           "GIT_AUTHOR_NAME": "Staf TI", "GIT_AUTHOR_EMAIL": "ti@example.go.id",
           "GIT_COMMITTER_NAME": "Staf TI", "GIT_COMMITTER_EMAIL": "ti@example.go.id"}

DEPLOYABLE = {"jdih": "v4.0.0", "simpeg": "v5.3.0", "e-office": "v1.4.0", "opensid": "v24.02",
              "slims": "v9.6.1", "e-parkir": "v0.9.0", "sig-umkm": "v1.0.0"}
NEXT = {"planned": "installing", "installing": "pilot", "pilot": "production"}

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.environ.get("CATALOG_SKIP_CRASH") == "1", reason="crash test disabled")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    """The catalog's two processes on a data dir of its own."""

    def __init__(self, data_dir: Path):
        self.env = {**os.environ, "CATALOG_DATA_DIR": str(data_dir), "CATALOG_ALLOW_LOCAL_REPOS": "1",
                    "CATALOG_SECRET_KEY": "crash-test", "CATALOG_ENV": "development"}
        for key in ("CATALOG_DATABASE_URL", "CATALOG_REDIS_URL", "CATALOG_JOBS_IMMEDIATE"):
            self.env.pop(key, None)
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(data_dir / "processes.log", "ab")
        self.procs: dict[str, subprocess.Popen] = {}

    def flask(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, input=input, timeout=300)

    def start(self, name: str) -> None:
        cmd = {"web": [sys.executable, "-m", "gunicorn", "--workers", "1", "--worker-class", "gthread",
                       "--threads", "4", "--timeout", "60", "--bind", f"127.0.0.1:{self.port}", "wsgi:app"],
               "worker": [sys.executable, "-m", "flask", "--app", "wsgi", "catalog", "worker"]}[name]
        self.procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log,
                                            start_new_session=True)
        if name == "web":
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    urllib.request.urlopen(self.base + "/api/v1/organizations?per_page=1", timeout=2).read()
                    return
                except (urllib.error.URLError, ConnectionError, OSError):
                    time.sleep(0.1)
            raise RuntimeError("web server did not start")

    def kill(self, name: str) -> None:
        proc = self.procs.pop(name)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop_all(self) -> None:
        for name in list(self.procs):
            proc = self.procs.pop(name)
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)

    def api(self, method: str, path: str, token: str | None = None, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + "/api/v1" + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(req, timeout=20) as resp:
            return resp.status, json.loads(resp.read() or b"null")


class Client:
    """Issues forks, pushes, deployment writes and mirror refreshes; remembers what was acknowledged."""

    def __init__(self, stack: Stack, work: Path, adopter_token: str, publisher_token: str, rng: random.Random):
        self.stack, self.work, self.rng = stack, work, rng
        self.adopter, self.publisher = adopter_token, publisher_token
        self.forks: dict[int, str] = {}      # acknowledged fork id -> relpath
        self.pushes: list[tuple[str, str]] = []  # (relpath, sha) acknowledged pushes
        self.deployments: dict[int, list[str]] = {}  # id -> statuses sent since the last acknowledged one
        self.acked_status: dict[int, str] = {}
        self.free_slots = [(app, env) for app, version in DEPLOYABLE.items()
                           for env in ("production", "staging", "pilot")]
        self.counter = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.rng.choice([self.fork, self.push, self.push, self.refresh, self.deploy, self.deploy])()
            except (urllib.error.URLError, http.client.HTTPException, OSError, subprocess.SubprocessError,
                    ValueError):
                # the server is down or was killed mid-request (an answer cut short is an
                # IncompleteRead): not acknowledged, and the client goes on writing
                time.sleep(0.05)

    def fork(self) -> None:
        self.counter += 1
        name = f"salinan-{self.counter}"
        status, body = self.stack.api("POST", "/apps/siap/forks", self.adopter, {"name": name})
        if status == 201:
            self.forks[body["id"]] = f"kota-tanjung-pinang/{name}.git"

    def push(self) -> None:
        if not self.forks:
            return self.fork()
        relpath = self.rng.choice(sorted(self.forks.values()))
        clone = self.work / relpath.replace("/", "__")
        url = f"{self.stack.base}/git/{relpath}"
        env = {**os.environ, **GIT_ENV}
        if not clone.exists():
            subprocess.run(["git", "clone", "-q", url, str(clone)], env=env, check=True, timeout=30,
                           capture_output=True)
        self.counter += 1
        (clone / f"daerah_{self.counter}.txt").write_text(f"perubahan {self.counter}\n")
        subprocess.run(["git", "add", "."], cwd=clone, env=env, check=True, capture_output=True)
        subprocess.run(["git", "commit", "-qm", f"Perubahan {self.counter}"], cwd=clone, env=env, check=True,
                       capture_output=True)
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=clone, env=env, capture_output=True,
                             text=True).stdout.strip()
        pushed = subprocess.run(["git", "push", "-q", url.replace("http://", f"http://x:{self.adopter}@"), "HEAD:main"],
                                cwd=clone, env=env, capture_output=True, timeout=30)
        if pushed.returncode == 0:
            self.pushes.append((relpath, sha))
        else:  # the server died mid-push: start again from what the server has
            subprocess.run(["git", "fetch", "-q", "origin"], cwd=clone, env=env, capture_output=True, timeout=30)
            subprocess.run(["git", "reset", "-q", "--hard", "origin/main"], cwd=clone, env=env, capture_output=True)

    def deploy(self) -> None:
        movable = [d for d, status in self.acked_status.items() if status in NEXT]
        if movable and (self.rng.random() < 0.6 or not self.free_slots):
            dep_id = self.rng.choice(movable)
            target = NEXT[self.acked_status[dep_id]]
            self.deployments[dep_id].append(target)
            status, body = self.stack.api("POST", f"/deployments/{dep_id}/status", self.adopter, {"status": target})
            if status == 200:
                self.acked_status[dep_id], self.deployments[dep_id] = body["status"], []
            return
        if not self.free_slots:
            return
        app, env = self.free_slots.pop(self.rng.randrange(len(self.free_slots)))
        status, body = self.stack.api("POST", "/deployments", self.adopter, {
            "org": "21.72", "app": app, "environment": env, "status": "planned",
            "version": DEPLOYABLE[app], "hosting": "pusat_data_daerah"})
        if status == 201:
            self.acked_status[body["id"]], self.deployments[body["id"]] = "planned", []

    def refresh(self) -> None:
        self.stack.api("POST", f"/apps/{self.rng.choice(['siap', 'e-parkir', 'sig-umkm'])}/refresh", self.publisher)


def _queued_jobs(stack: Stack) -> int:
    with sqlite3.connect(Path(stack.env["CATALOG_DATA_DIR"]) / "jobs.sqlite3", timeout=10) as conn:
        return conn.execute("SELECT COUNT(*) FROM task").fetchone()[0]


def _wait_settled(stack: Stack, slugs: list[str], timeout: float = 60) -> None:
    """Until the mirrors are fetched (or failed) and the worker has taken every job, three polls
    in a row: a fetch requeued twice (by fsck's repair and a periodic run, or a job retried after
    its worker was killed) sets a mirror 'queued' again after the first fetch made it ready, and
    the final fsck, run with every process stopped, counts that as a fetch that never finished."""
    deadline, quiet = time.monotonic() + timeout, 0
    while time.monotonic() < deadline:
        states = [stack.api("GET", f"/apps/{s}")[1]["mirror"]["state"] for s in slugs]
        settled = all(state in ("ready", "failed") for state in states) and _queued_jobs(stack) == 0
        quiet = quiet + 1 if settled else 0
        if quiet >= 3:
            return
        time.sleep(0.3)
    raise AssertionError(f"mirrors did not settle: {states}, {_queued_jobs(stack)} jobs queued")


def _end_leftovers(data_dir: Path) -> None:
    """SIGKILL what the killed servers left running in the data dir: a `git http-backend` runs in a
    session of its own, survives its gunicorn and, its client gone, was seen spinning at ~75% of a
    core ten minutes later, slowing the rest of the suite."""
    root = str(data_dir.resolve())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
        except OSError:  # gone, or not ours to look at
            continue
        if cwd == root or cwd.startswith(root + "/"):
            try:
                os.kill(int(entry.name), signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture
def data(tmp_path, demo_template):
    """A copy of the run's demo (`db upgrade` + `catalog seed --demo`, once per run); whatever still
    runs in it is ended after the test."""
    data_dir = copy_demo_data(demo_template, tmp_path / "data")
    yield data_dir
    _end_leftovers(data_dir)


def test_sigkill_at_random_points_loses_nothing_acknowledged(tmp_path, data):
    stack = Stack(data)
    with ThreadPoolExecutor(2) as pool:  # two flask processes booting side by side
        adopter, publisher = pool.map(
            lambda email: stack.flask("catalog", "create-token", "--email", email, "--label", "crash").stdout.strip(),
            (ADOPTER, PUBLISHER))
    rng = random.Random(20261122)
    client = Client(stack, tmp_path / "clones", adopter, publisher, rng)
    (tmp_path / "clones").mkdir()
    stack.start("web")
    stack.start("worker")
    thread = threading.Thread(target=client.run, daemon=True)
    thread.start()
    try:
        for i in range(KILLS):
            time.sleep(rng.uniform(0.3, 3.5))  # long enough, at times, for a push and its hook
            victim = "worker" if i % 3 == 2 else "web"
            stack.kill(victim)
            time.sleep(rng.uniform(0.0, 0.3))
            stack.start(victim)
    finally:
        client.stop.set()
        thread.join(timeout=60)
        stack.stop_all()
    assert client.forks and client.pushes and client.acked_status, "the client never got a write acknowledged"

    repaired = stack.flask("catalog", "fsck", "--repair", "--min-age", "0")
    stack.start("web")
    stack.start("worker")
    try:
        _wait_settled(stack, ["siap", "e-parkir", "sig-umkm"])
        for fork_id in client.forks:
            assert stack.api("GET", f"/forks/{fork_id}")[0] == 200
        for dep_id, acked in client.acked_status.items():
            current = stack.api("GET", f"/deployments/{dep_id}", adopter)[1]["status"]
            # a write killed after its commit but before its answer may also be there
            assert current in [acked, *client.deployments[dep_id]], (dep_id, acked, current)
    finally:
        stack.stop_all()
    with ThreadPoolExecutor(2) as pool:  # both only read, with every process of the stack stopped
        verifying = pool.submit(stack.flask, "catalog", "audit-verify")
        clean = stack.flask("catalog", "fsck", "--min-age", "0")
        verified = verifying.result()
    assert clean.returncode == 0 and "agree" in clean.stdout, (repaired.stdout, clean.stdout)
    repos = data / "repos"
    for relpath, sha in client.pushes:
        ok = subprocess.run(["git", "--git-dir", str(repos / relpath), "merge-base", "--is-ancestor", sha, "main"],
                            capture_output=True)
        assert ok.returncode == 0, f"acknowledged push {sha} missing from {relpath}"
    assert verified.returncode == 0, verified.stdout + verified.stderr
