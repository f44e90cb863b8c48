"""Virtual users: reads, searches, forks, pushes over HTTP and deployment updates, with a record of
every request and of every write the server acknowledged."""
from __future__ import annotations

import base64
import os
import random
import subprocess
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import requests

# Published demo apps and a release of each (deployments name a version).
DEPLOYABLE = {"jdih": "v4.0.0", "simpeg": "v5.3.0", "e-office": "v1.4.0", "opensid": "v24.02",
              "slims": "v9.6.1", "e-parkir": "v0.9.0", "sig-umkm": "v1.0.0"}
ENVIRONMENTS = ("production", "staging", "pilot")
NEXT = {"planned": "installing", "installing": "pilot", "pilot": "production", "production": "suspended",
        "suspended": "retired"}
QUERIES = ("kepegawaian", "arsip", "desa", "keuangan daerah", "parkir", "surat dinas", "pegawai", "perpustakaan",
           "pengaduan", "simpeg", "opensid", "umkm", "kinerja", "hukum", "absen", "perizinan", "employee",
           "arsip dinamis", "kepegawain", "sistem informasi desa")
SLUGS = ("srikandi", "sp4n-lapor", "simanja", "siap", *DEPLOYABLE, "sipkd")
GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_TERMINAL_PROMPT": "0",
           "GIT_AUTHOR_NAME": "Staf TI Uji Beban", "GIT_AUTHOR_EMAIL": "ti@uji-beban.go.id",
           "GIT_COMMITTER_NAME": "Staf TI Uji Beban", "GIT_COMMITTER_EMAIL": "ti@uji-beban.go.id"}
# (kind, weight): the mix each user draws from
MIX = (("page", 30), ("api_read", 20), ("search", 20), ("fork", 6), ("push", 10), ("deploy", 14))
SLOTS = [(app, env) for env in ENVIRONMENTS for app in DEPLOYABLE]  # one non-retired deployment each per org


@dataclass(frozen=True)
class Adopter:
    email: str
    org: str        # Kemendagri code, e.g. "21.72"
    token: str


