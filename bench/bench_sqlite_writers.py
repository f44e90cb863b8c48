"""Writes on SQLite from several processes and threads: the writer queue against SQLite's busy
handler alone (catalog/sqlite_writers.py), same data, same run, rounds interleaved.

Each of `--processes` processes runs `--threads` threads that, for `--seconds`, do what a
deployment write does to the database's lock: some work before the transaction (reading,
checking; `--outside-ms` of CPU), then a write transaction holding `--inside-ms` of CPU and an
audit event, as a request of the working day would. The figure is the write's time from asking
for the transaction to its commit, and the writes per second; the reference is the same load
with the queue taken out (each writer goes straight to BEGIN IMMEDIATE and SQLite's busy
handler), in processes of their own.

    python -m bench.bench_sqlite_writers --processes 4 --threads 8 --seconds 20 --rounds 2

`--against switch` compares instead how often each process's threads hand the GIL over: every
1 ms (gunicorn.conf.py's `switch_interval`) against CPython's 5 ms, the queue on in both. A
writer back from SQLite waits for the GIL at each statement while the other threads spin, and
holds the writers' lock meanwhile.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.common import ROOT, Figure, make_app, percentile


def _spin(ms: float) -> None:
    end = time.thread_time() + ms / 1000
    while time.thread_time() < end:
        pass


def child(data: Path, *, queue: bool, threads: int, seconds: float, inside_ms: float, outside_ms: float,
          switch_ms: float | None = None) -> None:
    """One process of the load: prints the seconds each write took, as JSON."""
    if switch_ms:
        sys.setswitchinterval(switch_ms / 1000)
    from catalog import sqlite_writers
    from catalog.extensions import db
    from catalog.services import audit
    from catalog.services.tx import write

    if not queue:  # the reference: straight to BEGIN IMMEDIATE and the busy handler
        sqlite_writers.take_turn = lambda conn, database: None
    app, times, lock = make_app(data), [], threading.Lock()
    deadline = time.monotonic() + seconds

    def writer(n: int) -> None:
        mine = []
        with app.app_context():
            while time.monotonic() < deadline:
                _spin(outside_ms)
                started = time.monotonic()
                with write():
                    _spin(inside_ms)
                    audit.record(None, "bench.write", "bench", str(n), {})
                mine.append(time.monotonic() - started)
            db.session.remove()
        with lock:
            times.extend(mine)

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print(json.dumps(times))


def _round(data: Path, *, queue: bool, processes: int, args, switch_ms: float | None = None) -> list[float]:
    cmd = [sys.executable, "-m", "bench.bench_sqlite_writers", "--child", str(data), "--threads", str(args.threads),
           "--seconds", str(args.seconds), "--inside-ms", str(args.inside_ms), "--outside-ms", str(args.outside_ms)]
    if switch_ms:
        cmd += ["--switch-ms", str(switch_ms)]
    procs = [subprocess.Popen(cmd + ([] if queue else ["--no-queue"]), cwd=ROOT, stdout=subprocess.PIPE, text=True)
             for _ in range(processes)]
    times = []
    for p in procs:
        out, _ = p.communicate(timeout=args.seconds + 120)
        times.extend(json.loads(out.strip().splitlines()[-1]))
    return times


def run(args, log=print) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        with make_app(data).app_context():
            from catalog.extensions import db
            db.create_all()
            db.engine.dispose()
        ours, ref = [], []
        switch = args.against == "switch"
        for _ in range(args.rounds):  # interleaved, so that the machine's load falls on both alike
            ours += _round(data, queue=True, processes=args.processes, args=args, switch_ms=1 if switch else None)
            ref += _round(data, queue=switch, processes=args.processes, args=args, switch_ms=5 if switch else None)
    reference = "GIL handed over every 5 ms (CPython's default)" if switch else "busy handler alone"
    what = "GIL every 1 ms" if switch else "writer queue"
    seconds = args.seconds * args.rounds
    figures = []
    for pct in (50, 95, 99):
        mine, theirs = percentile(ours, pct) * 1000, percentile(ref, pct) * 1000
        figures.append(Figure("sqlite_writers", f"write p{pct}, {args.processes}×{args.threads} writers, {what}", mine,
                              "ms", reference=reference, reference_value=theirs, ratio=mine / theirs))
    figures.append(Figure("sqlite_writers", f"writes per second, {what}", len(ours) / seconds, "req/s",
                          reference=reference, reference_value=len(ref) / seconds,
                          ratio=len(ours) / max(1, len(ref)),
                          note=f"mean write {statistics.fmean(ours) * 1000:.1f} vs "
                               f"{statistics.fmean(ref) * 1000:.1f} ms"))
    for f in figures:
        log(f.line())
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--inside-ms", type=float, default=3.0, help="CPU inside each write transaction")
    parser.add_argument("--outside-ms", type=float, default=15.0, help="CPU before each write transaction")
    parser.add_argument("--against", choices=("queue", "switch"), default="queue",
                        help="reference: SQLite's busy handler without the queue, or the GIL's default 5 ms")
    parser.add_argument("--switch-ms", type=float, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-queue", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, queue=not args.no_queue, threads=args.threads, seconds=args.seconds,
              inside_ms=args.inside_ms, outside_ms=args.outside_ms, switch_ms=args.switch_ms)
    else:
        run(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
