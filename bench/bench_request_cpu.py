"""CPU per request kind of the working day's mix, in-process, on the demo catalog.

`python -m bench.bench_request_cpu [--repeat 60] [--only KIND] [--profile KIND]
[--db postgres [--pg-driver psycopg2|psycopg]]`

Process CPU time (not wall time, so a busy machine distorts it far less than latency) of each
request kind the load test sends — visitors' pages, signed-in pages, searches, API reads, a
deployment write — through the Flask test client on a fresh data dir seeded with
`catalog seed --demo`, against the reference measured in the same run: the bare Flask app of
`bench/hello_app.py` through the same test client. `--profile KIND` prints pyinstrument's tree
for one kind instead. `--db postgres` seeds a fresh database on the local server instead of
SQLite (the web process's own CPU only: the server's is not counted). What the load test adds
on top (gunicorn, compression, git, PostgreSQL, the clients) is `python -m loadtest.run --profile`.
"""
from __future__ import annotations

import argparse
import itertools
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from loadtest.stack import PG_DRIVERS, create_pg_database, drop_pg_database

from .common import ROOT

ADOPTER = ("adopsi@tanjungpinangkota.go.id", "adopsi-demo-2026")   # seed/demo.py
AUDITOR = ("auditor@menpan.go.id", "auditor-demo-2026")
BROTLI = {"Accept-Encoding": "gzip, deflate, br"}


def _seed(data: Path) -> None:
    env = {**os.environ, "CATALOG_DATA_DIR": str(data), "CATALOG_ALLOW_LOCAL_REPOS": "1"}
    for step in (("db", "upgrade"), ("catalog", "seed", "--demo")):
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *step], cwd=ROOT, env=env, check=True,
                       capture_output=True)


def _signed_in(app, email: str, password: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    answer = client.post("/login", data={"email": email, "password": password,
                                         "csrf_token": token.group(1) if token else ""})
    if answer.status_code != 302:
        raise SystemExit(f"sign-in of {email} answered {answer.status_code}")
    return client


def kinds(app) -> dict[str, Callable[[], object]]:
    """The request kinds, each a call that makes one request (and answers it)."""
    from catalog.extensions import db
    from catalog.models import Deployment, Fork, Organization, User
    from catalog.services.accounts import tokens

    visitor, adopter, auditor = app.test_client(), _signed_in(app, *ADOPTER), _signed_in(app, *AUDITOR)
    with app.app_context():
        owner = db.session.execute(db.select(User).where(User.email == ADOPTER[0])).scalar_one()
        bearer = {"Authorization": "Bearer " + tokens.create_token(owner, label="bench", actor=owner)[1]}
        fork_id = db.session.execute(db.select(Fork.id).order_by(Fork.id)).scalars().first()
        dep_id = db.session.execute(
            db.select(Deployment.id).join(Organization, Organization.id == Deployment.organization_id)
            .where(Organization.code == "21.72", Deployment.status == "production")).scalars().first()
    flip = itertools.cycle(("suspended", "production"))
    tables = itertools.cycle(("apps", "regions", "adoption", "forks", "lagging", "duplicates"))
    return {
        "hello (reference)": None,
        "visitor /": lambda: visitor.get("/"),
        "visitor /apps?q=pegawai": lambda: visitor.get("/apps?q=pegawai"),
        "visitor /apps/simanja": lambda: visitor.get("/apps/simanja"),
        "signed-in /": lambda: adopter.get("/"),
        "signed-in /apps?q=pegawai": lambda: adopter.get("/apps?q=pegawai"),
        "signed-in /apps/simanja": lambda: adopter.get("/apps/simanja"),
        "signed-in adoption guide": lambda: adopter.get("/apps/simanja/adopsi"),
        "signed-in fork page": lambda: adopter.get(f"/forks/{fork_id}"),
        "signed-in /my/region": lambda: adopter.get("/my/region"),
        "signed-in /deployments": lambda: adopter.get("/deployments"),
        "signed-in /notifications": lambda: adopter.get("/notifications"),
        "auditor /reports": lambda: auditor.get("/reports"),
        "API /apps?q=pegawai": lambda: visitor.get("/api/v1/apps?q=pegawai", headers=bearer),
        "API /apps/simanja": lambda: visitor.get("/api/v1/apps/simanja", headers=bearer),
        "API /deployments?org=21.72": lambda: visitor.get("/api/v1/deployments?org=21.72", headers=bearer),
        "API deployment status write": lambda: visitor.post(f"/api/v1/deployments/{dep_id}/status",
                                                            json={"status": next(flip)}, headers=bearer),
        # The auditor's pages of the load test (loadtest/browsers.py AuditorBrowser), Tanjung Pinang's.
        "auditor evidence page": lambda: auditor.get("/reports/evidence/21.72"),
        "auditor evidence CSV": lambda: auditor.get("/reports/evidence/21.72.csv"),
        "auditor report CSV (each table)": lambda: auditor.get(f"/reports/tables/{next(tables)}.csv"),
        "auditor audit trail": lambda: auditor.get("/reports/audit"),
        # the request plumbing alone (session cookie, user load, hooks, headers): its view answers {"status": "ok"}
        "signed-in near-empty (/healthz)": lambda: adopter.get("/healthz"),
        "visitor near-empty (/healthz)": lambda: visitor.get("/healthz"),
        # as browsers and the load test's clients ask: the answer compressed (brotli)
        "signed-in / (br)": lambda: adopter.get("/", headers=BROTLI),
        "signed-in /deployments (br)": lambda: adopter.get("/deployments", headers=BROTLI),
        "API /deployments?org=21.72 (br)": lambda: visitor.get("/api/v1/deployments?org=21.72",
                                                               headers={**bearer, **BROTLI}),
        **_fork_kinds(app, visitor, adopter, bearer),
    }


def _fork_kinds(app, visitor, adopter, bearer) -> dict[str, Callable[[], object]]:
    """Forks and git over HTTP: the region's own copy (its page, a file's diff, the API entry
    the load test polls after a push, a new copy) and git's discovery requests (clone, push)."""
    import base64

    from catalog.extensions import db
    from catalog.models import Fork, User
    from catalog.services.accounts import tokens
    from catalog.services.repos import forks

    with app.app_context():
        owner = db.session.execute(db.select(User).where(User.email == ADOPTER[0])).scalar_one()
        fork = db.session.execute(db.select(Fork).where(Fork.organization_id == owner.organization_id,
                                                        Fork.ahead > 0).order_by(Fork.id)).scalars().first()
        fork_id, relpath = fork.id, fork.relpath
        path = forks.fork_changes(fork).changes[0].path
        git_token = tokens.create_token(owner, label="bench git", actor=owner, scopes=["git"])[1]
    basic = {"Authorization": "Basic " + base64.b64encode(f"x:{git_token}".encode()).decode()}
    names = (f"bench-copy-{n}" for n in itertools.count())
    return {
        "signed-in fork diff": lambda: adopter.get(f"/forks/{fork_id}/diff", query_string={"path": path}),
        "API /forks/<id>": lambda: visitor.get(f"/api/v1/forks/{fork_id}", headers=bearer),
        "API fork create": lambda: visitor.post("/api/v1/apps/simanja/forks", json={"name": next(names)},
                                                headers=bearer),
        "git clone discovery": lambda: visitor.get(f"/git/{relpath}/info/refs?service=git-upload-pack", buffered=True),
        "git push discovery": lambda: visitor.get(f"/git/{relpath}/info/refs?service=git-receive-pack",
                                                  headers=basic, buffered=True),
    }


def cpu_ms(call: Callable[[], object], repeat: int) -> tuple[float, int]:
    """Median CPU milliseconds of `repeat` calls after three warm ones, and the last status."""
    for _ in range(3):
        answer = call()
    samples = []
    for _ in range(repeat):
        began = time.process_time()
        answer = call()
        samples.append((time.process_time() - began) * 1000)
    return statistics.median(samples), getattr(answer, "status_code", 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_request_cpu", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--only", default="", help="kinds whose name contains this")
    parser.add_argument("--profile", default="", help="pyinstrument tree of the first kind whose name contains this")
    parser.add_argument("--seeded-data", type=Path, default=None, metavar="DIR",
                        help="copy this data dir, already seeded the same way (seed/demo_copy.py), instead of seeding")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite",
                        help="postgres: a fresh database `bench_request_cpu` on 127.0.0.1:5432, dropped after")
    parser.add_argument("--pg-driver", choices=PG_DRIVERS, default=PG_DRIVERS[0],
                        help="the catalog's PostgreSQL driver (SQLAlchemy's postgresql+<driver>://)")
    args = parser.parse_args(argv)
    os.environ.pop("CATALOG_DATABASE_URL", None)
    if args.db == "postgres":
        if args.seeded_data:
            parser.error("--seeded-data holds a SQLite catalog; --db postgres seeds its own")
        os.environ["CATALOG_DATABASE_URL"] = create_pg_database("bench_request_cpu", driver=args.pg_driver)
        try:
            return _measure(args)
        finally:
            drop_pg_database("bench_request_cpu")
    return _measure(args)