@dataclass
class Record:
    """What all users saw; shared, guarded by a lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)          # exceptions (no HTTP answer)
    server_errors: list[str] = field(default_factory=list)    # 5xx: "<kind> <status> <path>"
    failures: list[str] = field(default_factory=list)         # no answer: "<kind> <path>: <exception>"
    forks: dict[int, str] = field(default_factory=dict)       # acknowledged fork id -> relpath
    pushes: list[tuple[str, str]] = field(default_factory=list)  # acknowledged (relpath, sha)
    push_failures: int = 0
    deployments: dict[int, str] = field(default_factory=dict)  # id -> last acknowledged status
    deployment_writes: list[tuple[int, str, str, str]] = field(default_factory=list)  # (id, kind, from, to)
    unacked: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))  # sent, no answer

    def request(self, kind: str, status: int | None, seconds: float, path: str, why: str = "") -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if status is None:
                self.errors[kind] += 1
                self.failures.append(f"{kind} {path}: {why}"[:300])
                return
            self.statuses[status] += 1
            if status >= 500:
                self.server_errors.append(f"{kind} {status} {path}")


class User(threading.Thread):
    """One person: draws actions from MIX until the deadline, waits `think` seconds between."""

    def __init__(self, n: int, base: str, adopter: Adopter, slot: tuple[str, str], record: Record, work: Path,
                 deadline: float, think: float, seed: int):
        super().__init__(name=f"user-{n}", daemon=True)
        self.n, self.base, self.adopter, self.record, self.work = n, base, adopter, record, work
        self.deadline, self.think = deadline, think
        self.rng = random.Random(seed)
        self.http = requests.Session()
        self.own_forks: list[tuple[int, str]] = []  # (id, relpath) acknowledged
        self.fork_counter = 0
        self.slot = slot  # (app, environment): the one deployment this user looks after
        self.deployment: int | None = None
        self.deployment_status = ""

    # -- plumbing ---------------------------------------------------------------------------
    def call(self, kind: str, method: str, path: str, *, json: dict | None = None, auth: bool = False,
             params: dict | None = None) -> requests.Response | None:
        headers = {"Authorization": f"Bearer {self.adopter.token}"} if auth else {}
        started = time.monotonic()
        try:
            r = self.http.request(method, self.base + path, json=json, params=params, headers=headers, timeout=120)
        except requests.RequestException as exc:
            self.record.request(kind, None, time.monotonic() - started, path, f"{type(exc).__name__}: {exc}")
            return None
        self.record.request(kind, r.status_code, time.monotonic() - started, path)
        return r

    def run(self) -> None:
        kinds = [k for k, _ in MIX]
        weights = [w for _, w in MIX]
        while time.monotonic() < self.deadline:
            getattr(self, self.rng.choices(kinds, weights)[0])()
            time.sleep(self.rng.uniform(0, 2 * self.think))

    # -- reads ------------------------------------------------------------------------------
    def page(self) -> None:
        choice = self.rng.random()
        if choice < 0.2:
            self.call("page", "GET", "/")
        elif choice < 0.7:
            self.call("page", "GET", f"/apps/{self.rng.choice(SLUGS)}")
        elif choice < 0.85 and self.own_forks:
            self.call("page", "GET", f"/forks/{self.rng.choice(self.own_forks)[0]}")
        else:
            self.call("page", "GET", "/apps", params={"category": "document-management"})

    def api_read(self) -> None:
        choice = self.rng.random()
        if choice < 0.3:
            self.call("api_read", "GET", "/api/v1/apps", params={"page": self.rng.randint(1, 2), "per_page": 10})
        elif choice < 0.6:
            self.call("api_read", "GET", f"/api/v1/apps/{self.rng.choice(SLUGS)}")
        elif choice < 0.8:
            self.call("api_read", "GET", "/api/v1/deployments", params={"org": self.adopter.org})
        else:
            self.call("api_read", "GET", "/api/v1/organizations", params={"kind": "city", "per_page": 50})

    def search(self) -> None:
        q = self.rng.choice(QUERIES)
        if self.rng.random() < 0.5:
            self.call("search", "GET", "/apps", params={"q": q})
        else:
            self.call("search", "GET", "/api/v1/apps", params={"q": q})

    # -- writes -----------------------------------------------------------------------------
    def fork(self) -> None:
        if len(self.own_forks) >= 4:
            return self.push()
        self.fork_counter += 1
        name = f"beban-{self.n:02d}-{self.fork_counter}"
        r = self.call("fork", "POST", f"/api/v1/apps/{self.rng.choice(list(DEPLOYABLE))}/forks", json={"name": name},
                      auth=True)
        if r is not None and r.status_code == 201:
            relpath = r.json()["clone_url"].split("/git/", 1)[1]  # <org-slug>/<name>.git
            self.own_forks.append((r.json()["id"], relpath))
            with self.record.lock:
                self.record.forks[r.json()["id"]] = relpath

    def _git(self, *args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, capture_output=True,
                              text=True, timeout=timeout)

    def push(self) -> None:
        if not self.own_forks:
            return self.fork()
        fork_id, relpath = self.rng.choice(self.own_forks)
        url = f"{self.base}/git/{relpath}"
        clone = self.work / relpath.replace("/", "__")
        started = time.monotonic()
        if not clone.exists():
            cloned = self._git("clone", "-q", url, str(clone))
            self.record.request("git_clone", 200 if cloned.returncode == 0 else None, time.monotonic() - started, url,
                                cloned.stderr.strip()[-200:])
            if cloned.returncode != 0:
                return
        (clone / "daerah").mkdir(exist_ok=True)
        stamp = f"{self.n}-{time.monotonic_ns()}"
        (clone / "daerah" / f"ubah-{stamp}.txt").write_text(f"perubahan daerah {stamp}\n")
        self._git("add", ".", cwd=clone)
        self._git("commit", "-qm", f"Perubahan daerah {stamp}", cwd=clone)
        sha = self._git("rev-parse", "HEAD", cwd=clone).stdout.strip()
        basic = base64.b64encode(f"x:{self.adopter.token}".encode()).decode()
        started = time.monotonic()
        pushed = self._git("-c", f"http.extraHeader=Authorization: Basic {basic}", "push", "-q", "origin",
                           "HEAD:main", cwd=clone)
        self.record.request("git_push", 200 if pushed.returncode == 0 else None, time.monotonic() - started, url,
                            pushed.stderr.strip()[-200:])
        with self.record.lock:
            if pushed.returncode == 0:
                self.record.pushes.append((relpath, sha))
            else:
                self.record.push_failures += 1
        if pushed.returncode != 0:  # start again from what the server has
            self._git("fetch", "-q", "origin", cwd=clone)
            self._git("reset", "-q", "--hard", "origin/main", cwd=clone)

    def deploy(self) -> None:
        if self.deployment is None or self.deployment_status == "retired":
            return self._create_deployment()
        target = NEXT[self.deployment_status]
        with self.record.lock:
            self.record.unacked[self.deployment].append(target)
        r = self.call("deploy", "POST", f"/api/v1/deployments/{self.deployment}/status",
                      json={"status": target, "note": f"uji beban {self.n}"}, auth=True)
        if r is not None and r.status_code == 200:
            with self.record.lock:
                self.record.deployment_writes.append((self.deployment, "status", self.deployment_status, target))
            self._acked(self.deployment, r.json()["status"])
        elif r is not None and r.status_code == 409:  # someone else moved it: read it back
            self._reload()

    def _create_deployment(self) -> None:
        app, env = self.slot
        r = self.call("deploy", "POST", "/api/v1/deployments", auth=True, json={
            "org": self.adopter.org, "app": app, "environment": env, "status": "planned",
            "version": DEPLOYABLE[app], "hosting": "pusat_data_daerah", "note": f"uji beban {self.n}"})
        if r is not None and r.status_code == 201:
            self.deployment = r.json()["id"]
            with self.record.lock:
                self.record.deployment_writes.append((self.deployment, "created", "", "planned"))
            self._acked(self.deployment, r.json()["status"])
        elif r is not None and r.status_code == 409:  # the slot holds a deployment already: take it over
            self._reload()

    def _reload(self) -> None:
        app, env = self.slot
        r = self.call("api_read", "GET", "/api/v1/deployments", params={"org": self.adopter.org, "app": app,
                                                                         "per_page": 100}, auth=True)
        if r is None or r.status_code != 200:
            return
        live = [d for d in r.json()["items"] if d["environment"] == env and d["status"] != "retired"]
        if live:
            self.deployment = live[0]["id"]
            self._acked(self.deployment, live[0]["status"])

    def _acked(self, dep_id: int, status: str) -> None:
        self.deployment_status = status
        with self.record.lock:
            self.record.deployments[dep_id] = status
            self.record.unacked[dep_id] = []
