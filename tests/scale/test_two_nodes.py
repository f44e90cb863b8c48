"""Issue 18, item 3: the catalog on two nodes behind nginx, and one of them killed under load.

One real cluster for the module (loadtest/cluster.py), loopback only: a PostgreSQL database of its
own (created and dropped here), Redis database 13 for the queue, one shared repositories folder,
nodes A and B (gunicorn, a job worker and the index follower, each node
with its own data and index dir and CATALOG_NODE_ID), and nginx balancing between them with the
shipped site and deploy/nginx/katalog-nodes.conf's upstream block. It checks that

- an app registered and published through A's port is read through B's port;
- a `git push` with a token to B's port shows on the fork's page served by A;
- with a mixed working-day load through nginx (loadtest/users.py's mix, a few users), A is
  SIGKILLed once both nodes are serving it: nginx routes around it, the only failures the clients see
  are requests that were in flight on A when it died (counted, each a request to retry), nothing
  acknowledged is lost (loadtest/verify.py), A comes back and serves again, its index catches up
  with what was published while it was down, and `catalog fsck` and
  `catalog audit-verify` pass. What the kill left half-done (a fork created on disk before its
  row, a push whose refresh was lost) heals by itself, without fsck --repair: the restarted
  worker's recovery (catalog/services/repos/recovery.py) sees to it.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest

from loadtest import run as loadrun
from loadtest.cluster import Cluster, flush_redis, nginx_binary
from loadtest.stack import PG_ADMIN_URL, create_pg_database, drop_pg_database
from loadtest.users import Record
from loadtest.verify import check_writes
from tests.repos.gitclient import GIT_ENV, with_token

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("two-nodes"),
              # .ci/run's PostgreSQL pass: the test brings its own PostgreSQL database, so it ran already
              pytest.mark.skipif(os.environ.get("CATALOG_SKIP_TWO_NODES") == "1", reason="two-node test disabled")]

REDIS_URL = "redis://127.0.0.1:6379/13"
DB_NAME = f"catalog_two_nodes_{os.getpid()}"
PUBLISHER = "penerbit@kepriprov.go.id"   # seed/demo.py: Diskominfo Provinsi Kepulauan Riau
ADMIN = "admin@katalog.go.id"
ADOPTER = "adopsi@tanjungpinangkota.go.id"
FORK = "kota-tanjung-pinang/simanja.git"  # the demo adopter's fork
USERS = 6
TIMEOUT = 30
# The load's phases end on what they wait for, each within its limit (they were 20 s each, fixed):
WARM_REQUESTS = 60       # before the kill: both nodes have served, this many requests in all
FAIL_TIMEOUT = 5         # deploy/nginx/katalog-nodes.conf: how long nginx leaves a failed node alone
AFTER_RESTART = 20       # after A's restart: requests nginx sent A again before the load stops
PHASE_LIMIT = 60


def _missing() -> str | None:
    """Why the cluster cannot run here, or None."""
    if nginx_binary() is None:
        return "nginx is not installed (.ci/run installs Debian's nginx package)"
    try:
        import psycopg

        psycopg.connect(PG_ADMIN_URL, connect_timeout=3).close()
    except Exception as exc:  # any failure to connect means: no PostgreSQL to run on
        return f"PostgreSQL is not reachable on 127.0.0.1:5432 ({type(exc).__name__})"
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:
        return f"Redis is not reachable on 127.0.0.1:6379 ({type(exc).__name__})"
    return None


@dataclass
class Tokens:
    publisher: str
    admin: str
    adopter: str


@dataclass
class World:
    cluster: Cluster
    tokens: Tokens
    adopters: list
    database_url: str


def _token(cluster: Cluster, email: str) -> str:
    done = cluster.flask("catalog", "create-token", "--email", email, "--label", "uji dua node")
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    reason = _missing()
    if reason:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("two-nodes")
    url = create_pg_database(DB_NAME)
    flush_redis(REDIS_URL)
    cluster = Cluster(root, database_url=url, redis_url=REDIS_URL)
    began = time.monotonic()
    try:
        for step in (("db", "upgrade"), ("catalog", "seed", "--demo")):
            done = cluster.flask(*step)
            assert done.returncode == 0, f"{' '.join(step)}:\n{done.stdout}\n{done.stderr}"
        api_users = loadrun.kinds(USERS, 0.34).count("api")
        with ThreadPoolExecutor(4) as pool:  # accounts and tokens while the nodes boot
            tokens = [pool.submit(_token, cluster, email) for email in (PUBLISHER, ADMIN)]
            adopters = pool.submit(loadrun._adopters, cluster, api_users, 3)
            cluster.start()
            adopters = adopters.result()
            tokens = Tokens(*(t.result() for t in tokens), next(a.token for a in adopters if a.email == ADOPTER))
        print(f"two nodes up in {time.monotonic() - began:.0f} s")
        yield World(cluster, tokens, adopters, url)
    finally:
        cluster.stop()
        drop_pg_database(DB_NAME)
        flush_redis(REDIS_URL)
        shutil.rmtree(root, ignore_errors=True)


def _call(base: str, method: str, path: str, token: str | None = None, body: dict | None = None) -> tuple[int, dict]:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def _page(base: str, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(base + path, timeout=TIMEOUT) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(errors="replace")


def _publish(base: str, tokens: Tokens, name: str, slug: str) -> dict:
    """Register, submit and publish an app whose upstream is hosted by the catalog, through `base`."""
    payload = {"name": name, "slug": slug, "short_description": {"id": f"{name} untuk uji dua node."},
               "description": "Dicatat lewat satu node, dibaca lewat node lain.", "features": ["Antrean"],
               "category": "document-management", "tags": ["antrean"], "license": "MIT",
               "development_status": "stable", "platforms": ["web"], "maintenance_type": "internal",
               "maintenance_contacts": [{"name": "Tim TI", "email": "ti@kepriprov.go.id", "phone": ""}],
               "hosted_upstream": True}
    status, body = _call(base, "POST", "/api/v1/apps", tokens.publisher, payload)
    assert status == 201, body
    status, body = _call(base, "POST", f"/api/v1/apps/{slug}/submit", tokens.publisher, {})
    assert status == 200, body
    status, body = _call(base, "POST", f"/api/v1/apps/{slug}/publish", tokens.admin, {})
    assert status == 200 and body["state"] == "published", body
    return body


def _until(check, seconds: float):
    """`check()`'s first true value, or its last value after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def _found_by_search(base: str, query: str, slug: str) -> bool:
    status, body = _call(base, "GET", "/api/v1/apps?" + urllib.parse.urlencode({"q": query}))
    return status == 200 and any(item["slug"] == slug for item in body["items"])


