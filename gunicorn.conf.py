"""gunicorn settings for the catalog (`make run` passes `-c gunicorn.conf.py`; so should deploy/).

Metrics in multiprocess mode (prometheus_client, "Multiprocess Mode (E.g. Gunicorn)"): each
worker writes its counters and histograms to files in PROMETHEUS_MULTIPROC_DIR, and /metrics
adds up the files of all workers, living and exited. The directory must be set before any
worker imports prometheus_client, so it is set here, in the master: `$CATALOG_DATA_DIR/metrics`
unless the environment names one. The master empties it when it starts (counters begin at
zero with each start of the service, as Prometheus expects of a restart); so one directory per
gunicorn instance, never shared between two of them.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

_data_dir = Path(os.environ.get("CATALOG_DATA_DIR") or "instance").resolve()
# How often a worker's threads hand the GIL over (CPython's default: every 5 ms). A thread back
# from the database waits up to that long for each of its statements while other threads render
# pages; a write holds SQLite's writers' lock through those waits, and every other writer queues
# behind it. `python -m bench.bench_sqlite_writers --against switch` (4 processes × 8 threads of
# deployment-like writes, 2 cores): write p95 987 -> 637 ms, 47 -> 58 writes/s at 1 ms.
switch_interval = float(os.environ.get("CATALOG_SWITCH_INTERVAL_MS") or 1) / 1000
metrics_dir = Path(os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(_data_dir / "metrics")))
metrics_dir.mkdir(parents=True, exist_ok=True)


def on_starting(server) -> None:
    """In the master, before the first worker: drop the files of the previous run."""
    for stale in metrics_dir.glob("*.db"):
        stale.unlink(missing_ok=True)


def post_fork(server, worker) -> None:
    """In each worker, before it serves."""
    sys.setswitchinterval(switch_interval)


def child_exit(server, worker) -> None:
    """In the master, when a worker exits: its live gauges go (its counters stay counted)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, str(metrics_dir))
