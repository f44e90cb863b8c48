"""The bulk scorer and typo expansion give what Whoosh itself gives: same scores, same match
sets, same postings, same near names — across segments, deletions and multi-block postings."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from pickle import loads

import pytest
from whoosh.codec.whoosh3 import W3LeafMatcher

from catalog.search import WhooshBackend
from catalog.search.facets import generation_cache
from catalog.search.fuzzy import NameVocabulary
from catalog.search.postings import Scorer, _block
from catalog.search.query import QueryBuilder
from tests.search.search_apps import APPS, make_app

WORDS = ("data", "sistem", "informasi", "pegawai", "arsip", "desa")
BULK = [
    make_app(
        1000 + i,
        f"bulk-{i}",
        f"Sistem {WORDS[i % 6].title()} {i}",
        short_id=f"{WORDS[i % 5]} {WORDS[i % 7 % 6]} daerah",
        description=" ".join(WORDS[: 1 + i % 6]) + " data" * (i % 4),
    )
    for i in range(700)
]


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WhooshBackend]:
    """Two segments, the first with deletions, posting lists of several blocks."""
    backend = WhooshBackend(Path(tmp_path_factory.mktemp("scoring")))
    backend.rebuild([*APPS, *BULK])
    backend.upsert([replace(app, short_description_id="arsip desa data") for app in BULK[::9]])
    backend.remove([BULK[1].id, APPS[0].id])
    yield backend
    backend.close()


QUERIES = ["data", "sistem informasi", "arsip desa", '"sistem informasi"', "pegawai daerah", "simpek", "opensd"]


@pytest.mark.parametrize("text", QUERIES)
def test_scores_equal_whoosh_scoring_every_match(backend: WhooshBackend, text: str) -> None:
    builder = QueryBuilder()
    with backend._pool.view() as view:
        searcher = view.searcher
        assert len(searcher.reader().leaf_readers()) == 2
        for plan in builder.text_queries(builder.parse(text), searcher.reader()):
            for q in (plan.head, plan.full):
                scorer = Scorer(searcher, generation_cache(), None)
                mine = scorer.scores(q)
                theirs = {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}
                assert set(mine) == set(theirs) == set(scorer.docs(q))
                assert all(mine[d] == pytest.approx(s, rel=1e-12) for d, s in theirs.items())
                some = set(list(theirs)[::3])
                assert scorer.scores(q, only=some) == pytest.approx({d: mine[d] for d in some}, rel=1e-12)


def test_block_reader_equals_unpickling(backend: WhooshBackend) -> None:
    seen_weights = set()
    with backend._pool.view() as view:
        for leaf, _ in view.searcher.reader().leaf_readers():
            for field in ("name", "summary", "body", "short_en", "name_keys", "platform"):
                for text in leaf.lexicon(field):
                    m = leaf._terms.matcher(field, text, leaf.schema[field].format)
                    while isinstance(m, W3LeafMatcher) and m.is_active():
                        data = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
                        ids, weights = loads(zlib.decompress(data) if m._compression else data)[:2]
                        got_ids, got_weights = _block(m)
                        assert list(got_ids) == list(ids)
                        assert (list(got_weights) if isinstance(got_weights, list) else got_weights) == (
                            list(weights) if isinstance(weights, tuple) else weights)
                        seen_weights.add(type(weights).__name__)
                        m._next_block()
    assert {"NoneType", "tuple"} <= seen_weights


@pytest.mark.parametrize(("key", "distance"), [("simpek", 1), ("opensd", 1), ("sikandi", 1), ("rsikandi", 1),
                                               ("srkiandi", 1), ("dukcapilonlen", 2), ("bulk10", 1), ("sistemdatx", 2)])
def test_near_names_equal_the_lexicon_walk(backend: WhooshBackend, key: str, distance: int) -> None:
    with backend._pool.view() as view:
        reader = view.searcher.reader()
        vocabulary = NameVocabulary(k.decode() for k in reader.lexicon("name_keys"))
        expected = sorted(reader.terms_within("name_keys", key, distance, prefix=1))
        assert vocabulary.near(key, distance, 1000) == expected
        assert vocabulary.near(key, distance, 3) == expected[:3]


def test_cache_stays_within_its_budget() -> None:
    cache = generation_cache(max_entries=10, max_weight=100)
    for i in range(50):
        cache.get(1, i, lambda: "x" * 30, weight=len)
    assert cache.currsize <= 100 and len(cache) <= 10
    assert cache.peek(1, 49) is not None and cache.peek(1, 0) is None
    cache.get(2, "new", lambda: 1)
    assert cache.peek(1, 49) is None  # a newer generation drops the older one's values
