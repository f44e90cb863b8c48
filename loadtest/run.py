"""Run the load test: `python -m loadtest.run [--users 50] [--duration 300] [--db postgres|sqlite]`.

Sets up a database and data dir of its own, seeds the demo, starts gunicorn (gthread) and the
worker, drives the virtual users over 127.0.0.1, then checks every acknowledged write, runs
`flask catalog audit-verify` and `flask catalog fsck`, prints a report (JSON with --json) and
exits 0 only when there was no 5xx, nothing acknowledged is missing, and both checks pass.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from .stack import PG_ADMIN_URL, Stack, create_pg_database, drop_pg_database
from .users import SLOTS, Adopter, Record, User
from .verify import check_writes

DEMO_ADOPTERS = (("adopsi@tanjungpinangkota.go.id", "21.72"), ("adopsi@bintankab.go.id", "21.01"),
                 ("adopsi@tabalongkab.go.id", "63.09"))
EXTRA_ORGS = ("21.71", "14.71", "63.71", "13.71", "32.73")  # Batam, Pekanbaru, Banjarmasin, Padang, Bandung


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m loadtest.run", description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--duration", type=float, default=300, help="seconds of load")
    p.add_argument("--think", type=float, default=0.5, help="mean pause between a user's actions (s)")
    p.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    p.add_argument("--pg-admin-url", default=PG_ADMIN_URL)
    p.add_argument("--db-name", default="catalog_load")
    p.add_argument("--redis-url", default=None, help="queue jobs through Redis instead of SQLite")
    p.add_argument("--orgs", type=int, default=3, help="adopter organizations the users belong to")
    p.add_argument("--web-workers", type=int, default=4)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--out", type=Path, default=None, help="keep data, logs and report here")
    p.add_argument("--keep", action="store_true", help="keep the database and data dir afterwards")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--seed", type=int, default=20261122)
    return p.parse_args(argv)


def _adopters(stack: Stack, users: int, orgs: int) -> list[Adopter]:
    """`orgs` adopters (organizations), more if needed so that every user owns a deployment slot."""
    wanted = max(orgs, -(-users // len(SLOTS)))
    people = list(DEMO_ADOPTERS[:wanted])
    for code in EXTRA_ORGS:
        if len(people) >= wanted:
            break
        email = f"adopsi-beban@{code.replace('.', '-')}.go.id"
        made = stack.flask("catalog", "create-user", "--email", email, "--name", f"Uji Beban {code}",
                           "--org", code, "--role", "adopter", input="sandi-uji-beban-2026\n")
        if made.returncode != 0:
            raise RuntimeError(f"create-user failed: {made.stderr}")
        people.append((email, code))
    out = []
    for email, code in people:
        made = stack.flask("catalog", "create-token", "--email", email, "--label", "uji-beban")
        if made.returncode != 0:
            raise RuntimeError(f"create-token failed: {made.stderr}")
        out.append(Adopter(email, code, made.stdout.strip().splitlines()[-1]))
    if len(out) * len(SLOTS) < users:
        raise RuntimeError(f"at most {len(out) * len(SLOTS)} users")
    return out


def _percentiles(values: list[float]) -> dict:
    if not values:
        return {"count": 0}
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"count": len(values), "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(pick(0.95) * 1000, 1), "p99_ms": round(pick(0.99) * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1)}


def _setup(args: argparse.Namespace, root: Path) -> tuple[Stack, str]:
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    if args.db == "postgres":
        url = create_pg_database(args.db_name, args.pg_admin_url)
    else:
        url = f"sqlite:///{data / 'catalog.sqlite3'}"
    stack = Stack(data, database_url=url if args.db == "postgres" else None, web_workers=args.web_workers,
                  threads=args.threads, redis_url=args.redis_url)
    for step in (("db", "upgrade"), ("catalog", "seed", "--demo")):
        done = stack.flask(*step)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(step)} failed:\n{done.stdout}\n{done.stderr}")
    return stack, url


def run(args: argparse.Namespace) -> dict:
    root = args.out or Path(tempfile.mkdtemp(prefix="catalog-load-"))
    root.mkdir(parents=True, exist_ok=True)
    report: dict = {"config": {k: str(v) for k, v in vars(args).items()}, "root": str(root)}
    began = time.monotonic()
    stack, url = _setup(args, root)
    try:
        adopters = _adopters(stack, args.users, args.orgs)
        stack.start()
        report["setup_seconds"] = round(time.monotonic() - began, 1)
        record, work = Record(), root / "clones"
        work.mkdir(exist_ok=True)
        started = time.monotonic()
        deadline = started + args.duration
        users = [User(n, stack.base, adopters[n % len(adopters)], SLOTS[n // len(adopters)], record, work,
                      deadline, args.think, args.seed + n) for n in range(args.users)]
        for user in users:
            user.start()
        for user in users:
            user.join(timeout=max(1.0, deadline - time.monotonic()) + 600)
        elapsed = time.monotonic() - started
        report["drained"] = stack.wait_for_jobs()
        served, server_5xx = stack.access_counts()
        total = sum(record.statuses.values()) + sum(record.errors.values())
        report["load"] = {
            "users": args.users, "seconds": round(elapsed, 1), "requests_sent": total,
            "requests_per_second": round(total / elapsed, 1), "served_by_gunicorn": served,
            "gunicorn_5xx": server_5xx, "client_5xx": len(record.server_errors),
            "no_answer": dict(record.errors), "statuses": {str(k): v for k, v in sorted(record.statuses.items())},
            "push_failures": record.push_failures, "first_5xx": record.server_errors[:10],
            "first_no_answer": record.failures[:10],
            "latency": {kind: _percentiles(v) for kind, v in sorted(record.latencies.items())},
        }
        report["writes"] = check_writes(record, url, root / "data" / "repos")
    finally:
        stack.stop()
    checked = time.monotonic()
    verified = stack.flask("catalog", "audit-verify")
    fsck = stack.flask("catalog", "fsck", "--min-age", "0")
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


def summary(report: dict) -> str:
    load, writes = report["load"], report["writes"]
    lines = [f"users {load['users']}, {load['seconds']} s: {load['requests_sent']} requests "
             f"({load['requests_per_second']}/s), gunicorn served {load['served_by_gunicorn']}, "
             f"5xx: {load['gunicorn_5xx']} (server log) / {load['client_5xx']} (clients), "
             f"no answer: {sum(load['no_answer'].values())}",
             "latency (ms): " + "; ".join(f"{k} n={v['count']} p50 {v.get('p50_ms')} p95 {v.get('p95_ms')} "
                                          f"max {v.get('max_ms')}" for k, v in load["latency"].items())]
    lines += [f"{name}: acknowledged {w['acknowledged']}, found {w['found']}"
              + (f", missing {w['missing']}" if w["missing"] else "") for name, w in writes.items()]
    lines.append(f"audit-verify exit {report['audit_verify']['exit']}: {report['audit_verify']['output']}")
    lines.append(f"fsck exit {report['fsck']['exit']}: {report['fsck']['output']}")
    lines.append("RESULT: " + ("OK" if report["ok"] else "FAILED"))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report = run(args)
    print(json.dumps(report, indent=2) if args.json else summary(report))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
