"""Catalog pages under load: list, search and app pages on gunicorn at full data, against a bare
Flask "hello" app under identical server settings, measured alternately in the same run.

Both servers: `gunicorn --workers 2 --worker-class gthread --threads 4`, loopback only; load: N
concurrent keep-alive clients (wrk when installed, else Python threads) for a fixed time.

The product is measured as shipped, with its page cache for visitors (catalog/web/page_cache.py;
the load sends no cookies, like a visitor), per search backend; then once with the cache off
(CATALOG_PAGE_CACHE_MB=0), which is what every cache miss costs. The load cycles through a fixed
set of paths, so its hit rate is an upper bound for real traffic: the "cache off" run is the
lower bound.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
from urllib.parse import urlencode

from bench import corpus
from bench.common import OUT, SIZES, Figure, Size, data_dir, make_app, server_env
from bench.loadgen import have_wrk, run_load
from bench.server import gunicorn, rss_mb, worker_pids

P95_TARGET_MS = 50.0
THROUGHPUT_TARGET = 0.3


def page_sets(size: Size) -> dict[str, list[str]]:
    """Paths per kind of page, from the data itself."""
    from catalog.extensions import db
    from catalog.models import App, Organization

    meta = json.loads((data_dir(size) / "bench-meta.json").read_text())
    rng = random.Random(11)
    app = make_app(data_dir(size))
    with app.app_context():
        slugs = list(db.session.execute(db.select(App.slug).where(App.state == "published").order_by(App.id)).scalars())
        upstream = list(db.session.execute(db.select(App.slug).where(App.id.in_(meta["upstream_app_ids"]))).scalars())
        provinces = list(db.session.execute(db.select(Organization.code)
                                            .where(Organization.kind == "province")).scalars())
        db.session.remove()
        db.engine.dispose()
    categories = sorted({d.category for d in corpus.DOMAINS})
    pages = max(1, min(500, size.apps // 20))
    listing = ["/apps", "/"] + [f"/apps?page={rng.randint(2, pages)}" for _ in range(20)]
    listing += [f"/apps?{urlencode({'category': c})}" for c in categories]
    listing += [f"/apps?{urlencode({'province': p})}" for p in provinces]
    listing += ["/apps?platform=android", "/apps?status=stable&page=3", "/apps?license=MIT"]
    search = [f"/apps?{urlencode({'q': q})}" for q in corpus.TEXT_QUERIES]
    search += [f"/apps?{urlencode({'q': q, 'province': rng.choice(provinces)})}" for q in corpus.TEXT_QUERIES[:20]]
    search += [f"/apps?{urlencode({'q': q, 'page': 2})}" for q in corpus.TEXT_QUERIES[20:40]]
    detail = [f"/apps/{s}" for s in rng.sample(slugs, min(300, len(slugs)))] + [f"/apps/{s}" for s in upstream]
    for paths in (listing, search, detail):
        rng.shuffle(paths)
    return {"list": listing, "search": search, "app": detail}


def ensure_index(size: Size, kind: str) -> None:
    """The server only reads the index: build it first when this backend has none yet."""
    from catalog.search import open_backend
    from catalog.services.catalog import indexing

    app = make_app(data_dir(size))
    with app.app_context():
        backend = app.extensions["catalog_search"] = open_backend(app.config["SEARCH_INDEX_DIR"], kind=kind)
        if getattr(backend, "needs_rebuild", False) or backend.doc_count() == 0:
            indexing.reindex_all()
        backend.close()
        from catalog.extensions import db

        db.session.remove()
        db.engine.dispose()


def variants(backends: list[str]) -> list[tuple[str, str, dict[str, str]]]:
    """(label, search backend, extra environment): the product per backend (page cache on, as
    shipped), then the last backend with the page cache off — every request a miss."""
    out = [(kind, kind, {}) for kind in backends]
    return out + [(f"{backends[-1]}, page cache off", backends[-1], {"CATALOG_PAGE_CACHE_MB": "0"})]


def run(size: Size, *, tool: str = "auto", backends: list[str] | None = None, log=print) -> list[Figure]:
    from bench.bench_search import available_backends

    sets = page_sets(size)
    seconds, clients = size.page_seconds, size.clients
    if tool == "auto":
        tool = "wrk" if have_wrk() and seconds >= 1 else "python"
    if tool == "python" and not have_wrk() and size.name == "full":
        log("  wrk not installed (apt-get install wrk): using Python clients, which compete with the server for CPU")
    warm = max(1.0, seconds / 4) if tool == "wrk" else seconds / 4
    figures: list[Figure] = []
    base_env = server_env(data_dir(size))
    with gunicorn("bench.hello_app:app", base_env, log=OUT / "gunicorn-hello.log") as (hello_port, _h):
        run_load(hello_port, ["/"], clients=clients, seconds=warm, tool=tool)
        kinds = backends or (available_backends() if size.name != "tiny" else available_backends()[-1:])
        chosen = variants(kinds) if size.name != "tiny" else [(k, k, {}) for k in kinds]  # smoke: one server
        for label, kind, extra in chosen:
            ensure_index(size, kind)
            env = dict(base_env, CATALOG_SEARCH_BACKEND=kind, **extra)
            results: dict[str, list] = {"hello": [], "list": [], "search": [], "app": []}
            rss: list[float] = []
            with gunicorn("wsgi:app", env, log=OUT / "gunicorn-pages.log") as (port, master):
                # Warm-up: workers open the index and the database, first requests fill caches.
                for page_kind in ("list", "search", "app"):
                    run_load(port, sets[page_kind], clients=clients, seconds=warm, tool=tool)
                for page_kind in ("list", "search", "app"):  # hello before each: the reference side by side
                    results["hello"].append(run_load(hello_port, ["/", "/apps"], clients=clients, seconds=seconds,
                                                     tool=tool))
                    results[page_kind].append(run_load(port, sets[page_kind], clients=clients, seconds=seconds,
                                                       tool=tool))
                    rss.append(max(rss_mb(pid) for pid in worker_pids(master.pid)))
            figures += _figures(label, results, rss, sets, clients)
    return figures


def _figures(kind: str, results: dict[str, list], rss: list[float], sets: dict[str, list[str]],
             clients: int) -> list[Figure]:
    hello_rps = statistics.median(r.rps for r in results["hello"])
    hello_p95 = statistics.median(r.p95_ms for r in results["hello"])
    figures = [Figure("pages", f"[{kind} run] bare Flask hello (reference)", hello_rps, "req/s",
                      note=f"p95 {hello_p95:.1f} ms, {results['hello'][0].tool}, {clients} clients")]
    for page_kind, label in (("list", "catalog list"), ("search", "search"), ("app", "app page")):
        r = results[page_kind][0]
        figures.append(Figure("pages", f"[{kind}] {label} p95 under {clients} clients", r.p95_ms, "ms",
                              target=f"≤ {P95_TARGET_MS:g} ms", met=r.p95_ms <= P95_TARGET_MS and not r.errors,
                              note=f"p50 {r.p50_ms:.1f} ms, p99 {r.p99_ms:.1f} ms, {r.requests} requests, "
                                   f"errors {r.errors}, {len(sets[page_kind])} distinct paths"))
        figures.append(Figure("pages", f"[{kind}] {label} throughput", r.rps, "req/s",
                              target=f"≥ {THROUGHPUT_TARGET}× hello", reference="bare Flask hello",
                              reference_value=hello_rps, ratio=r.rps / hello_rps,
                              met=r.rps / hello_rps >= THROUGHPUT_TARGET))
    figures.append(Figure("pages", f"[{kind}] worker memory at full data (max RSS of a worker)", max(rss), "MB",
                          target="≤ 200 MB", met=max(rss) <= 200.0, note="after serving list, search and app pages"))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    parser.add_argument("--tool", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--backend", action="append", choices=("whoosh", "tantivy"))
    args = parser.parse_args()
    from bench.data import build

    build(SIZES[args.size])
    for figure in run(SIZES[args.size], tool=args.tool, backends=args.backend):
        print(figure.line())


if __name__ == "__main__":
    main()
