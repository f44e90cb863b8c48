"""How long a job queued after a quiet spell waits before a worker takes it (SQLite queue).

A push queues its fork's refresh; the fork page shows the push once that job ran. Huey's consumer
polls a SQLite queue with a delay growing by 1.15 per empty poll up to 10 s, so after a quiet
minute the refresh waited seconds before any worker looked. The catalog's consumer
(`catalog.jobs.queue.consumer`) caps the delay; this bench runs it and Huey's default consumer on
the same queue file, one after the other, idle for `--idle` seconds before each job, and reports
the wait from enqueue to start (and the CPU the idle polling cost, per second).

    python -m bench.bench_job_pickup --idle 30 --rounds 3
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

from huey.signals import SIGNAL_EXECUTING

from bench.common import Figure, make_app


def _pickups(app, build_consumer, *, idle: float, rounds: int) -> tuple[list[float], float]:
    """Seconds from enqueue to start for `rounds` jobs, each after `idle` quiet seconds, and the
    consumer's CPU seconds per idle second (this process does nothing else meanwhile)."""
    from catalog.jobs.queue import enqueue, queue

    huey, started = queue(app), threading.Event()
    huey.signal(SIGNAL_EXECUTING)(lambda *_a, **_k: started.set())
    consumer, waits = build_consumer(), []
    consumer.start()
    cpu_before, wall_before = time.process_time(), time.monotonic()
    try:
        for _ in range(rounds):
            time.sleep(idle)
            started.clear()
            with app.test_request_context():
                queued = time.monotonic()
                enqueue("index.apply")
            started.wait(60)
            waits.append(time.monotonic() - queued)
    finally:
        consumer.stop(graceful=True)
    huey.disconnect_signal(SIGNAL_EXECUTING)
    return waits, (time.process_time() - cpu_before) / (time.monotonic() - wall_before)


def run(*, idle: float, rounds: int, log=print) -> list[Figure]:
    from catalog.jobs.queue import consumer, queue

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        app = make_app(data)
        with app.app_context():
            from catalog.extensions import db
            db.create_all()
        ours, ours_cpu = _pickups(app, lambda: consumer(app, 2), idle=idle, rounds=rounds)
        huey_default, default_cpu = _pickups(
            app, lambda: queue(app).create_consumer(workers=2, worker_type="thread", periodic=True),
            idle=idle, rounds=rounds)
    med, ref = statistics.median(ours), statistics.median(huey_default)
    figures = [Figure("job_pickup", f"wait before a job after {idle:.0f} s idle (SQLite queue), median", med * 1000,
                      "ms", reference="Huey's default consumer (max delay 10 s)", reference_value=ref * 1000,
                      ratio=med / ref if ref else None, target="≤ 500 ms", met=max(ours) <= 0.5,
                      note=f"ours {[round(w * 1000) for w in ours]} ms; default "
                           f"{[round(w * 1000) for w in huey_default]} ms; idle polling CPU "
                           f"{ours_cpu * 1000:.2f} vs {default_cpu * 1000:.2f} ms per second")]
    for f in figures:
        log(f.line())
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--idle", type=float, default=30.0, help="quiet seconds before each job")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    run(idle=args.idle, rounds=args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