def _git(*args: str, cwd=None) -> subprocess.CompletedProcess:
    done = subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"git {args[0]}: {done.stdout}\n{done.stderr}"
    return done


def test_a_write_through_node_a_is_read_through_node_b(world):
    a, b = world.cluster.a, world.cluster.b
    published = _publish(a.base, world.tokens, "Antrean Puskesmas Kepri", "antrean-puskesmas-kepri")
    status, body = _call(b.base, "GET", "/api/v1/apps/antrean-puskesmas-kepri")
    assert status == 200, body
    assert body["state"] == "published" and body["name"] == "Antrean Puskesmas Kepri"
    assert body["url"] == f"{world.cluster.base}/apps/antrean-puskesmas-kepri"  # CATALOG_BASE_URL: nginx
    assert body["updated_at"] == published["updated_at"]
    status, page = _page(b.base, "/apps/antrean-puskesmas-kepri")
    assert status == 200 and "Antrean Puskesmas Kepri" in page
    # B's own index follows the change log (issue 18, item 1)
    assert _until(lambda: _found_by_search(b.base, "puskesmas", "antrean-puskesmas-kepri"), 10)


def test_a_push_through_node_b_shows_on_the_fork_page_of_node_a(world, tmp_path):
    a, b = world.cluster.a, world.cluster.b
    status, forks = _call(b.base, "GET", "/api/v1/apps/simanja/forks?per_page=100")
    assert status == 200, forks
    fork = next(f for f in forks["items"] if f["clone_url"].endswith("/git/" + FORK))
    work = tmp_path / "simanja"
    _git("clone", "-q", with_token(f"{b.base}/git/{FORK}", world.tokens.adopter), str(work))
    (work / "ANTREAN.md").write_text("Antrean loket Dinas Kesehatan Kota Tanjung Pinang.\n")
    _git("add", "ANTREAN.md", cwd=work)
    _git("commit", "-q", "-m", "Antrean loket dinas kesehatan", cwd=work)
    sha = _git("rev-parse", "HEAD", cwd=work).stdout.strip()
    _git("push", "-q", "origin", "HEAD", cwd=work)

    def shown_on_a() -> bool:
        status, page = _page(a.base, f"/forks/{fork['id']}")
        return status == 200 and sha[:10] in page and "Antrean loket dinas kesehatan" in page
    assert _until(shown_on_a, 15), f"commit {sha[:10]} not on node A's page of fork {fork['id']}"


@dataclass
class TimedRecord(Record):
    """Record, and when each request that failed ended (a 5xx or no answer at all)."""

    failed_at: list[tuple[float, str]] = field(default_factory=list)

    def request(self, kind, status, seconds, path, why="", **kw) -> None:
        super().request(kind, status, seconds, path, why, **kw)
        if status is None or status >= 500:
            with self.lock:
                self.failed_at.append((time.monotonic(), f"{kind} {status} {path} {why}"[:300]))


def _drive_until(people, stop: threading.Event) -> list[threading.Thread]:
    """loadtest's VirtualUser.drive, until `stop` rather than a deadline fixed in advance: each
    person acts and thinks as in the load script, and finishes what it started."""
    def person(p) -> None:
        while not stop.is_set():
            p.act()
            time.sleep(p.rng.uniform(0, 2 * p.think))

    threads = [threading.Thread(target=person, args=(p,), name=f"user-{p.n}", daemon=True) for p in people]
    for thread in threads:
        thread.start()
    return threads


