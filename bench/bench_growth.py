"""How search cost grows with the catalog (issue 12, item 6): the same query set through
`browse()` (what the list and search pages call) at national size (27,000 apps) and at ten times
that (270,000), in one run, one after the other on the same machine. The figure is the ratio of
the two p95s; the target is at most 3×.

Building the 270,000-app data set takes about a quarter of an hour on two cores (most of it the
search index), once; it is kept under bench/out/x10.
"""
from __future__ import annotations

import argparse

from bench import bench_search
from bench.common import SIZES, Figure

GROWTH_TARGET = 3.0


def run(*, backends: list[str] | None = None, log=print) -> list[Figure]:
    from bench.data import build

    p95: dict[tuple[str, str], Figure] = {}
    figures: list[Figure] = []
    for name in ("full", "x10"):
        size = SIZES[name]
        build(size, log=log)
        for figure in bench_search.run(size, reindex_rounds=0, backends=backends, log=log):
            if "browse() p95, first run" in figure.name:
                kind = figure.name.split("]")[0].lstrip("[")
                p95[(kind, name)] = figure
                figures.append(Figure("growth", f"[{kind}] browse() p95 at {size.apps:,} apps", figure.measured,
                                      "ms", note=figure.note))
    for kind in sorted({k for k, _ in p95}):
        base, big = p95[(kind, "full")].measured, p95[(kind, "x10")].measured
        figures.append(Figure("growth", f"[{kind}] browse() p95 at 270,000 apps against 27,000", big, "ms",
                              target=f"≤ {GROWTH_TARGET:g}× the 27,000-app p95", reference="27,000 apps",
                              reference_value=base, ratio=big / base, met=big / base <= GROWTH_TARGET))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", action="append", choices=("whoosh", "tantivy"))
    args = parser.parse_args()
    for figure in run(backends=args.backend):
        print(figure.line())


if __name__ == "__main__":
    main()
