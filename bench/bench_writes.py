"""Visitors' pages while writes keep moving the data version (issue 12): the store of recent pages
(`CATALOG_PAGE_CACHE_STALE`, 5 s) against the exact store alone (`0`), same data, same minute.

A working day appends several audit events a second (deployments, pushes, forks), and the page
cache keeps a page only once the data version has stood still for 0.5 s, so before the recent
store every visitor's page was rendered. Here one writer appends an audit event every
`--interval` seconds (as a deployment write would) while N keep-alive clients fetch the list,
search and app pages; the two settings alternate on one gunicorn configuration, and the figure
is their ratio.
"""
from __future__ import annotations

import argparse
import statistics
import threading

from bench.bench_pages import page_sets
from bench.common import OUT, SIZES, Figure, Size, data_dir, make_app, server_env
from bench.loadgen import run_load
from bench.server import gunicorn


def _writer(data, interval: float, stop: threading.Event, counted: list[int]) -> None:
    """Append an audit event every `interval` seconds until `stop`; adds how many to `counted`."""
    from catalog.extensions import db
    from catalog.services import audit
    from catalog.services.tx import write

    app, count = make_app(data), 0
    with app.app_context():
        while not stop.wait(interval):
            with write():
                audit.record(None, "bench.write", "bench", str(count), {})
            count += 1
        db.session.remove()
        db.engine.dispose()
    counted.append(count)


def run(size: Size, *, seconds: float, clients: int, interval: float, rounds: int, log=print) -> list[Figure]:
    sets = page_sets(size)
    paths = sets["list"][:20] + sets["search"][:20] + sets["app"][:40]
    results: dict[str, list] = {"0": [], "5": []}
    writes = 0
    for _round in range(rounds):
        for stale in ("0", "5"):
            env = dict(server_env(data_dir(size)), CATALOG_PAGE_CACHE_STALE=stale)
            with gunicorn("wsgi:app", env, log=OUT / "gunicorn-writes.log") as (port, _master):
                stop = threading.Event()
                counted: list[int] = []
                thread = threading.Thread(target=_writer, args=(data_dir(size), interval, stop, counted))
                thread.start()
                try:
                    run_load(port, paths, clients=clients, seconds=max(1.0, seconds / 4))  # warm-up
                    result = run_load(port, paths, clients=clients, seconds=seconds)
                finally:
                    stop.set()
                    thread.join()
            writes += counted[0] if counted else 0
            results[stale].append(result)
            log(f"  stale={stale}s: {result.rps:.0f} req/s, p95 {result.p95_ms:.1f} ms, errors {result.errors}")
    off, on = (statistics.median(r.rps for r in results[k]) for k in ("0", "5"))
    p95_off, p95_on = (statistics.median(r.p95_ms for r in results[k]) for k in ("0", "5"))
    note = (f"{clients} clients, {len(paths)} paths, a write every {interval:g} s ({writes} in all), "
            f"{rounds} round(s) of each setting, alternating, {seconds:g} s each")
    return [
        Figure("writes", "visitors' pages under writes, exact store only (PAGE_CACHE_STALE=0)", off, "req/s",
               note=f"p95 {p95_off:.1f} ms; {note}"),
        Figure("writes", "visitors' pages under writes, with the 5 s store of recent pages", on, "req/s",
               reference="exact store only", reference_value=off, ratio=on / off if off else None,
               note=f"p95 {p95_on:.1f} ms; {note}"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between writes")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    from bench.data import build

    build(SIZES[args.size])
    for figure in run(SIZES[args.size], seconds=args.seconds, clients=args.clients, interval=args.interval,
                      rounds=args.rounds):
        print(figure.line())


if __name__ == "__main__":
    main()
