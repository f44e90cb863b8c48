"""Beyond one server: would PostgreSQL full-text search, shared by every web node, meet the
search target? The same analysed texts and the same query set, measured side by side with the
Tantivy backend (a per-node index) in the same run.

Needs a PostgreSQL server: `--pg-dsn postgresql://user@host:port/db` or BENCH_PG_DSN; skipped
with a message otherwise. The table lives in its own schema and is dropped afterwards.
"""
from __future__ import annotations

import argparse
import os
import random
import time

from bench.bench_search import PER_PAGE, query_set
from bench.common import SIZES, Figure, Size, data_dir, make_app, summary

FACETS = ("category", "publisher", "province", "license", "status")


def _load(con, docs) -> None:
    from catalog.search.analyzer import english_analyzer, indonesian_analyzer
    from catalog.search.schema import to_fields

    ida, ena = indonesian_analyzer(), english_analyzer()

    def toks(analyzer, text: str) -> str:
        return " ".join(t.text for t in analyzer(text)) if text else ""

    con.execute("DROP SCHEMA IF EXISTS catalog_bench CASCADE")
    con.execute("CREATE SCHEMA catalog_bench")
    con.execute("CREATE TABLE catalog_bench.doc (id int PRIMARY KEY, head text, en text, body text, "
                "name_sort text, category text, publisher text, province text, license text, status text, "
                "platforms text[], tsv tsvector)")
    with con.cursor() as cur, cur.copy("COPY catalog_bench.doc (id, head, en, body, name_sort, category, publisher, "
                                       "province, license, status, platforms) FROM STDIN") as copy:
        for doc in docs:
            f = to_fields(doc)
            head = " ".join((toks(ida, f.get("name", "")), f.get("name_keys", ""), toks(ida, f.get("summary", ""))))
            copy.write_row((doc.id, head, toks(ena, f.get("short_en", "")), toks(ida, f.get("body", "")),
                            f.get("name_sort", ""), f.get("category", ""), f.get("publisher", ""),
                            f.get("province", ""), f.get("license", ""), f.get("status", ""),
                            list(doc.platforms)))
    con.execute("UPDATE catalog_bench.doc SET tsv = setweight(to_tsvector('simple', head), 'A') || "
                "setweight(to_tsvector('simple', en), 'B') || setweight(to_tsvector('simple', body), 'D')")
    con.execute("CREATE INDEX ON catalog_bench.doc USING gin (tsv)")
    for column in ("name_sort", *FACETS):
        con.execute(f"CREATE INDEX ON catalog_bench.doc ({column})")
    con.execute("ANALYZE catalog_bench.doc")


def _pg_query(q: str) -> tuple[str, str] | None:
    from catalog.search.analyzer import indonesian_analyzer

    words = [t.text for t in indonesian_analyzer()(q.replace('"', " "))]
    if not words:
        return None
    return " & ".join(words), " | ".join(words)


def pg_browse(con, q: str, filters: dict[str, str], page: int) -> None:
    """Page, exact total and facets, as browse() needs them."""
    where, args = [], []
    for key, value in filters.items():
        if key == "platform":
            where.append("%s = ANY(platforms)")
        else:
            where.append(f"{key} = %s")
        args.append(value.lower())
    offset = (page - 1) * PER_PAGE
    parsed = _pg_query(q) if q else None
    if q and parsed is None:
        return
    for tsq in (parsed or ("",)):
        cond = " AND ".join(where + (["tsv @@ to_tsquery('simple', %s)"] if tsq else [])) or "TRUE"
        params = args + ([tsq] if tsq else [])
        order = "ts_rank(tsv, to_tsquery('simple', %s)) DESC" if tsq else "name_sort"
        rows = con.execute(f"SELECT id FROM catalog_bench.doc WHERE {cond} ORDER BY {order} LIMIT %s OFFSET %s",
                           params + ([tsq] if tsq else []) + [PER_PAGE, offset]).fetchall()
        total = con.execute(f"SELECT count(*) FROM catalog_bench.doc WHERE {cond}", params).fetchone()[0]
        if total or not tsq:
            break
    for column in FACETS:
        con.execute(f"SELECT {column}, count(*) FROM catalog_bench.doc WHERE {cond} GROUP BY 1", params).fetchall()
    return rows


def run(size: Size, dsn: str | None, log=print) -> list[Figure]:
    dsn = dsn or os.environ.get("BENCH_PG_DSN")
    if not dsn:
        log("  no PostgreSQL (--pg-dsn or BENCH_PG_DSN): scale-out search comparison skipped")
        return []
    import psycopg

    from catalog.extensions import db
    from catalog.search import open_backend
    from catalog.services.catalog import indexing

    app = make_app(data_dir(size))
    with app.app_context():
        calls = query_set(db, size)
        docs = list(indexing.published_documents())
        db.session.rollback()
        tantivy = open_backend(app.config["SEARCH_INDEX_DIR"], kind="tantivy")
        if tantivy.needs_rebuild or tantivy.doc_count() == 0:
            tantivy.rebuild(docs)
    con = psycopg.connect(dsn, autocommit=True)
    started = time.perf_counter()
    _load(con, docs)
    log(f"  PostgreSQL table with GIN index over {len(docs)} apps loaded in {time.perf_counter() - started:.1f} s")
    samples: dict[str, list[float]] = {"pg": [], "tantivy": []}
    keys = ("category", "publisher", "province", "license", "status", "platform")
    for r in range(max(1, size.search_rounds)):
        order = list(calls)
        random.Random(r).shuffle(order)
        for q, filters, page in order:
            start = time.perf_counter()
            pg_browse(con, q, filters, page)
            samples["pg"].append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            tantivy.search(q, filters=filters or None, page=page, per_page=PER_PAGE)
            tantivy.facet_counts(q, filters=filters or None, keys=keys)
            samples["tantivy"].append((time.perf_counter() - start) * 1000)
    con.execute("DROP SCHEMA catalog_bench CASCADE")
    con.close()
    tantivy.close()
    pg, tv = summary(samples["pg"]), summary(samples["tantivy"])
    return [Figure("scale-out", "PostgreSQL FTS: page + exact total + facets, p95", pg["p95"], "ms",
                   target="≤ 20 ms (search target)", reference="Tantivy per-node index, same work",
                   reference_value=tv["p95"], ratio=pg["p95"] / tv["p95"], met=pg["p95"] <= 20.0,
                   note=f"median {pg['median']:.1f} ms vs {tv['median']:.2f} ms, n={pg['n']}; GIN + ts_rank, "
                        "no result cache")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    parser.add_argument("--pg-dsn")
    args = parser.parse_args()
    from bench.data import build

    build(SIZES[args.size])
    for figure in run(SIZES[args.size], args.pg_dsn):
        print(figure.line())


if __name__ == "__main__":
    main()
