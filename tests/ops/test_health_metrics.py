"""Issue 17, item 2: /healthz, /readyz and /metrics (Prometheus text, multiprocess under gunicorn)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client import multiprocess
from prometheus_client.parser import text_string_to_metric_families

from catalog import create_app
from catalog.config import PROJECT_ROOT
from catalog.extensions import db
from catalog.jobs.queue import enqueue, queue
from tests.conftest import TEST_DB_URL, _config

LOOPBACK_ONLY = "203.0.113.5"


def _families(text: str) -> dict:
    return {f.name: f for f in text_string_to_metric_families(text)}


def _value(families: dict, family: str, sample: str | None = None, **labels) -> float:
    """Sum of the samples of `family` named `sample` whose labels include `labels`."""
    if family not in families:
        return 0.0
    sample = sample or family
    return sum(s.value for s in families[family].samples
               if s.name == sample and all(s.labels.get(k) == v for k, v in labels.items()))


def _scrape(client, **kwargs) -> dict:
    r = client.get("/metrics", **kwargs)
    assert r.status_code == 200, r.get_data(as_text=True)
    return _families(r.get_data(as_text=True))


# --- /healthz and /readyz ---------------------------------------------------------------------

def test_healthz_answers_without_a_cookie_or_cache(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in r.headers and r.headers["Cache-Control"] == "no-store"


def test_readyz_reports_each_check_with_its_time(client):
    r = client.get("/readyz")
    body = r.get_json()
    assert r.status_code == 200 and body["status"] == "ok"
    assert set(body["checks"]) == {"database", "queue", "search_index", "repositories"}
    for check in body["checks"].values():
        assert check["ok"] is True and isinstance(check["ms"], float) and "error" not in check
    assert "Set-Cookie" not in r.headers and r.headers["Cache-Control"] == "no-store"


def _unwritable_by_mode(tmp_path: Path) -> str:
    if os.geteuid() == 0:
        pytest.skip("root writes whatever the mode says")
    repos = tmp_path / "repos-ro"
    repos.mkdir()
    repos.chmod(0o500)
    return str(repos)


def _under_a_file(tmp_path: Path) -> str:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where a folder should be")
    return str(blocker / "repos")


@pytest.mark.parametrize("make_unwritable", [_unwritable_by_mode, _under_a_file], ids=["chmod", "under-a-file"])
def test_readyz_names_the_repositories_folder_when_it_is_not_writable(app, client, tmp_path, make_unwritable):
    app.config["REPOS_DIR"] = make_unwritable(tmp_path)
    try:
        r = client.get("/readyz")
    finally:
        (tmp_path / "repos-ro").exists() and (tmp_path / "repos-ro").chmod(0o700)
    body = r.get_json()
    assert r.status_code == 503 and body["status"] == "fail"
    assert body["checks"]["repositories"]["ok"] is False and body["checks"]["repositories"]["error"]
    assert all(c["ok"] for name, c in body["checks"].items() if name != "repositories")
    assert str(tmp_path) not in r.get_data(as_text=True)  # no paths in a public answer


def test_readyz_names_the_database_when_its_url_is_broken(tmp_path):
    data_dir = tmp_path / "data"
    broken = create_app({**_config(data_dir), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no/such/dir/x.db"})
    client = broken.test_client()
    r = client.get("/readyz")
    body = r.get_json()
    assert r.status_code == 503 and body["status"] == "fail"
    assert body["checks"]["database"] == {"ok": False, "ms": body["checks"]["database"]["ms"],
                                          "error": "OperationalError"}
    assert body["checks"]["repositories"]["ok"] and body["checks"]["queue"]["ok"]
    assert "no/such/dir" not in r.get_data(as_text=True)
    assert client.get("/healthz").status_code == 200  # the process itself is fine
    with broken.app_context():
        db.engine.dispose()


def test_readyz_bounds_a_check_that_hangs(app, client, monkeypatch):
    from catalog.services.oversight import health

    release = __import__("threading").Event()
    monkeypatch.setitem(health.CHECKS, "queue", lambda: release.wait(10))
    app.config["READY_TIMEOUT"] = 0.2
    try:
        first = client.get("/readyz").get_json()
        again = client.get("/readyz").get_json()  # the hung check is not started a second time
    finally:
        release.set()
    assert first["checks"]["queue"]["ok"] is False and "0.2" in first["checks"]["queue"]["error"]
    assert again["checks"]["queue"]["ok"] is False and first["checks"]["database"]["ok"]


def test_ops_endpoints_set_no_cookie_for_a_signed_in_browser(client, login, make_user, app):
    assert login(make_user("adopter", "21.72")).status_code == 302
    for path in ("/healthz", "/readyz", "/metrics"):
        r = client.get(path)
        assert r.status_code == 200 and "Set-Cookie" not in r.headers, path


# --- /metrics: who may read it --------------------------------------------------------------------

def test_metrics_from_loopback_without_a_token(client):
    r = client.get("/metrics")
    assert r.status_code == 200 and r.content_type.startswith("text/plain")


def test_metrics_refused_to_another_address_without_a_configured_token(client):
    r = client.get("/metrics", environ_base={"REMOTE_ADDR": LOOPBACK_ONLY})
    assert r.status_code == 403 and r.get_json()["error"] == "forbidden"
    assert "Set-Cookie" not in r.headers


def test_metrics_with_the_token_from_anywhere(app, client):
    app.config["METRICS_TOKEN"] = "rahasia-metrik-123"
    far = {"REMOTE_ADDR": LOOPBACK_ONLY}
    assert client.get("/metrics", environ_base=far).status_code == 401
    wrong = client.get("/metrics", environ_base=far, headers={"Authorization": "Bearer salah"})
    assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"].startswith("Bearer")
    right = client.get("/metrics", environ_base=far, headers={"Authorization": "Bearer rahasia-metrik-123"})
    assert right.status_code == 200 and "catalog_http_requests_total" in right.get_data(as_text=True)


def test_metrics_relayed_by_a_local_proxy_need_the_token(client):
    """nginx on the same host: its peer is 127.0.0.1, and it adds X-Forwarded-For."""
    r = client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"})
    assert r.status_code == 403


def test_metrics_behind_trusted_proxy_use_the_socket_peer_not_the_forwarded_address(tmp_path, seeded_template):
    proxied = create_app({**_config(tmp_path / "data"), "TRUSTED_PROXIES": 1})
    client = proxied.test_client()
    forged = client.get("/metrics", environ_base={"REMOTE_ADDR": LOOPBACK_ONLY},
                        headers={"X-Forwarded-For": "127.0.0.1"})
    assert forged.status_code == 403  # ProxyFix would say 127.0.0.1; the socket says otherwise
    direct = client.get("/metrics")  # Prometheus on the host, straight to gunicorn's port
    assert direct.status_code == 200
    with proxied.app_context():
        db.engine.dispose()


# --- /metrics: what it says ----------------------------------------------------------------------

def test_scrape_counts_requests_per_endpoint_and_times_searches(client):
    before = _scrape(client)
    assert client.get("/api/v1/apps?q=arsip").status_code == 200
    assert client.get("/api/v1/apps?q=arsip").status_code == 200
    after = _scrape(client)
    requests = "catalog_http_requests"
    labels = {"endpoint": "api.api_app_list", "method": "GET", "status": "2xx"}
    assert _value(after, requests, "catalog_http_requests_total", **labels) == \
        _value(before, requests, "catalog_http_requests_total", **labels) + 2
    search = "catalog_search_duration_seconds"
    assert _value(after, search, search + "_count", interface="api") == \
        _value(before, search, search + "_count", interface="api") + 2
    assert after["catalog_metrics_source_up"].samples and _value(after, "catalog_metrics_source_up") == 2


def test_pages_from_the_page_cache_are_counted_and_each_gets_its_own_request_id(client):
    before = _scrape(client)
    first, second = client.get("/"), client.get("/")
    assert second.headers["X-Page-Cache"] == "hit"
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]  # never replayed from the store
    after = _scrape(client)
    labels = {"endpoint": "page_cache", "method": "GET", "status": "2xx"}
    assert _value(after, "catalog_http_requests", "catalog_http_requests_total", **labels) == \
        _value(before, "catalog_http_requests", "catalog_http_requests_total", **labels) + 1


def test_scrape_reads_queue_mirrors_and_audit_figures(app, client, make_user):
    make_user("admin", "komdigi")  # an audited write: the chain grows
    app.config["JOBS_IMMEDIATE"] = False
    app.extensions.pop("catalog_jobs", None)
    huey = queue(app)
    huey.flush()
    enqueue("index.apply")
    try:
        f = _scrape(client)
    finally:
        huey.flush()
    assert _value(f, "catalog_jobs_queued") == 1
    assert _value(f, "catalog_jobs_oldest_queued_seconds") >= 0 and "catalog_jobs_oldest_queued_seconds" in f
    assert _value(f, "catalog_audit_events") >= 1 and "catalog_audit_verified_seq" in f
    assert {s.labels["state"] for s in f["catalog_mirrors"].samples} == {"queued", "fetching", "ready", "failed"}
    assert "catalog_mirror_fetch_failures" in f


def test_scrape_over_real_http(live_server):
    def get(path: str) -> str:
        with urllib.request.urlopen(live_server + path, timeout=20) as resp:
            return resp.read().decode()

    labels = {"endpoint": "api.organization_list", "method": "GET", "status": "2xx"}
    before = _families(get("/metrics"))
    get("/api/v1/organizations?per_page=1")
    deadline = time.monotonic() + 10  # the count moves when the server has closed the response
    while True:
        after = _families(get("/metrics"))
        moved = _value(after, "catalog_http_requests", "catalog_http_requests_total", **labels) - \
            _value(before, "catalog_http_requests", "catalog_http_requests_total", **labels)
        if moved >= 1 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert moved == 1
    buckets = [s for s in after["catalog_http_request_duration_seconds"].samples
               if s.name.endswith("_bucket") and s.labels["endpoint"] == "api.organization_list"]
    assert {"0.1", "1.0", "+Inf"} <= {s.labels["le"] for s in buckets}


# --- multiprocess: two gunicorn workers, one scrape ------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _per_file_counts(metrics_dir: Path, endpoint: str) -> dict[int, float]:
    counts: dict[int, float] = {}
    for path in metrics_dir.glob("counter_*.db"):
        if path.stat().st_size == 0:  # a worker creating its file (opened, not yet sized): no count yet
            continue
        pid = int(path.stem.rsplit("_", 1)[1])
        for family in multiprocess.MultiProcessCollector.merge([str(path)]):
            for s in family.samples:
                if s.name == "catalog_http_requests_total" and s.labels.get("endpoint") == endpoint:
                    counts[pid] = counts.get(pid, 0) + s.value
    return counts


@pytest.mark.slow
def test_two_gunicorn_workers_add_up_in_one_scrape(tmp_path):
    data_dir = tmp_path / "data"
    metrics_dir = data_dir / "metrics"
    metrics_dir.mkdir(parents=True)
    (metrics_dir / "counter_999999.db").write_bytes(b"stale")  # from a previous run: removed at start
    env = {**os.environ, "CATALOG_DATA_DIR": str(data_dir), "CATALOG_ENV": "development"}
    for key in ("PROMETHEUS_MULTIPROC_DIR", "CATALOG_DATABASE_URL", "CATALOG_REDIS_URL", "CATALOG_METRICS_TOKEN"):
        env.pop(key, None)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(tmp_path / "gunicorn.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", "2",
                             "--bind", f"127.0.0.1:{port}", "wsgi:app"],
                            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def get(path: str) -> str:
        with urllib.request.urlopen(base + path, timeout=20) as resp:
            return resp.read().decode()

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get("/healthz")
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()
                time.sleep(0.1)
        assert not (metrics_dir / "counter_999999.db").exists()
        with ThreadPoolExecutor(8) as pool:  # concurrent connections land on both workers
            while len(_per_file_counts(metrics_dir, "ops.healthz")) < 2 and time.monotonic() < deadline:
                list(pool.map(lambda _i: get("/healthz"), range(40)))
        # A request is counted when the server closes its body, just after the client has read it:
        # wait until the workers' files stop changing before comparing them with a scrape.
        per_worker, settled = _per_file_counts(metrics_dir, "ops.healthz"), None
        while per_worker != settled and time.monotonic() < deadline:
            time.sleep(0.3)
            settled, per_worker = per_worker, _per_file_counts(metrics_dir, "ops.healthz")
        assert len(per_worker) == 2 and all(n > 0 for n in per_worker.values())
        scraped = _families(get("/metrics"))
        total = _value(scraped, "catalog_http_requests", "catalog_http_requests_total", endpoint="ops.healthz")
        assert total == sum(per_worker.values())
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait(timeout=10)
        log.close()


def test_writes_on_sqlite_report_how_long_they_waited_for_the_database(client, make_user):
    """A sign-in writes its session: the wait for SQLite's write lock is in the histogram."""
    if TEST_DB_URL:
        pytest.skip("the write lock's queue is SQLite's")
    user = make_user("adopter", "21.72")
    wait = "catalog_sqlite_write_wait_seconds"
    before = _value(_scrape(client), wait, wait + "_count")
    r = client.post("/login", data={"email": user.email, "password": "kata-sandi-uji-123"})
    assert r.status_code == 302
    assert _value(_scrape(client), wait, wait + "_count") > before
