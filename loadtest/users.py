"""Virtual users with API tokens: reads, searches, forks, pushes over HTTP and deployment updates; the
shared record of every request (offered, served, status, time) and of every acknowledged write.
Signed-in browser users are in `browsers.py`."""
from __future__ import annotations

import base64
import os
import random
import re
import subprocess
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

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
# One push in four is followed until the fork shows it: following every one added a fifth to the
# requests the mix sends (polls of the fork every 0.2 s), which the earlier rounds did not send.
FOLLOWED_PUSHES = 0.25
# (kind, weight): the mix each API user draws from
MIX = (("page", 30), ("api_read", 20), ("search", 20), ("fork", 6), ("push", 10), ("deploy", 14))
GIT_HTTP_STATUS = re.compile(r"(?:returned error:|HTTP) (\d{3})")
SLOTS = [(app, env) for env in ENVIRONMENTS for app in DEPLOYABLE]  # one non-retired deployment each per org


@dataclass(frozen=True)
class Adopter:
    email: str
    org: str        # Kemendagri code, e.g. "21.72"
    token: str
    password: str   # signed-in browser users of this organization log in with it


@dataclass
class Record:
    """What all users saw; shared, guarded by a lock. One sample per request a user started:
    (step, class, page, HTTP status or None when nothing answered, seconds, served from the page cache)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    samples: list[tuple[int, str, str, int | None, float, bool]] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)          # exceptions (no HTTP answer), per class
    server_errors: list[str] = field(default_factory=list)    # 5xx: "<class> <status> <path>"
    failures: list[str] = field(default_factory=list)         # no answer: "<class> <path>: <exception>"
    refusals: list[str] = field(default_factory=list)         # answered, but git says the push failed
    forks: dict[int, str] = field(default_factory=dict)       # acknowledged fork id -> relpath
    forks_by_org: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    pushes: list[tuple[str, str]] = field(default_factory=list)  # acknowledged (relpath, sha)
    push_failures: int = 0
    push_shown: list[float | None] = field(default_factory=list)  # push returned -> fork shows it (None: not in time)
    deployments: dict[int, str] = field(default_factory=dict)  # id -> last acknowledged status
    deployment_writes: list[tuple[int, str, str, str]] = field(default_factory=list)  # (id, kind, from, to)
    unacked: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))  # sent, no answer
    logins: Counter = field(default_factory=Counter)          # "ok", "refused" (the form said no)
    sessions_lost: list[str] = field(default_factory=list)    # a signed-in page sent the user to /login

    def request(self, kind: str, status: int | None, seconds: float, path: str, why: str = "", *,
                step: int = 0, sub: str = "", cached: bool = False) -> None:
        with self.lock:
            self.samples.append((step, kind, sub, status, seconds, cached))
            if status is None:
                self.errors[kind] += 1
                self.failures.append(f"{kind} {path}: {why}"[:300])
                return
            self.statuses[status] += 1
            if status >= 500:
                self.server_errors.append(f"{kind} {status} {path}")


def new_session() -> requests.Session:
    """A client like a browser: a kept-alive connection the server closed while idle (gunicorn's
    keep-alive timeout) resets on reuse, and the GET is sent again, once. Writes never are."""
    session = requests.Session()
    again = Retry(total=1, connect=1, read=1, status=0, other=0, allowed_methods={"GET", "HEAD"},
                  raise_on_status=False)
    session.mount("http://", HTTPAdapter(max_retries=again))
    return session


class VirtualUser:
    """One person: `drive(deadline, step)` repeats `act()` until the deadline, pausing a random
    0–2×`think` seconds between actions. State (forks, deployment, session) lasts across steps."""

    kind = "user"

    def __init__(self, n: int, base: str, record: Record, think: float, seed: int):
        self.n, self.base, self.record, self.think = n, base, record, think
        self.rng = random.Random(seed)
        self.http = new_session()
        self.step = 0

    def call(self, kind: str, method: str, path: str, *, sub: str = "", json: dict | None = None,
             data: dict | None = None, headers: dict | None = None, params: dict | None = None,
             allow_redirects: bool = True) -> requests.Response | None:
        started = time.monotonic()
        try:
            r = self.http.request(method, self.base + path, json=json, data=data, params=params, headers=headers,
                                  allow_redirects=allow_redirects, timeout=120)
        except requests.RequestException as exc:
            self.record.request(kind, None, time.monotonic() - started, path, f"{type(exc).__name__}: {exc}",
                                step=self.step, sub=sub)
            return None
        self.record.request(kind, r.status_code, time.monotonic() - started, path, step=self.step, sub=sub,
                            cached=r.headers.get("X-Page-Cache") in ("hit", "recent"))
        return r

    def act(self) -> None:
        raise NotImplementedError

    def drive(self, deadline: float, step: int = 0) -> None:
        self.step = step
        while time.monotonic() < deadline:
            self.act()
            time.sleep(self.rng.uniform(0, 2 * self.think))


class User(VirtualUser):
    """An adopter's script or integration with a personal access token: draws actions from MIX."""

    kind = "api"

    def __init__(self, n: int, base: str, adopter: Adopter, slot: tuple[str, str], record: Record, work: Path,
                 think: float, seed: int):
        super().__init__(n, base, record, think, seed)
        self.adopter, self.work = adopter, work
        self.own_forks: list[tuple[int, str]] = []  # (id, relpath) acknowledged
        self.fork_counter = 0
        self.slot = slot  # (app, environment): the one deployment this user looks after
        self.deployment: int | None = None
        self.deployment_status = ""

    def call(self, kind: str, method: str, path: str, *, json: dict | None = None, auth: bool = False,
             params: dict | None = None, sub: str = "") -> requests.Response | None:
        headers = {"Authorization": f"Bearer {self.adopter.token}"} if auth else None
        return super().call(kind, method, path, sub=sub, json=json, params=params, headers=headers)

    def act(self) -> None:
        kinds = [k for k, _ in MIX]
        weights = [w for _, w in MIX]
        getattr(self, self.rng.choices(kinds, weights)[0])()

    # -- reads ------------------------------------------------------------------------------
    def page(self) -> None:
        choice = self.rng.random()
        if choice < 0.2:
            self.call("page", "GET", "/", sub="home")
        elif choice < 0.7:
            self.call("page", "GET", f"/apps/{self.rng.choice(SLUGS)}", sub="app")
        elif choice < 0.85 and self.own_forks:
            self.call("page", "GET", f"/forks/{self.rng.choice(self.own_forks)[0]}", sub="fork")
        else:
            self.call("page", "GET", "/apps", params={"category": "document-management"}, sub="apps")

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
            self.call("search", "GET", "/apps", params={"q": q}, sub="page")
        else:
            self.call("search", "GET", "/api/v1/apps", params={"q": q}, sub="api")

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
                self.record.forks_by_org[self.adopter.org].append(r.json()["id"])

    def _git(self, *args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, capture_output=True,
                              text=True, timeout=timeout)

    def _git_request(self, kind: str, done: subprocess.CompletedProcess, started: float, url: str) -> None:
        """A git command as one request: 200 when it worked; else the HTTP status git names, or
        none (unanswered) when it names none. A push the server answered but refused counts as served."""
        err = done.stderr.strip()
        if done.returncode == 0:
            status: int | None = 200
        elif match := GIT_HTTP_STATUS.search(err):
            status = int(match.group(1))
        elif "rejected" in err or "declined" in err:
            status = 200
            with self.record.lock:
                self.record.refusals.append(f"{kind} {url}: {err[-200:]}")
        else:
            status = None
        self.record.request(kind, status, time.monotonic() - started, url, err[-200:], step=self.step)

    def push(self) -> None:
        if not self.own_forks:
            return self.fork()
        fork_id, relpath = self.rng.choice(self.own_forks)
        url = f"{self.base}/git/{relpath}"
        clone = self.work / relpath.replace("/", "__")
        started = time.monotonic()
        if not clone.exists():
            cloned = self._git("clone", "-q", url, str(clone))
            self._git_request("clone", cloned, started, url)
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
        self._git_request("push", pushed, started, url)
        with self.record.lock:
            if pushed.returncode == 0:
                self.record.pushes.append((relpath, sha))
            else:
                self.record.push_failures += 1
        if pushed.returncode == 0 and self.rng.random() < FOLLOWED_PUSHES:
            self._await_shown(fork_id, sha)
        if pushed.returncode != 0:  # start again from what the server has
            self._git("fetch", "-q", "origin", cwd=clone)
            self._git("reset", "-q", "--hard", "origin/main", cwd=clone)

    def _await_shown(self, fork_id: int, sha: str, limit: float = 10.0) -> None:
        """As the person who pushed would: look at the fork until it shows the pushed commit
        (the divergence job's counts). Seconds from the push's return, not counted as requests."""
        returned = time.monotonic()
        headers = {"Authorization": f"Bearer {self.adopter.token}"}
        while time.monotonic() - returned < limit:
            try:
                r = self.http.get(f"{self.base}/api/v1/forks/{fork_id}", headers=headers, timeout=30)
                head = ((r.json().get("divergence") or {}).get("fork_head") or "") if r.status_code == 200 else ""
            except (requests.RequestException, ValueError):
                head = ""
            if head == sha:
                with self.record.lock:
                    self.record.push_shown.append(time.monotonic() - returned)
                return
            time.sleep(0.2)
        with self.record.lock:
            self.record.push_shown.append(None)

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
