"""Signed-in pages under load: every page kind signed-in people use, on gunicorn at full data,
against a bare Flask "hello" app under identical server settings, measured alternately in the
same run (a hello run right before each page kind, as bench_pages does).

Users are the data set's own: the bench adopter and the admin get a real password, and a national
auditor (organization of an agency) and a province auditor (the adopter's province) are added,
all through catalog.services.accounts.users, idempotently. Each signs in through the real form on
the running server (GET /login, csrf_token, POST /login) and its session cookie goes with every
request of its page kinds, updated as a browser would from what the pages set. The anonymous page
cache is off (CATALOG_PAGE_CACHE_MB=0). Each kind runs twice: on the catalog as configured, where
a page a person opens again is kept for their session (web/session_pages.py), and on a second
server with that keeping off (CATALOG_SIGNED_IN_PAGE_CACHE_MB=0): every request rendered, as on
a first visit or after any change.

Targets (issue 12): p95 ≤ 50 ms under 20 concurrent signed-in clients per page kind, and
throughput ≥ 0.25× the bare Flask app. Every path is fetched once before the load and must answer
200 (a redirect to /login would otherwise count as a fast success).

    python -m bench.bench_signed_in --size full --seconds 5
    python -m bench.bench_signed_in --size full --profile /reports/tables/apps.csv --as auditor
"""
from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from bench import corpus
from bench.common import OUT, SIZES, Figure, Size, bench_config, data_dir, make_app, server_env
from bench.loadgen import LoadResult, have_wrk, run_load
from bench.server import gunicorn, rss_mb, worker_pids

P95_TARGET_MS = 50.0
THROUGHPUT_TARGET = 0.25
PASSWORD = "bench-signed-in-password"
ADMIN = "admin@bench.go.id"
NATIONAL_AUDITOR = "auditor-nasional@bench.go.id"
PROVINCE_AUDITOR = "auditor-provinsi@bench.go.id"
CSRF_FIELD = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


@dataclass
class Kind:
    name: str
    role: str  # adopter, admin, auditor, province_auditor
    paths: list[str]
    slow_expected: bool = False  # full-table exports: measured, reported, not expected to meet 50 ms
    headers: dict[str, str] = field(default_factory=dict)  # beyond the cookie, on every request


@dataclass
class Plan:
    emails: dict[str, str]
    kinds: list[Kind] = field(default_factory=list)


def _set_password(user) -> None:
    from catalog.services.accounts import users

    user.password_hash = users.hash_password(PASSWORD)


