"""Run every benchmark end to end: `python -m bench.run_all --size full` (or `make bench`).

Builds (or reuses) the national-scale data, then measures search, the git layer and pages,
each against its reference in the same run, and writes bench/out/results-<size>.json and .md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import time
import traceback
from pathlib import Path

from bench.common import OUT, SIZES, Figure, figures_json, fmt, machine, save_json

BENCHES = ("data", "search", "git", "pages", "writes", "signed_in", "scaleout")


def markdown(figures: list[Figure], info: dict) -> str:
    lines = [f"Run {info['started']} · size {info['size']} · {info['machine'].get('cpu', '?')}, "
             f"{info['machine'].get('cpus')} CPUs, {info['machine'].get('mem_gb')} GB · load before "
             f"{' '.join(info['machine'].get('loadavg', []))}", "",
             "| benchmark | figure | measured | reference | ratio | target | met | notes |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for f in figures:
        ref = f"{f.reference}: {fmt(f.reference_value, f.unit)}" if f.reference else ""
        ratio = f"{f.ratio:.2f}×" if f.ratio is not None else ""
        met = {True: "yes", False: "**no**", None: ""}[f.met]
        lines.append(f"| {f.bench} | {f.name} | {fmt(f.measured, f.unit)} | {ref} | {ratio} | {f.target} | {met} | "
                     f"{f.note} |")
    return "\n".join(lines) + "\n"


def data_figures(meta: dict, build_s: float) -> list[Figure]:
    t = meta["timings"]
    c = meta["counts"]
    return [
        Figure("data", "seeding regions (38 provinces, 514 kab/kota, agencies)", t["seed_regions_s"], "s",
               target="≤ 10 s", met=t["seed_regions_s"] <= 10.0, note=f"{c['organizations']} organizations"),
        Figure("data", "national-scale data set", build_s, "s",
               note=f"{c['apps']} apps ({c['published']} published), {c['forks']} forks, {c['deployments']} "
                    f"deployments; built in {sum(t.values()):.0f} s (0 s when reused from bench/out)"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    parser.add_argument("--only", nargs="*", choices=BENCHES, help="run only these benchmarks")
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data even if cached")
    parser.add_argument("--reindex-rounds", type=int, default=None, help="full reindexes to time (default 1, tiny 1)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--pg-dsn", help="PostgreSQL for the scale-out search comparison (or BENCH_PG_DSN)")
    args = parser.parse_args(argv)
    size = SIZES[args.size]
    wanted = set(args.only or BENCHES) | {"data"}
    info = {"started": dt.datetime.now().isoformat(timespec="seconds"), "size": size.name, "machine": machine()}
    figures: list[Figure] = []
    failures = 0

    def log(text: str) -> None:
        print(text, flush=True)

    from bench import bench_git, bench_pages, bench_scaleout, bench_search, bench_signed_in, bench_writes, data

    log(f"== data ({size.name})")
    started = time.perf_counter()
    meta = data.build(size, force=args.rebuild, log=log)
    figures += data_figures(meta, time.perf_counter() - started)
    for figure in figures:
        log("  " + figure.line())
    steps = [("search", lambda: bench_search.run(size, reindex_rounds=args.reindex_rounds or 1, log=log)),
             ("git", lambda: bench_git.run(size, log=log)),
             ("pages", lambda: bench_pages.run(size, log=log)),
             ("writes", lambda: bench_writes.run(size, seconds=max(1.0, size.page_seconds / 2), clients=size.clients,
                                                 interval=0.2, rounds=1 if size.name == "tiny" else 2, log=log)),
             ("signed_in", lambda: bench_signed_in.run(size, log=log)),
             ("scaleout", lambda: bench_scaleout.run(size, args.pg_dsn, log=log))]
    for name, step in steps:
        if name not in wanted:
            continue
        log(f"== {name}")
        began = time.perf_counter()
        try:
            new = step()
        except Exception:  # noqa: BLE001 - report and go on with the other benchmarks
            failures += 1
            traceback.print_exc()
            continue
        for figure in new:
            log("  " + figure.line())
        log(f"   ({time.perf_counter() - began:.0f} s)")
        figures += new
    info["finished"] = dt.datetime.now().isoformat(timespec="seconds")
    args.out.mkdir(parents=True, exist_ok=True)
    save_json(args.out / f"results-{size.name}.json", {"info": info, "figures": figures_json(figures)})
    (args.out / f"results-{size.name}.md").write_text(markdown(figures, info))
    log(f"== results: {args.out / f'results-{size.name}.md'}")
    missed = [f for f in figures if f.met is False]
    log(f"{len([f for f in figures if f.met])} targets met, {len(missed)} missed, {failures} benchmarks failed")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
