"""Whoosh's BM25F scores, computed once per term and index generation, then combined in bulk.

Whoosh scores a query by stepping a tree of matchers one posting at a time in Python (≈1–3 µs a
posting), and a broad query has 20,000–50,000 of them. Here each term's postings are read block
by block (only the ids and weights of each pickled block are decoded, not the positions) and
scored in one comprehension with the same formula and statistics Whoosh uses; queries then
combine these per-term arrays with dict and set operations that run in C. Match sets (totals,
facets) need no scores at all. The arrays are shared by every searcher of a generation.
"""

from __future__ import annotations

import re
import struct
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Set as AbstractSet
from functools import lru_cache, partial
from itertools import accumulate, islice
from pickle import loads
from time import monotonic
from typing import Any, NamedTuple

from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from ..versioned_cache import VersionedCache
from .searchers import TimeLimit

Scores = dict[int, float]


class Postings(NamedTuple):
    """A term's (or phrase's) live docnums, ascending, and a number for each: its unboosted
    score, or for raw postings its weight (term frequency)."""

    ids: array
    scores: array


def _weight(postings: Postings) -> int:
    """Cache accounting: one unit per posting (12 bytes), at least one per entry."""
    return len(postings.ids) + 1


class Scorer:
    """Score maps and match sets for the query shapes QueryBuilder makes (Term, Phrase, And,
    Or), equal to what Whoosh's matchers compute up to the order floats are added in."""

    def __init__(self, searcher: Any, cache: VersionedCache, generation: Any,
                 deadline: float = float("inf")) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.cache = cache
        self.generation = generation
        self.deadline = deadline
        self._docs: dict[int, AbstractSet[int]] = {}  # id(compound query) → its match set

    # -- leaves ------------------------------------------------------------------------------

    def postings(self, q: wq.Query) -> Postings:
        """A leaf's docnums and unboosted scores."""
        if isinstance(q, wq.Term):
            key: Any = ("scored", q.fieldname, q.text)
            return self.cache.get(self.generation, key, lambda: self._scored(q.fieldname, q.text),
                                  weight=_weight)
        self._check_deadline()
        plain = wq.Phrase(q.fieldname, q.words, slop=q.slop)  # type: ignore[attr-defined]
        return self.cache.get(self.generation, ("phrase", repr(plain)), lambda: self._matched(plain),
                              weight=_weight)

    def ids(self, q: wq.Query) -> array:
        """A leaf's docnums; a term's are read without scoring them (match sets need none)."""
        if isinstance(q, wq.Term):
            return self._raw(q.fieldname, q.text).ids
        return self.postings(q).ids

    def _raw(self, field: str, text: Any) -> Postings:
        """A term's docnums and weights (term frequencies), every segment."""
        self._check_deadline()

        def read() -> Postings:
            btext = self.reader.schema[field].to_bytes(text)
            ids, weights = array("i"), array("d")
            for leaf, base in self.reader.leaf_readers():
                if (field, btext) in leaf:
                    docs, leaf_weights = _read_postings(leaf, field, btext, base)
                    ids.extend(docs)
                    weights.extend(leaf_weights)
            return Postings(ids, weights)

        return self.cache.get(self.generation, ("raw", field, text), read, weight=_weight)

    def _scored(self, field: str, text: Any) -> Postings:
        """bm25() of every posting, with the statistics Whoosh's BM25FScorer uses."""
        raw = self._raw(field, text)
        if not self.reader.schema[field].scorable or not raw.ids:
            return raw  # Whoosh scores a posting of an unscored field by its weight
        if not self._bm25_field(field):
            return self._matched(wq.Term(field, text))  # another weighting: let Whoosh score
        idf, k1p1, norm, lengths = self._bm25(field, text)
        scores = array("d", [idf * ((tf * k1p1) / (tf + norm[lengths[d]]))
                             for d, tf in zip(raw.ids, raw.scores, strict=False)])
        return Postings(raw.ids, scores)

    def _bm25(self, field: str, text: Any) -> tuple[float, float, list[float], bytes]:
        """idf, K1 + 1, the length-dependent half of bm25() per length byte (in Whoosh's order
        of operations, so scores come out bit for bit the same) and the documents' length bytes."""
        searcher, weighting = self.searcher, self.searcher.weighting
        idf = searcher.idf(field, self.reader.schema[field].to_bytes(text))
        avgfl = searcher.avg_field_length(field) or 1
        b, k1 = weighting._field_B.get(field, weighting.B), weighting.K1
        norm = [k1 * ((1 - b) + b * byte_to_length(i) / avgfl) for i in range(256)]
        lengths = self.cache.get(self.generation, ("lengths", field), lambda: self._lengths(field),
                                 weight=len)
        return idf, k1 + 1, norm, lengths

    def _leaf_scores(self, q: wq.Query, only: AbstractSet[int]) -> Scores:
        """docnum → boosted score of a leaf's postings in ``only``. A large term not scored yet
        is scored only there: an And with a rare word needs a few hundred of its postings."""
        if isinstance(q, wq.Term) and self._bm25_field(q.fieldname):
            if self.cache.peek(self.generation, ("scored", q.fieldname, q.text)) is None:
                ids, weights = self._raw(q.fieldname, q.text)
                if len(only) * 4 < len(ids):
                    idf, k1p1, norm, lengths = self._bm25(q.fieldname, q.text)
                    at = [i for i in map(partial(bisect_left, ids), only)
                          if i < len(ids) and ids[i] in only]
                    return {ids[i]: idf * ((tf * k1p1) / (tf + norm[lengths[ids[i]]])) * q.boost
                            for i, tf in zip(at, map(weights.__getitem__, at), strict=True)}
        p = self.postings(q)
        return {d: s * q.boost for d, s in zip(p.ids, p.scores, strict=False) if d in only}

    def _bm25_field(self, field: str) -> bool:
        return bool(self.reader.schema[field].scorable) and type(self.searcher.weighting) is BM25F

    def _lengths(self, field: str) -> bytes:
        return b"".join(_length_bytes(leaf, field) for leaf, _ in self.reader.leaf_readers())

    def _check_deadline(self) -> None:
        if monotonic() > self.deadline:
            raise TimeLimit

    def _matched(self, q: wq.Query) -> Postings:
        """Whoosh's own matcher, for phrases (they need positions) and unscored fields."""
        ids, scores = array("i"), array("d")
        m = q.matcher(self.searcher)
        while m.is_active():
            ids.append(m.id())
            scores.append(m.score())
            m.next()
        return Postings(ids, scores)

    # -- combinations ------------------------------------------------------------------------

    def scores(self, q: wq.Query, only: AbstractSet[int] | None = None) -> Scores:
        """docnum → score of every match of ``q`` (only of those in ``only`` when given)."""
        if isinstance(q, (wq.Term, wq.Phrase)):
            if only is not None:
                return self._leaf_scores(q, only)
            p, boost = self.postings(q), q.boost
            return dict(zip(p.ids, p.scores if boost == 1 else map(boost.__mul__, p.scores), strict=False))
        if isinstance(q, wq.Or):
            return self._union(q.subqueries, only)
        if isinstance(q, wq.And):
            if len(q.subqueries) == 1:
                return self.scores(q.subqueries[0], only)
            # Score the intersection only: a rare word keeps a common one from being scored whole.
            matched = self.docs(q) if only is None else only
            parts = [self.scores(sub, matched) for sub in q.subqueries]
            if not parts:
                return {}
            out = parts[0]
            for part in parts[1:]:
                out = {d: s + part[d] for d, s in out.items() if d in part}
            return out
        raise TypeError(f"unexpected query {q!r}")

    def _union(self, subqueries: list[wq.Query], only: AbstractSet[int] | None) -> Scores:
        """Sum of the scores of the subqueries each document matches; the biggest one is copied
        in C, the others added in one loop each."""
        parts: list[tuple[Any, Any]] = []
        for sub in subqueries:
            if isinstance(sub, (wq.Term, wq.Phrase)) and only is None:
                p = self.postings(sub)
                if len(p.ids):
                    boosted = p.scores if sub.boost == 1 else array("d", map(sub.boost.__mul__, p.scores))
                    parts.append((p.ids, boosted))
            else:
                part = self.scores(sub, only)
                parts.append((part.keys(), part.values()))
        if not parts:
            return {}
        parts.sort(key=lambda part: -len(part[0]))
        out = dict(zip(*parts[0], strict=False))
        get = out.get
        for ids, scores in parts[1:]:
            for d, s in zip(ids, scores, strict=False):
                out[d] = get(d, 0.0) + s
        return out

    def docs(self, q: wq.Query) -> AbstractSet[int]:
        """The match set of ``q``, without adding up any score. Do not modify it: sets of
        compound queries are remembered for this scorer's query (tiers share clauses)."""
        if isinstance(q, (wq.Term, wq.Phrase)):
            return set(self.ids(q))
        found = self._docs.get(id(q))
        if found is not None:
            return found
        if isinstance(q, wq.Or):
            out: set[int] = set()
            for sub in q.subqueries:
                out.update(self.ids(sub) if isinstance(sub, (wq.Term, wq.Phrase)) else self.docs(sub))
        elif isinstance(q, wq.And):
            parts = sorted((self.docs(sub) for sub in q.subqueries), key=len)
            out = parts[0].intersection(*parts[1:]) if parts else set()
        else:
            raise TypeError(f"unexpected query {q!r}")
        self._docs[id(q)] = out
        return out


