"""Search at national scale: browse() (what pages call), the raw backend, SQLite FTS5, reindex.

Every query is first run cold (a searcher that has not seen it: what a user typing something new
gets), then warm (repeated, served from the per-searcher cache). The SQLite FTS5 reference indexes
the same texts in an in-memory table and answers the same queries with bm25, in the same process.
"""
from __future__ import annotations

import argparse
import random
import sqlite3
import time
from typing import Any

from bench import corpus
from bench.common import SIZES, Figure, Size, data_dir, make_app, summary

PER_PAGE = 20
TARGET_MS = 20.0


def query_set(db, size: Size) -> list[tuple[str, dict[str, str], int]]:
    """(q, filters, page): every text query, some with a filter, some on later pages, and
    filter-only browsing — the mix the catalog page gets."""
    from catalog.models import Organization

    rng = random.Random(7)
    provinces = list(db.session.execute(db.select(Organization.code).where(Organization.kind == "province")).scalars())
    regions = list(db.session.execute(db.select(Organization.code).where(Organization.kind.in_(("regency", "city"))))
                   .scalars())
    categories = sorted({d.category for d in corpus.DOMAINS})
    out: list[tuple[str, dict[str, str], int]] = [(q, {}, 1) for q in corpus.TEXT_QUERIES]
    filter_makers = (
        lambda: {"province": rng.choice(provinces)}, lambda: {"category": rng.choice(categories)},
        lambda: {"platform": "android"}, lambda: {"status": "stable"}, lambda: {"license": "MIT"},
        lambda: {"publisher": rng.choice(regions)},
    )
    for q in rng.sample(corpus.TEXT_QUERIES, 30):
        out.append((q, rng.choice(filter_makers)(), 1))
    for q in rng.sample(corpus.TEXT_QUERIES, 12):
        out.append((q, {}, rng.choice((2, 3, 5))))
    for _ in range(12):
        out.append(("", rng.choice(filter_makers)(), rng.choice((1, 1, 2))))
    out.append(("", {}, 1))
    out.append(("", {}, 7))
    return out


def _time_calls(calls, fn) -> list[float]:
    samples = []
    for q, filters, page in calls:
        start = time.perf_counter()
        fn(q, filters, page)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


# ---- SQLite FTS5 reference -------------------------------------------------------------------

def build_fts5(docs) -> sqlite3.Connection:
    from catalog.search.schema import to_fields

    con = sqlite3.connect(":memory:", check_same_thread=False)
    con.execute("CREATE VIRTUAL TABLE fts USING fts5(name, summary, body, short_en, "
                "tokenize='unicode61 remove_diacritics 2')")
    con.execute("CREATE TABLE meta (id INTEGER PRIMARY KEY, name TEXT, category TEXT, publisher TEXT, "
                "province TEXT, license TEXT, status TEXT)")
    con.execute("CREATE TABLE platform (id INTEGER, platform TEXT)")
    for doc in docs:
        f = to_fields(doc)
        con.execute("INSERT INTO fts(rowid, name, summary, body, short_en) VALUES (?,?,?,?,?)",
                    (doc.id, f.get("name", ""), f.get("summary", ""), f.get("body", ""), f.get("short_en", "")))
        con.execute("INSERT INTO meta VALUES (?,?,?,?,?,?,?)",
                    (doc.id, doc.name.casefold(), doc.category, doc.publisher_code, doc.province_code, doc.license,
                     doc.development_status))
        con.executemany("INSERT INTO platform VALUES (?,?)", [(doc.id, p) for p in doc.platforms])
    for column in ("category", "publisher", "province", "license", "status", "name"):
        con.execute(f"CREATE INDEX ix_meta_{column} ON meta({column})")
    con.execute("CREATE INDEX ix_platform ON platform(platform, id)")
    con.commit()
    return con


