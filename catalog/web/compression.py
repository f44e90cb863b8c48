"""Responses compressed for clients that accept it (Flask-Compress), never git's packs or streams.

Brotli (quality 4) first, then gzip (level 6). Every signed-in page and API answer is compressed
as it is sent, so the level is CPU on every request: over sixteen answers of the working day's
mix (2–47 KB; `bench.bench_request_cpu`'s kinds) brotli 5 made 38.5 KB in 6.3–6.4 ms of CPU,
brotli 4 40.7 KB (+6 %, still smaller than gzip 6's 41.7 KB) in 3.2–3.5 ms. Brotli's best quality
would make pages 10 % smaller again but costs 30 ms; zstd came out bigger than gzip on our pages;
deflate is ambiguous in old browsers.

Left alone: git smart HTTP (its packs are compressed already, and streamed), every streamed or
passed-through body (archive downloads, files sent from disk: they stay streamed), bodies under
500 bytes, and pages the page cache will keep: it compresses those itself, once per page
(`page_cache`), and `DEFERRED` in the WSGI environ tells this hook so.

A compressed answer carries a `Date` from the app (Flask-Compress calls werkzeug's
make_conditional, which adds one): gunicorn drops it for its own (a hop header to gunicorn),
so one Date goes out, as tests/ops/test_behind_nginx.py checks; only werkzeug's development
server sends both. Left as it is: a server that writes no Date of its own still gets the app's.
"""
from __future__ import annotations

import gzip
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import brotli
from flask import Flask, current_app, request
from flask_compress import Compress

DEFERRED = "catalog.compress.deferred"  # environ key: the page cache compresses this response
CODINGS = ("br", "gzip")  # what `encode` can write

DEFAULTS: dict[str, Any] = {
    "COMPRESS_ALGORITHM": list(CODINGS),
    "COMPRESS_LEVEL": 6,
    "COMPRESS_BR_LEVEL": 4,
    "COMPRESS_MIN_SIZE": 500,
    "COMPRESS_STREAMS": False,   # a streamed body stays streamed, as it is
    "COMPRESS_REGISTER": False,  # our hook below decides what to skip, then calls the library
    "COMPRESS_MIMETYPES": [
        "text/html", "text/css", "text/javascript", "application/javascript", "application/json",
        "text/plain", "text/csv", "text/yaml", "application/xml", "image/svg+xml",
    ],
}


def codings(config: Mapping[str, Any]) -> tuple[str, ...]:
    """The codings this app offers, in its order of preference."""
    configured = config["COMPRESS_ALGORITHM"]
    names = configured.split(",") if isinstance(configured, str) else configured
    return tuple(name.strip() for name in names if name.strip() in CODINGS)


@lru_cache(maxsize=256)
def negotiate(accept_encoding: str, offered: Sequence[str]) -> str | None:
    """The offered coding the client rates highest (ties: the first offered), or None for the
    body as it is. `offered` must be hashable (a tuple)."""
    quality: dict[str, float] = {}
    for part in accept_encoding.lower().split(","):
        name, _sep, params = part.partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _eq, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if name.strip():
            quality[name.strip()] = q
    best, best_q = None, 0.0
    for coding in offered:
        q = quality.get(coding, quality.get("*", 0.0))
        if q > best_q:
            best, best_q = coding, q
    return None if quality.get("identity", 0.0) > best_q else best


def encode(body: bytes, coding: str, config: Mapping[str, Any]) -> bytes:
    """`body` in `coding`, at the app's levels (those Flask-Compress uses)."""
    if coding == "gzip":
        return gzip.compress(body, config["COMPRESS_LEVEL"], mtime=0)
    if coding == "br":
        return brotli.compress(body, quality=config["COMPRESS_BR_LEVEL"])
    raise ValueError(f"unsupported coding: {coding}")


def compress_response(response):
    """after_request: skip what must stay as it is, else let Flask-Compress negotiate and compress.

    A client that accepts none of our codings gets the body as it is, decided by `negotiate`
    before the library is called: Flask-Compress 1.25 (the newest) ranks a coding rated q=0
    like any other, so `Accept-Encoding: gzip;q=0` ("gzip is not acceptable", RFC 9110 12.5.3)
    got gzip."""
    if request.blueprint == "git" or response.direct_passthrough or response.is_streamed:
        return response
    if request.environ.get(DEFERRED) or negotiate(request.headers.get("Accept-Encoding", ""),
                                                  codings(current_app.config)) is None:
        response.vary.add("Accept-Encoding")
        return response
    return current_app.extensions["catalog_compress"].after_request(response)


def install(app: Flask) -> None:
    """Before `page_cache.install`: Flask runs after_request hooks last-registered first, so the
    page cache's marking then comes before this hook."""
    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    compress = Compress()
    compress.init_app(app)
    app.extensions["catalog_compress"] = compress
    app.after_request(compress_response)