def _read_postings(leaf: Any, field: str, btext: bytes, base: int = 0) -> tuple[list[int], list[float]]:
    """Docnums (plus ``base``, the segment's offset) and weights of a term's live postings.

    Reads whole blocks instead of stepping the matcher a posting at a time; whoosh-reloaded is
    pinned, and anything but its block matcher takes the slow public path.
    """
    m = leaf._terms.matcher(field, btext, leaf.schema[field].format)
    ids: list[int] = []
    weights: list[float] = []
    if isinstance(m, W3LeafMatcher) and not m._byteids:
        while m.is_active():
            block_ids, block_weights = _block(m)
            ids.extend(islice(accumulate(block_ids, initial=base), 1, None))  # ids restart per block
            if block_weights is None:
                weights.extend([1.0] * len(block_ids))
            elif isinstance(block_weights, float):
                weights.extend([block_weights] * len(block_ids))
            else:
                weights.extend(block_weights)
            m._next_block()
    else:
        while m.is_active():
            ids.append(m.id() + base)
            weights.append(m.weight())
            m.next()
    if leaf.has_deletions():
        deleted = {base + d for d in leaf.deleted_docs_set}
        kept = [i for i, d in enumerate(ids) if d not in deleted]
        ids, weights = [ids[i] for i in kept], [weights[i] for i in kept]
    return ids, weights