def prepare(size: Size) -> Plan:
    """Give the bench users a password, add the two auditors, and pick the paths of each page kind."""
    from catalog.extensions import db
    from catalog.models import App, Deployment, Fork, Organization, User
    from catalog.services.accounts import users

    meta = json.loads((data_dir(size) / "bench-meta.json").read_text())
    rng = random.Random(12)
    app = make_app(data_dir(size))
    with app.app_context():
        check_schema(db)
        adopter = db.session.execute(db.select(User).where(User.role == "adopter").order_by(User.id)).scalars().first()
        admin = users.get_by_email(ADMIN)
        org = adopter.organization
        province = org if org.kind == "province" else db.session.get(Organization, org.parent_id)
        agency = db.session.execute(db.select(Organization).where(Organization.kind == "agency")
                                    .order_by(Organization.code != "kemenpanrb", Organization.id)).scalars().first()
        for email, name, org_code in ((NATIONAL_AUDITOR, "Auditor Nasional", agency.code),
                                      (PROVINCE_AUDITOR, f"Auditor {province.name}", province.code)):
            if users.get_by_email(email) is None:
                users.create_user(email=email, name=name, org_code=org_code, role="auditor", password=PASSWORD)
        for user in (adopter, admin, users.get_by_email(NATIONAL_AUDITOR), users.get_by_email(PROVINCE_AUDITOR)):
            _set_password(user)
        db.session.commit()
        emails = {"adopter": adopter.email, "admin": ADMIN, "auditor": NATIONAL_AUDITOR,
                  "province_auditor": PROVINCE_AUDITOR}

        slugs = list(db.session.execute(db.select(App.slug).where(App.state == "published")
                                        .order_by(App.id)).scalars())
        upstream = list(db.session.execute(db.select(App.slug).where(App.id.in_(meta["upstream_app_ids"])))
                        .scalars())
        deployed = list(db.session.execute(db.select(App.slug).join(Deployment, Deployment.app_id == App.id)
                                           .where(Deployment.organization_id == org.id).distinct()).scalars())
        forks = list(db.session.execute(db.select(Fork).where(Fork.organization_id == org.id)
                                        .order_by(Fork.id)).scalars())
        fork_ids = [f.id for f in forks]
        diffs = []
        for fork in forks:
            if fork.ahead or fork.fork_head != fork.merge_base:
                diffs += [f"/forks/{fork.id}/diff?{urlencode({'path': p})}" for p in _changed_files(size, fork)[:3]]
        provinces = list(db.session.execute(db.select(Organization.code).where(Organization.kind == "province")
                                            .order_by(Organization.id)).scalars())
        in_province = list(db.session.execute(db.select(Organization.code).where(Organization.parent_id == province.id)
                                              .order_by(Organization.id)).scalars())
        db.session.remove()
        db.engine.dispose()

    apps = upstream + rng.sample(slugs, min(40, len(slugs)))
    adoption = upstream + deployed[:10] + rng.sample(slugs, min(10, len(slugs)))
    pages = max(2, min(500, size.apps // 20))
    evidence_orgs = [org.code, province.code] + in_province[:8]
    plan = Plan(emails)
    plan.kinds = [
        Kind("home", "adopter", ["/"]),
        Kind("list", "adopter", ["/apps"] + [f"/apps?page={rng.randint(2, pages)}" for _ in range(9)]),
        Kind("search", "adopter", [f"/apps?{urlencode({'q': q})}" for q in corpus.TEXT_QUERIES[:40]]),
        Kind("app", "adopter", [f"/apps/{s}" for s in apps]),
        Kind("adoption", "adopter", [f"/apps/{s}/adopsi" for s in dict.fromkeys(adoption)]),
        Kind("fork", "adopter", [f"/forks/{i}" for i in fork_ids]),
        Kind("fork_diff", "adopter", diffs),
        Kind("my_apps", "adopter", ["/my/apps"]),
        Kind("my_region", "adopter", ["/my/region"]),
        Kind("deployments", "adopter", ["/deployments"]),
        Kind("deployments_p3", "adopter", ["/deployments?page=3"]),
        Kind("notifications", "adopter", ["/notifications"]),
        Kind("admin_review", "admin", ["/admin/review"]),
        Kind("reports", "auditor", ["/reports"]),
        Kind("reports_province", "auditor", [f"/reports?{urlencode({'province': p})}" for p in provinces[:10]]),
        Kind("reports_own_province", "province_auditor", ["/reports"]),
        Kind("evidence", "auditor", [f"/reports/evidence/{c}" for c in evidence_orgs]),
        Kind("evidence_csv", "auditor", [f"/reports/evidence/{c}.csv" for c in evidence_orgs]),
        Kind("table_csv_province", "province_auditor", ["/reports/tables/apps.csv"], slow_expected=True),
        Kind("table_csv", "auditor", ["/reports/tables/apps.csv"], slow_expected=True),
        # as a browser downloads it: compressed
        Kind("table_csv_br", "auditor", ["/reports/tables/apps.csv"], slow_expected=True,
             headers={"Accept-Encoding": "gzip, deflate, br"}),
    ]
    plan.kinds = [k for k in plan.kinds if k.paths]
    for kind in plan.kinds:
        rng.shuffle(kind.paths)
    return plan


def check_schema(db) -> None:
    """The cached data set was made by `create_all` of the models of its day: say so plainly when the
    models have moved on (signing in would fail with HTTP 500 on a missing column)."""
    from sqlalchemy import inspect

    inspector = inspect(db.engine)
    tables = set(inspector.get_table_names())
    missing = []
    for table in db.metadata.sorted_tables:
        if table.name not in tables:
            missing.append(table.name)
            continue
        have = {c["name"] for c in inspector.get_columns(table.name)}
        missing += [f"{table.name}.{c.name}" for c in table.columns if c.name not in have]
    if missing:
        raise RuntimeError(f"the data set in {db.engine.url.database} predates the models (missing: "
                           f"{', '.join(missing)}): rebuild it (bench.run_all --rebuild) or measure a "
                           "checkout whose models match it")


def _changed_files(size: Size, fork) -> list[str]:
    """Files the fork changed since it was made (what its page links to a diff for)."""
    repo = data_dir(size) / "repos" / fork.relpath
    out = subprocess.run(["git", "--git-dir", str(repo), "diff", "--name-only", fork.merge_base, fork.fork_head],
                         capture_output=True, text=True, check=False)
    return [line for line in out.stdout.splitlines() if line]


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            parsed = SimpleCookie()
            parsed.load(value)
            jar.update({k: m.value for k, m in parsed.items()})


def _header(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def login(port: int, email: str) -> dict[str, str]:
    """Sign in through the real form; returns the cookies of the session."""
    jar: dict[str, str] = {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    _cookies(response, jar)
    token = CSRF_FIELD.search(page)
    if response.status != 200 or token is None:
        raise RuntimeError(f"GET /login: HTTP {response.status}, csrf token {'found' if token else 'missing'}")
    body = urlencode({"csrf_token": token.group(1), "email": email, "password": PASSWORD, "next": ""})
    conn.request("POST", "/login", body=body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                       "Cookie": _header(jar)})
    response = conn.getresponse()
    response.read()
    _cookies(response, jar)
    conn.close()
    if response.status != 302:
        raise RuntimeError(f"POST /login as {email}: HTTP {response.status}")
    return jar


def check_paths(port: int, kind: Kind, jar: dict[str, str]) -> dict[str, float]:
    """Fetch every path once; each must answer 200 to this user. Returns first-request times (ms).
    Like a browser, the jar takes every cookie the pages set (the first page after sign-in adds
    the session's CSRF secret): the load then sends the session as the person's browser would."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    first: dict[str, float] = {}
    for path in kind.paths:
        started = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": _header(jar), **kind.headers})
        response = conn.getresponse()
        response.read()
        _cookies(response, jar)
        first[path] = (time.perf_counter() - started) * 1000
        if response.status != 200:
            conn.close()
            raise RuntimeError(f"{kind.name}: {path} as {kind.role} answered HTTP {response.status} "
                               f"{response.getheader('Location') or ''}")
    conn.close()
    return first


def run(size: Size, *, tool: str = "auto", seconds: float | None = None, only: list[str] | None = None,
        log=print) -> list[Figure]:
    from bench.bench_pages import ensure_index
    from bench.bench_search import available_backends

    plan = prepare(size)
    kinds = [k for k in plan.kinds if not only or k.name in only]
    if seconds is None:  # 21 page kinds: at most 10 s each at full size; the smoke keeps it short
        seconds = min(size.page_seconds, 10.0) if size.name != "tiny" else size.page_seconds / 2
    clients = size.clients
    if tool == "auto":
        tool = "wrk" if have_wrk() and seconds >= 1 else "python"
    warm = max(1.0, seconds / 4) if tool == "wrk" else seconds / 4
    backend = available_backends()[0]  # the default search backend (Whoosh)
    ensure_index(size, backend)
    base_env = server_env(data_dir(size))
    env = dict(base_env, CATALOG_SEARCH_BACKEND=backend, CATALOG_PAGE_CACHE_MB="0")
    hello: list[LoadResult] = []
    results: list[tuple[Kind, LoadResult, LoadResult, dict[str, float], LoadResult]] = []
    rss: list[float] = []
    # The catalog as configured (pages kept per session), and the same with that keeping off: what
    # a page costs the first time a person opens it, or after any change.
    with gunicorn("bench.hello_app:app", base_env, log=OUT / "gunicorn-hello.log") as (hello_port, _h), \
            gunicorn("wsgi:app", env, log=OUT / "gunicorn-signed-in.log") as (port, master), \
            gunicorn("wsgi:app", dict(env, CATALOG_SIGNED_IN_PAGE_CACHE_MB="0"),
                     log=OUT / "gunicorn-signed-in-rendered.log") as (rendered_port, _r):
        run_load(hello_port, ["/"], clients=clients, seconds=warm, tool=tool)
        for number, kind in enumerate(kinds):
            measured, rendered = {}, {}
            # At tiny size (the suite's smoke) two kinds show the rendered pass works; the rest would
            # only add time.
            servers = [(port, measured)] + ([(rendered_port, rendered)] if size.name != "tiny" or number < 2 else [])
            for server, out in servers:
                # A sign-in per kind: wrk sends one cookie throughout, and a browser's cookie would
                # have taken the session's "last seen" (SESSION_SEEN_INTERVAL, 5 min) meanwhile.
                jar = login(server, plan.emails[kind.role])
                out["first"] = check_paths(server, kind, jar)
                headers = {"Cookie": _header(jar), **kind.headers}
                run_load(server, kind.paths, clients=clients, seconds=warm, tool=tool, headers=headers)
                if server == port:
                    reference = run_load(hello_port, ["/", "/apps"], clients=clients, seconds=seconds, tool=tool)
                out["load"] = run_load(server, kind.paths, clients=clients, seconds=seconds, tool=tool,
                                       headers=headers)
            hello.append(reference)
            results.append((kind, measured["load"], reference, measured["first"], rendered.get("load")))
            rss.append(max(rss_mb(pid) for pid in worker_pids(master.pid)))
            also = (f"rendered p95 {rendered['load'].p95_ms:.1f} ms, {rendered['load'].rps:.0f} req/s, errors "
                    f"{rendered['load'].errors}; " if rendered else "")
            log(f"  {kind.name}: p95 {measured['load'].p95_ms:.1f} ms, {measured['load'].rps:.0f} req/s, errors "
                f"{measured['load'].errors}; {also}hello {reference.rps:.0f} req/s; worker RSS {rss[-1]:.0f} MB")
    return _figures(results, hello, rss, clients, seconds)


def _figures(results, hello: list[LoadResult], rss: list[float], clients: int, seconds: float) -> list[Figure]:
    hello_rps = statistics.median(r.rps for r in hello)
    hello_p95 = statistics.median(r.p95_ms for r in hello)
    figures = [Figure("signed_in", "bare Flask hello (reference, median of the alternating runs)", hello_rps,
                      "req/s", note=f"p95 {hello_p95:.1f} ms, {hello[0].tool}, {clients} clients, {seconds:g} s "
                                    f"per run, {len(hello)} runs")]
    for kind, r, ref, first, rendered in results:
        slowest_first = max(first.values())
        expect = " (full-table export)" if kind.slow_expected else ""
        # No request finished within the run: every one took longer than the run itself.
        p95, latency = (r.p95_ms, f"p50 {r.p50_ms:.1f} ms, p99 {r.p99_ms:.1f} ms") if r.requests else \
            (seconds * 1000, f"no request completed within the {seconds:g} s run: p95 > {seconds * 1000:.0f} ms")
        figures.append(Figure(
            "signed_in", f"{kind.name} p95 under {clients} signed-in clients{expect}", p95, "ms",
            target=f"≤ {P95_TARGET_MS:g} ms", met=p95 <= P95_TARGET_MS and not r.errors and r.requests > 0,
            note=f"as {kind.role}; {latency}, {r.requests} requests, errors "
                 f"{r.errors}, {len(kind.paths)} distinct paths; first request of a path up to "
                 f"{slowest_first:.0f} ms", extra={"kind": kind.name, "p50_ms": r.p50_ms, "paths": kind.paths[:5]}))
        figures.append(Figure(
            "signed_in", f"{kind.name} throughput", r.rps, "req/s", target=f"≥ {THROUGHPUT_TARGET}× hello",
            reference="bare Flask hello", reference_value=hello_rps, ratio=r.rps / hello_rps,
            met=r.rps / hello_rps >= THROUGHPUT_TARGET,
            note=f"hello run right before: {ref.rps:.0f} req/s (ratio {r.rps / ref.rps:.2f})" if ref.rps else ""))
        if rendered is None:
            continue
        figures.append(Figure(
            "signed_in", f"{kind.name} throughput, rendered every time (pages kept per session off)", rendered.rps,
            "req/s", reference="bare Flask hello", reference_value=hello_rps, ratio=rendered.rps / hello_rps,
            note=f"p95 {rendered.p95_ms:.1f} ms, errors {rendered.errors}: a first visit, or any page after a "
                 f"change", extra={"kind": kind.name, "p95_ms": rendered.p95_ms}))
    figures.append(Figure("signed_in", "worker memory after signed-in pages (max RSS of a worker)", max(rss), "MB",
                          target="≤ 200 MB", met=max(rss) <= 200.0))
    return figures


def profile(size: Size, path: str, role: str, repeat: int = 5) -> str:
    """Where one page's time goes: pyinstrument over `repeat` requests in-process, signed in as `role`
    through the login form of the Flask test client (the data and configuration of the benchmark,
    both page caches off: what rendering the page costs)."""
    from pyinstrument import Profiler

    from catalog import create_app

    plan = prepare(size)
    app = create_app(dict(bench_config(data_dir(size)), PAGE_CACHE_MAX_BYTES=0, SIGNED_IN_PAGE_CACHE_MAX_BYTES=0))
    client = app.test_client()
    token = CSRF_FIELD.search(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"csrf_token": token.group(1) if token else "",
                                           "email": plan.emails[role], "password": PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f"login as {role}: HTTP {response.status_code}")
    times = []
    first = client.get(path)  # warms per-process caches, like a worker that has served the page before
    if first.status_code != 200:
        raise RuntimeError(f"{path}: HTTP {first.status_code}")
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    profiler.stop()
    head = f"{path} as {role}: {', '.join(f'{t:.0f}' for t in times)} ms over {repeat} requests\n"
    return head + profiler.output_text(unicode=True, color=False, show_all=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    parser.add_argument("--tool", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--seconds", type=float, help="load per page kind (default: the size's page time, ≤ 10 s)")
    parser.add_argument("--kind", action="append", help="only these page kinds (repeatable)")
    parser.add_argument("--profile", metavar="PATH", help="profile one page in-process instead of the load run")
    parser.add_argument("--as", dest="role", default="adopter",
                        choices=("adopter", "admin", "auditor", "province_auditor"), help="user for --profile")
    args = parser.parse_args()
    from bench.data import build

    size = SIZES[args.size]
    build(size)
    if args.profile:
        print(profile(size, args.profile, args.role))
        return
    for figure in run(size, tool=args.tool, seconds=args.seconds, only=args.kind):
        print(figure.line())


if __name__ == "__main__":
    main()