def test_node_a_killed_under_load_nothing_acknowledged_is_lost(world, tmp_path, record_property):
    cluster, a, b = world.cluster, world.cluster.a, world.cluster.b
    args = loadrun.parse_args(["--users", str(USERS), "--think", "0.5", "--signed-in-share", "0.34"])
    record = TimedRecord()
    work = tmp_path / "clones"
    work.mkdir()
    people = loadrun.population(args, cluster, world.adopters, record, work, USERS)
    stop = threading.Event()
    load = _drive_until(people, stop)
    try:
        # the kill lands in a load both nodes are serving
        assert _until(lambda: a.access_counts()[0] > 0 and b.access_counts()[0] > 0
                      and len(record.samples) >= WARM_REQUESTS, PHASE_LIMIT), "the load never reached both nodes"
        served_by_a_before = a.access_counts()[0]
        killed_at = time.monotonic()
        a.kill()
        # while A is down, through B: an app published that A's index must catch up with
        _publish(b.base, world.tokens, "Sistem Antrean Posyandu", "antrean-posyandu")
        # down past nginx's fail_timeout, so that nginx tries the dead node again and passes on once more
        time.sleep(max(0.0, killed_at + FAIL_TIMEOUT + 1 - time.monotonic()))
        restarted_at = time.monotonic()
        cluster.restart(a)
        served_by_a_restarted = a.access_counts()[0]
        # the load goes on until nginx has sent the restarted A a share of it again
        _until(lambda: a.access_counts()[0] >= served_by_a_restarted + AFTER_RESTART, PHASE_LIMIT)
    finally:
        stop.set()
        for thread in load:
            thread.join(timeout=600)
    assert not any(thread.is_alive() for thread in load), "a virtual user is still running ten minutes after the stop"

    # nginx routed around A: what it could not send to A it sent to B (at least the first request
    # after each fail_timeout), and the only failures the clients saw were requests in flight on A
    # when it died, each one a request its client retries; none before the kill, none afterwards
    failed, passed_on = sorted(record.failed_at), cluster.passed_on()
    record_property("requests", len(record.samples))
    record_property("passed_on_by_nginx", len(passed_on))
    record_property("failed_in_flight_at_kill", len(failed))
    print(f"two nodes, A killed: {len(record.samples)} requests, {len(passed_on)} passed on to B by nginx, "
          f"{len(failed)} failed (in flight on A): {failed}")
    assert len(record.samples) > 100
    assert passed_on and all(f"127.0.0.1:{a.port}, 127.0.0.1:{b.port}" in line for line in passed_on), passed_on
    assert len(failed) <= USERS, failed
    assert all(killed_at <= t <= killed_at + 10 for t, _ in failed), (killed_at, failed)
    assert record.sessions_lost == []  # a signed-in person stays signed in on the other node
    assert sum(status is not None and status < 500 for _s, _k, _p, status, _t, _c in record.samples) > 100
    assert served_by_a_before > 0 and b.access_counts()[0] > 0  # both nodes took a share
    assert a.access_counts()[1] == 0 and b.access_counts()[1] == 0  # gunicorn itself never answered 5xx

    # A rejoined: nginx sends it requests again, and it answers
    assert a.access_counts()[0] > served_by_a_restarted, "nginx sent node A nothing after its restart"
    assert _call(a.base, "GET", "/readyz")[0] == 200
    assert _until(lambda: _found_by_search(b.base, "posyandu", "antrean-posyandu"), 10)
    # A's index caught up with what was published while it was down
    assert _until(lambda: _found_by_search(a.base, "posyandu", "antrean-posyandu"), 10)

    # nothing acknowledged is lost
    writes = check_writes(record, world.database_url, cluster.repos)
    record_property("writes", json.dumps({k: v["acknowledged"] for k, v in writes.items()}))
    assert sum(w["acknowledged"] for w in writes.values()) > 5, writes
    assert all(w["acknowledged"] == w["found"] for w in writes.values()), writes
    assert restarted_at - killed_at > 5  # A was down longer than nginx's fail_timeout

    # the checks an operator runs after a crash (fsck on node A: its index has applied every change
    # once its follower has read the last ones the load made)
    fscks: list[subprocess.CompletedProcess] = []
    with ThreadPoolExecutor(2) as pool:
        verified = pool.submit(cluster.flask, "catalog", "audit-verify")
        _until(lambda: fscks.append(cluster.flask("catalog", "fsck", "--min-age", "0")) or
               fscks[-1].returncode == 0, 10)
        verified = verified.result()
    assert verified.returncode == 0, verified.stdout + verified.stderr
    recovered = [line.strip()[-200:] for node in (a, b) if node.log_path.exists()
                 for line in node.log_path.read_text(errors="replace").splitlines()
                 if "recovered after a crash" in line]
    record_property("recovered_after_the_kill", json.dumps(recovered))
    print(f"recovery after the kill: {recovered or 'nothing to heal'}")
    assert fscks[-1].returncode == 0, fscks[-1].stdout + fscks[-1].stderr