def _fts_terms(q: str) -> tuple[str, str]:
    import re

    phrases = re.findall(r'"([^"]+)"', q)
    words = re.findall(r"\w+", re.sub(r'"[^"]*"', " ", q).lower())
    parts = [f'"{p}"' for p in phrases] + [f'"{w}"' for w in words]
    return " AND ".join(parts), " OR ".join(parts)


def fts5_search(con: sqlite3.Connection, q: str, filters: dict[str, str], page: int) -> list[int]:
    where, args = [], []
    for key, value in filters.items():
        if key == "platform":
            where.append("m.id IN (SELECT id FROM platform WHERE platform = ?)")
        else:
            where.append(f"m.{key} = ?")
        args.append(value)
    offset = (page - 1) * PER_PAGE
    if not q:
        sql = "SELECT m.id FROM meta m" + (" WHERE " + " AND ".join(where) if where else "")
        return [r[0] for r in con.execute(sql + " ORDER BY m.name LIMIT ? OFFSET ?", (*args, PER_PAGE, offset))]
    extra = "".join(f" AND {w}" for w in where)
    for match in _fts_terms(q):
        rows = con.execute(
            "SELECT fts.rowid FROM fts JOIN meta m ON m.id = fts.rowid WHERE fts MATCH ?" + extra +
            " ORDER BY bm25(fts, 6.0, 3.0, 1.0, 3.0) LIMIT ? OFFSET ?", (match, *args, PER_PAGE, offset)).fetchall()
        if rows:
            return [r[0] for r in rows]
    return []


# ---- the benchmark ---------------------------------------------------------------------------

def available_backends() -> list[str]:
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return ["whoosh"]
    return ["whoosh", "tantivy"]