def _block(m: W3LeafMatcher) -> tuple[Any, Any]:
    """(delta ids, weights) of the matcher's current block. Ids and weights lead the pickle,
    so only its first bytes are inflated (at most 5 bytes an id, 9 a weight): positions, most
    of a text field's block, are never decompressed."""
    data = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
    if m._compression:
        head = zlib.decompressobj().decompress(data, 14 * m._blocklength + 32)
        try:
            found = _ids_and_weights(head)
        except (IndexError, struct.error):  # cut short inside the ids or weights after all
            found = None
        if found is not None:
            return found
        data = zlib.decompress(data)
    return _ids_and_weights(data) or loads(data)[:2]


_INT1, _INT2, _INT4, _FLOAT, _NONE, _MARK, _TUPLE = b"KMJGN(t"
_TUPLE_N = frozenset(b"\x85\x86\x87")  # TUPLE1..3
_MEMO1, _MEMO4 = b"qr"
_DOUBLE = struct.Struct(">d")


def _ids_and_weights(block: bytes) -> tuple[list[int], Any] | None:
    """The first two items of a posting block, a protocol-2 pickle of (delta ids, weights,
    positions): the same values ``pickle.loads`` gives, without building one bytes object per
    posting for the positions, which is most of the unpickling time (≈1 µs a posting). None
    for any opcode not expected here, and the caller unpickles the block instead."""
    if block[:2] != b"\x80\x02":
        return None
    ids, i = _number_tuple(block, 2)
    if ids is None:
        return None
    op = block[i]
    if op == _NONE:
        return ids, None
    weights = _number_tuple(block, i)[0]
    if weights is not None and len(weights) == len(ids):
        return ids, weights
    if op == _FLOAT:  # one weight for the whole block (a tuple of up to 3 also starts so)
        return ids, _DOUBLE.unpack_from(block, i + 1)[0]
    return None


def _number_tuple(block: bytes, i: int) -> tuple[list[Any] | None, int]:
    """A pickled tuple of ints or floats starting at ``i``, and the offset after it (and after
    its memo opcode). Runs of one-byte ints and of floats, the bulk of a block, are sliced and
    unpacked in C."""
    marked = block[i] == _MARK
    i += marked
    out: list[Any] = []
    while True:
        run = _RUN.match(block, i)
        if run:
            chunk = run.group()
            out += chunk[1::2] if chunk[0] == _INT1 else _doubles(len(chunk) // 9).unpack(chunk)
            i = run.end()
        op = block[i]
        if op == _INT2:
            out.append(block[i + 1] | block[i + 2] << 8)
            i += 3
        elif op == _INT4:
            out.append(int.from_bytes(block[i + 1:i + 5], "little", signed=True))
            i += 5
        elif (op == _TUPLE) if marked else (op in _TUPLE_N and op - 0x84 == len(out)):
            i += 1
            break
        elif not run:
            return None, i
    if block[i] == _MEMO1:
        i += 2
    elif block[i] == _MEMO4:
        i += 5
    return out, i


_RUN = re.compile(rb"(?:K.)+|(?:G.{8})+", re.DOTALL)


@lru_cache(maxsize=256)
def _doubles(count: int) -> struct.Struct:
    """Unpacks ``count`` pickled floats: an opcode byte, then a big-endian double, each."""
    return struct.Struct(">" + "xd" * count)


def _length_bytes(leaf: Any, field: str) -> bytes:
    """The field's length byte of every document in the segment: what ``doc_field_length``
    reads one document at a time."""
    count = leaf.doc_count_all()
    column = leaf._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    if column is None:
        return bytes(count)
    if getattr(column, "_fixedlen", None) != 1 or not hasattr(column, "_dbfile"):
        return bytes(column[d] for d in range(count))  # another column layout: one at a time
    raw = column._dbfile.get(column._basepos, column._count)
    return raw[:count] + bytes(max(0, count - len(raw)))
