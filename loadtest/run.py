"""Run the load test: `python -m loadtest.run [--users 50] [--duration 300] [--db postgres|sqlite]`,
or a saturation curve: `python -m loadtest.run --curve 25,50,100,200 [--step-duration 60]`; either on
two nodes behind nginx with `--nodes 2 --redis-url redis://127.0.0.1:6379/<n>` (loadtest/cluster.py).

Sets up a database and data dir of its own, seeds the demo, starts gunicorn (gthread) and the
worker, drives the virtual users over 127.0.0.1 — API users with tokens (reads, forks, git pushes,
deployment writes) and signed-in browser users (staff and auditors, logged in through the form) —
then checks every acknowledged write, runs `flask catalog audit-verify` and `flask catalog fsck`,
prints a report (JSON with --json) and exits 0 only when there was no 5xx, nothing acknowledged is
missing, and both checks pass. A curve runs its steps one after another on the same stack (one
seeding), the same people joined by more at each step, and reports each step.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import cpu
from . import report as figures
from .browsers import AUDITORS, Account, AuditorBrowser, StaffBrowser
from .cluster import Cluster, flush_redis
from .stack import PG_ADMIN_URL, PG_DRIVERS, Stack, create_pg_database, drop_pg_database
from .users import SLOTS, Adopter, Record, User, VirtualUser
from .verify import check_writes

DEMO_PASSWORD = "adopsi-demo-2026"  # seed/demo.py
LOAD_PASSWORD = "sandi-uji-beban-2026"
DEMO_ADOPTERS = (("adopsi@tanjungpinangkota.go.id", "21.72"), ("adopsi@bintankab.go.id", "21.01"),
                 ("adopsi@tabalongkab.go.id", "63.09"))
EXTRA_ORGS = ("21.71", "14.71", "63.71", "13.71", "32.73")  # Batam, Pekanbaru, Banjarmasin, Padang, Bandung


def _user_counts(text: str) -> list[int]:
    try:
        counts = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("user counts separated by commas, e.g. 25,50,100") from None
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("at least one user count, each 1 or more")
    return counts


def _share(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError("a fraction from 0 to 1")
    return value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m loadtest.run", description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--duration", type=float, default=300, help="seconds of load")
    p.add_argument("--curve", type=_user_counts, default=None, metavar="N,N,...",
                   help="saturation curve: one step per user count on the same stack (--users/--duration unused)")
    p.add_argument("--step-duration", type=float, default=60, help="seconds of load per curve step")
    p.add_argument("--signed-in-share", type=_share, default=0.3,
                   help="fraction of users that are signed-in browser users (one in four of them an auditor)")
    p.add_argument("--think", type=float, default=0.5, help="mean pause between a user's actions (s)")
    p.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    p.add_argument("--pg-admin-url", default=PG_ADMIN_URL)
    p.add_argument("--db-name", default="catalog_load")
    p.add_argument("--pg-driver", choices=PG_DRIVERS, default=PG_DRIVERS[0],
                   help="the catalog's PostgreSQL driver (SQLAlchemy's postgresql+<driver>://)")
    p.add_argument("--redis-url", default=None, help="queue jobs through Redis instead of SQLite (emptied first "
                   "with --nodes 2: give it a database of its own)")
    p.add_argument("--nodes", type=int, choices=(1, 2), default=1,
                   help="2: two nodes behind nginx (loadtest/cluster.py; needs --db postgres and --redis-url); "
                        "--web-workers is per node")
    p.add_argument("--orgs", type=int, default=3, help="adopter organizations the users belong to")
    p.add_argument("--web-workers", type=int, default=4)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--out", type=Path, default=None, help="keep data, logs and report here")
    p.add_argument("--keep", action="store_true", help="keep the database and data dir afterwards")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--profile", action="store_true",
                   help="CPU per process kind, and py-spy on the web workers for the middle third (loadtest/cpu.py)")
    p.add_argument("--seed", type=int, default=20261122)
    p.add_argument("--seeded-data", type=Path, default=None, metavar="DIR",
                   help="with --db sqlite: copy this data dir, where `db upgrade` and `catalog seed --demo` ran "
                        "(seed/demo_copy.py), instead of seeding (the test suite's load smoke)")
    args = p.parse_args(argv)
    if args.seeded_data and args.db != "sqlite":
        p.error("--seeded-data needs --db sqlite")
    if args.nodes == 2 and (args.db != "postgres" or not args.redis_url):
        p.error("--nodes 2 needs --db postgres and --redis-url (every node shares the database and the queue)")
    return args


def kinds(users: int, share: float) -> list[str]:
    """'api', 'staff' or 'auditor' per user, interleaved so that every prefix keeps the share."""
    out, browsers = [], 0
    for i in range(users):
        if int((i + 1) * share + 1e-9) > int(i * share + 1e-9):
            out.append("auditor" if browsers % 4 == 1 else "staff")
            browsers += 1
        else:
            out.append("api")
    return out


def _adopters(stack: Stack, api_users: int, orgs: int) -> list[Adopter]:
    """`orgs` adopters (organizations), more if needed so that every API user owns a deployment slot."""
    wanted = max(orgs, 1, -(-api_users // len(SLOTS)))
    people = [(email, code, DEMO_PASSWORD, False) for email, code in DEMO_ADOPTERS[:wanted]]
    people += [(f"adopsi-beban@{code.replace('.', '-')}.go.id", code, LOAD_PASSWORD, True)
               for code in EXTRA_ORGS[:max(0, wanted - len(people))]]

    def make(email: str, code: str, password: str, new: bool) -> Adopter:
        if new:
            made = stack.flask("catalog", "create-user", "--email", email, "--name", f"Uji Beban {code}",
                               "--org", code, "--role", "adopter", input=password + "\n")
            if made.returncode != 0:
                raise RuntimeError(f"create-user failed: {made.stderr}")
        made = stack.flask("catalog", "create-token", "--email", email, "--label", "uji-beban")
        if made.returncode != 0:
            raise RuntimeError(f"create-token failed: {made.stderr}")
        return Adopter(email, code, made.stdout.strip().splitlines()[-1], password)

    with ThreadPoolExecutor(3) as pool:  # each is a flask process booting: ~1–2 s
        out = list(pool.map(lambda person: make(*person), people))
    if len(out) * len(SLOTS) < api_users:
        raise RuntimeError(f"at most {len(out) * len(SLOTS)} API users")
    return out


def population(args: argparse.Namespace, stack: Stack, adopters: list[Adopter], record: Record,
               work: Path, users: int) -> list[VirtualUser]:
    """The people, in the order steps take them: a step of N users drives the first N."""
    people: list[VirtualUser] = []
    seen = {"api": 0, "staff": 0, "auditor": 0}
    a = len(adopters)
    for n, kind in enumerate(kinds(users, args.signed_in_share)):
        i = seen[kind]
        seen[kind] += 1
        if kind == "api":
            people.append(User(n, stack.base, adopters[i % a], SLOTS[i // a], record, work, args.think, args.seed + n))
        elif kind == "staff":
            who = adopters[i % a]
            people.append(StaffBrowser(n, stack.base, Account(who.email, who.password, who.org), record, args.think,
                                       args.seed + n))
        else:
            people.append(AuditorBrowser(n, stack.base, Account(*AUDITORS[i % len(AUDITORS)]), record, args.think,
                                         args.seed + n))
    return people


def mix(people: list[VirtualUser]) -> dict:
    return {"users": len(people), "api_users": sum(p.kind == "api" for p in people),
            "staff": sum(p.kind == "staff" for p in people), "auditors": sum(p.kind == "auditor" for p in people)}


def drive(people: list[VirtualUser], seconds: float, step: int) -> tuple[float, int]:
    """Every person acts until the deadline (and finishes what it started); (elapsed, still running)."""
    started = time.monotonic()
    deadline = started + seconds
    threads = [threading.Thread(target=p.drive, args=(deadline, step), name=f"user-{p.n}", daemon=True)
               for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(1.0, deadline - time.monotonic()) + 600)
    return time.monotonic() - started, sum(t.is_alive() for t in threads)


def _setup(args: argparse.Namespace, root: Path) -> tuple[Stack | Cluster, str]:
    data = root / "data"
    if args.seeded_data:
        from seed.demo_copy import copy_demo_data

        copy_demo_data(args.seeded_data, data)
    else:
        data.mkdir(parents=True, exist_ok=True)
    if args.db == "postgres":
        url = create_pg_database(args.db_name, args.pg_admin_url, args.pg_driver)
    else:
        url = f"sqlite:///{data / 'catalog.sqlite3'}"
    if args.nodes == 2:
        flush_redis(args.redis_url)
        stack = Cluster(data, database_url=url, redis_url=args.redis_url, web_workers=args.web_workers,
                        threads=args.threads)
    else:
        stack = Stack(data, database_url=url if args.db == "postgres" else None, web_workers=args.web_workers,
                      threads=args.threads, redis_url=args.redis_url)
    for step in () if args.seeded_data else (("db", "upgrade"), ("catalog", "seed", "--demo")):
        done = stack.flask(*step)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(step)} failed:\n{done.stdout}\n{done.stderr}")
    return stack, url


def run(args: argparse.Namespace) -> dict:
    root = args.out or Path(tempfile.mkdtemp(prefix="catalog-load-"))
    root.mkdir(parents=True, exist_ok=True)
    report: dict = {"config": {k: str(v) for k, v in vars(args).items()}, "root": str(root)}
    steps = args.curve or [args.users]
    seconds = args.step_duration if args.curve else args.duration
    began = time.monotonic()
    stack, url = _setup(args, root)
    try:
        biggest = max(steps)
        with ThreadPoolExecutor(1) as pool:  # accounts and tokens while the servers boot
            making = pool.submit(_adopters, stack, kinds(biggest, args.signed_in_share).count("api"), args.orgs)
            stack.start()
            adopters = making.result()
        report["setup_seconds"] = round(time.monotonic() - began, 1)
        record, work = Record(), root / "clones"
        work.mkdir(exist_ok=True)
        people = population(args, stack, adopters, record, work, biggest)
        report["steps"], load_seconds = [], 0.0
        profile = (cpu.Profile(stack.procs["web"].pid, seconds * len(steps), root / "py-spy.txt")
                   if args.profile else None)
        for step, users in enumerate(steps):
            elapsed, running = drive(people[:users], seconds, step)
            load_seconds += elapsed
            last = step == len(steps) - 1 or running
            waited = time.monotonic()
            # between steps the worker's queue (divergence after pushes) gets a bounded time to drain
            drained = stack.wait_for_jobs(timeout=180 if last else min(120.0, max(20.0, seconds)))
            in_step = [s for s in record.samples if s[0] == step]
            report["steps"].append({**figures.step_figures(in_step, mix(people[:users]), elapsed),
                                    "drained": drained, "drain_seconds": round(time.monotonic() - waited, 1),
                                    "still_running": running})
            if running:  # a user stuck for 10 minutes: do not drive it from two threads
                break
        if profile is not None:
            report["cpu"], report["web_cpu_by_view"] = profile.finish()
        report["drained"] = report["steps"][-1]["drained"]
        served, server_5xx = stack.access_counts()
        report["load"] = {
            **mix(people[:max(s["users"] for s in report["steps"])]), "seconds": round(load_seconds, 1),
            **figures.totals(record.samples, load_seconds),
            "served_by_gunicorn": served, "gunicorn_5xx": server_5xx, "client_5xx": len(record.server_errors),
            "no_answer": dict(record.errors), "statuses": {str(k): v for k, v in sorted(record.statuses.items())},
            "push_failures": record.push_failures, "git_refusals": len(record.refusals),
            "logins": dict(record.logins), "sessions_lost": len(record.sessions_lost),
            "first_5xx": record.server_errors[:10], "first_no_answer": record.failures[:10],
            "first_git_refusals": record.refusals[:10], "first_sessions_lost": record.sessions_lost[:10],
            "classes": figures.by_class(record.samples), "pages": figures.by_page(record.samples),
            "push_shown": figures.push_shown(record.push_shown),
        }
        if args.curve:
            report["curve"] = {"page_p95_limit_ms": figures.PAGE_P95_LIMIT_MS,
                               "largest_users_page_p95_ok": figures.knee(report["steps"], "page_p95_ms"),
                               "largest_users_signed_in_p95_ok": figures.knee(report["steps"],
                                                                              "page_signed_in_p95_ms")}
        report["writes"] = check_writes(record, url, stack.repos)
    finally:
        stack.stop()
    checked = time.monotonic()
    with ThreadPoolExecutor(2) as pool:  # both only read
        verifying = pool.submit(stack.flask, "catalog", "audit-verify")
        checking = pool.submit(stack.flask, "catalog", "fsck", "--min-age", "0")
        verified, fsck = verifying.result(), checking.result()
    report["audit_verify"] = {"exit": verified.returncode, "output": (verified.stdout + verified.stderr).strip()}
    report["fsck"] = {"exit": fsck.returncode, "output": (fsck.stdout + fsck.stderr).strip()}
    report["check_seconds"] = round(time.monotonic() - checked, 1)
    writes = report["writes"]
    report["ok"] = (report["load"]["gunicorn_5xx"] == 0 and report["load"]["client_5xx"] == 0
                    and all(w["acknowledged"] == w["found"] for w in writes.values())
                    and verified.returncode == 0 and fsck.returncode == 0)
    (root / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    if not args.keep:
        if args.db == "postgres":
            drop_pg_database(args.db_name, args.pg_admin_url)
        if args.out is None:
            shutil.rmtree(root, ignore_errors=True)
    return report


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report = run(args)
    print(json.dumps(report, indent=2) if args.json else figures.summary(report))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