def run(size: Size, *, reindex_rounds: int = 1, backends: list[str] | None = None, log=print) -> list[Figure]:
    """Per backend: the query set cold then warm, interleaved per query with the raw backend and
    FTS5; then full reindexes."""
    from catalog.extensions import db

    app = make_app(data_dir(size))
    figures: list[Figure] = []
    with app.app_context():
        calls = query_set(db, size)
        if size.max_queries:
            calls = calls[:: max(1, len(calls) // size.max_queries)]
        from catalog.services.catalog import indexing

        docs = list(indexing.published_documents())
        db.session.rollback()
        fts_started = time.perf_counter()
        con = build_fts5(docs)
        log(f"  FTS5 reference over {len(docs)} apps built in {time.perf_counter() - fts_started:.1f} s")
        for kind in backends or available_backends():
            figures += _run_backend(app, db, kind, calls, con, size, reindex_rounds, log)
        con.close()
        db.session.remove()
        db.engine.dispose()
    return figures


def _run_backend(app, db, kind: str, calls, con, size: Size, reindex_rounds: int, log) -> list[Figure]:
    from catalog.search import open_backend
    from catalog.services.catalog import browse, indexing

    index_dir = app.config["SEARCH_INDEX_DIR"]

    def install() -> Any:
        old = app.extensions.pop("catalog_search", None)
        if old is not None:
            old.close()
        app.extensions["catalog_search"] = backend = open_backend(index_dir, kind=kind)
        return backend

    figures: list[Figure] = []
    backend = install()
    reindex: list[float] = []
    if getattr(backend, "needs_rebuild", False) or backend.doc_count() == 0:
        started = time.perf_counter()
        indexing.reindex_all()
        reindex.append(time.perf_counter() - started)
        backend = install()
    backend.search("pemanasan", page=1, per_page=PER_PAGE)  # open the searcher, load readers

    def do_browse(q, filters, page):
        browse.browse(q, filters, page=page, per_page=PER_PAGE)
        db.session.rollback()

    raw = open_backend(index_dir, kind=kind)

    def do_raw(q, filters, page):
        raw.search(q, filters=filters or None, page=page, per_page=PER_PAGE)

    def do_fts(q, filters, page):
        fts5_search(con, q, filters, page)

    results: dict[str, dict[str, list[float]]] = {k: {"cold": [], "warm": []} for k in ("browse", "backend", "fts5")}
    cold_log: list[tuple[float, Any]] = []
    for r in range(max(1, size.search_rounds)):
        order = list(calls)
        random.Random(r).shuffle(order)
        # Cold: backends that have never seen these queries (reopened every round). One browse()
        # outside the set pays the once-per-process costs (statement compilation, label cache,
        # name order) that would otherwise land on whichever query happens to come first.
        install().search("pemanasan", page=1, per_page=PER_PAGE)
        do_browse("pemanasan", {}, 1)
        do_browse("", {}, 1)
        time.sleep(1.0)
        raw.close()
        raw = open_backend(index_dir, kind=kind)
        raw.search("pemanasan", page=1, per_page=PER_PAGE)
        # Interleaved per query, so that load from other processes hits all three alike.
        for mode in ("cold", "warm"):
            for call in order:
                for key, fn in (("fts5", do_fts), ("backend", do_raw), ("browse", do_browse)):
                    results[key][mode] += _time_calls([call], fn)
                if mode == "cold":
                    cold_log.append((results["browse"]["cold"][-1], call))
    raw.close()
    stats = {k: {mode: summary(v) for mode, v in modes.items()} for k, modes in results.items()}
    slow = sorted(cold_log, key=lambda x: -x[0])[:6]
    log(f"  [{kind}] slowest cold browse: " + "; ".join(f"{ms:.0f} ms {q!r} {f} p{p}" for ms, (q, f, p) in slow))
    fts_cold, fts_warm = stats["fts5"]["cold"]["p95"], stats["fts5"]["warm"]["p95"]
    for key, label in (("browse", "browse() p95, first run"), ("backend", "backend.search() p95, first run")):
        s, w = stats[key]["cold"], stats[key]["warm"]
        figures.append(Figure("search", f"[{kind}] {label}", s["p95"], "ms",
                              target=f"≤ {TARGET_MS:g} ms" if key == "browse" else "",
                              reference="FTS5 p95", reference_value=fts_cold, ratio=s["p95"] / fts_cold,
                              met=(s["p95"] <= TARGET_MS) if key == "browse" else None,
                              note=f"median {s['median']:.2f} ms, n={s['n']}", extra=stats[key]))
        figures.append(Figure("search", f"[{kind}] {label.replace('first run', 'repeated')}", w["p95"], "ms",
                              reference="FTS5 p95", reference_value=fts_warm, ratio=w["p95"] / fts_warm,
                              note=f"median {w['median']:.2f} ms"))
    f = stats["fts5"]["cold"]
    figures.append(Figure("search", f"[{kind} run] SQLite FTS5 p95 (reference)", f["p95"], "ms",
                          note=f"median {f['median']:.2f} ms, page only, no facets, no stemming"))
    for _ in range(max(0, reindex_rounds - len(reindex))):
        started = time.perf_counter()
        indexing.reindex_all()
        reindex.append(time.perf_counter() - started)
    if reindex:
        s = summary(reindex)
        docs = app.extensions["catalog_search"].doc_count()
        figures.append(Figure("reindex", f"[{kind}] full reindex of {docs} apps", s["median"], "s",
                              target="≤ 30 s", met=s["median"] <= 30.0,
                              note=f"n={s['n']}, max {s['max']:.1f} s "
                                   "(reindex_all: load rows, analyse, write, commit)"))
    app.extensions.pop("catalog_search").close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    parser.add_argument("--reindex-rounds", type=int, default=1)
    parser.add_argument("--backend", action="append", choices=("whoosh", "tantivy"))
    args = parser.parse_args()
    from bench.data import build

    build(SIZES[args.size])
    for figure in run(SIZES[args.size], reindex_rounds=args.reindex_rounds, backends=args.backend):
        print(figure.line())


if __name__ == "__main__":
    main()