def _measure(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="bench-request-cpu-") as tmp:
        data = Path(tmp) / "data"
        if args.seeded_data:
            from seed.demo_copy import copy_demo_data

            copy_demo_data(args.seeded_data, data)
        else:
            data.mkdir()
            _seed(data)
        os.environ.update(CATALOG_DATA_DIR=str(data), CATALOG_ALLOW_LOCAL_REPOS="1")
        from catalog import create_app

        from .hello_app import app as hello

        app = create_app()
        hello_client = hello.test_client()
        calls = kinds(app)
        calls["hello (reference)"] = lambda: hello_client.get("/")
        if args.profile:
            from pyinstrument import Profiler

            name = next(k for k in calls if args.profile in k)
            for _ in range(3):  # templates compiled and caches filled before the profile starts
                calls[name]()
            profiler = Profiler(interval=0.0005)
            profiler.start()
            for _ in range(args.repeat):
                calls[name]()
            profiler.stop()
            print(profiler.output_text(unicode=False, color=False))
            return 0
        reference, _status = cpu_ms(calls["hello (reference)"], args.repeat)
        counter = _StatementCounter(app)
        print(f"{'kind':34s} {'CPU ms':>8s} {'x hello':>8s} {'SQL':>4s}  status")
        for name, call in calls.items():
            if args.only and args.only not in name:
                continue
            ms, status = cpu_ms(call, args.repeat)
            statements = counter.during(call)
            print(f"{name:34s} {ms:8.2f} {ms / reference:8.1f} {statements:4d}  {status}", flush=True)
    return 0


class _StatementCounter:
    """SQL statements one request sends (each a round trip to the database server on PostgreSQL)."""

    def __init__(self, app) -> None:
        from sqlalchemy import event

        from catalog.extensions import db

        self.count = 0
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args) -> None:
        self.count += 1

    def during(self, call: Callable[[], object]) -> int:
        before = self.count
        call()
        return self.count - before


if __name__ == "__main__":
    sys.exit(main())
