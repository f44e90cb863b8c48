"""Turn untrusted user text into Whoosh query objects we build ourselves, never parse."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from whoosh import query as wq

from .analyzer import english_analyzer, indonesian_analyzer, name_key
from .documents import FILTER_KEYS, QueryError
from .schema import filter_value

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
MAX_FILTER_CHARS = 200

# (field, boost): the name, then short description with tags and features, then the long text.
ID_FIELDS: tuple[tuple[str, float], ...] = (("name", 6.0), ("summary", 3.0))
BODY_FIELD, BODY_BOOST = "body", 1.0
EN_FIELD, EN_BOOST = "short_en", 3.0
NAME_KEY_BOOST = 5.0
FUZZY_BOOST = 2.0
MAX_FUZZY_TERMS = 16

_CLAUSE = re.compile(r'"([^"]*)(?:"|$)|([^\s"]+)')
_WORD = re.compile(r"\w+(?:\.?\w+)*")


@dataclass(frozen=True)
class Clause:
    """One word or quoted phrase, analysed for each language."""

    raw: str
    id_tokens: tuple[str, ...]
    en_tokens: tuple[str, ...]
    is_phrase: bool


def clean_text(text: Any, limit: int, what: str = "Kata kunci") -> str:
    """NFKC, control and format characters as spaces, whitespace collapsed.

    Raises QueryError when the text is longer than ``limit``.
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    too_long = QueryError(f"{what} terlalu panjang (maksimal {limit} karakter).")
    if len(text) > 4 * limit:
        raise too_long
    text = unicodedata.normalize("NFKC", text)
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    text = " ".join(text.split())
    if len(text) > limit:
        raise too_long
    return text


def _tokens(analyzer: Any, text: str) -> tuple[str, ...]:
    return tuple(token.text for token in analyzer(text))


def _field_query(field: str, tokens: tuple[str, ...], boost: float) -> wq.Query:
    if len(tokens) == 1:
        return wq.Term(field, tokens[0], boost=boost)
    return wq.Phrase(field, list(tokens), boost=boost)


def _fuzzy_distance(key: str) -> int:
    """1 edit up to 8 characters, 2 beyond: distance 2 costs ten times more to expand."""
    return 0 if len(key) < 4 else 1 if len(key) <= 8 else 2


@dataclass(frozen=True)
class Tiered:
    """One query in two tiers: ``head`` leaves out the long body text, ``full`` has everything.

    Head matches rank first. Common words ("sistem informasi") match most bodies, and scoring
    every body posting is what makes Whoosh slow; the head alone usually fills a page.
    """

    head: wq.Query
    full: wq.Query


class QueryBuilder:
    """Parses user text with the same analyzers the schema uses; ``stemming=False`` is the
    plain-token baseline (no stemming, no fuzzy names) kept for measuring recall."""

    def __init__(self, stemming: bool = True) -> None:
        self.stemming = stemming
        self._id = indonesian_analyzer(stem=stemming)
        self._en = english_analyzer(stem=stemming)

    def parse(self, text: Any) -> list[Clause]:
        """Words and quoted phrases; a word either analyzer drops as a stopword vanishes."""
        clauses: list[Clause] = []
        for match in _CLAUSE.finditer(clean_text(text, MAX_QUERY_CHARS)):
            phrase, word = match.group(1), match.group(2)
            if phrase is not None:
                clauses += self._clause(phrase, is_phrase=True)
            else:
                # "sp4n-lapor" or "name:lapor" are several words, never syntax.
                for part in _WORD.findall(word):
                    clauses += self._clause(part, is_phrase=False)
        if sum(max(len(c.id_tokens), len(c.en_tokens)) for c in clauses) > MAX_TERMS:
            raise QueryError(f"Terlalu banyak kata kunci (maksimal {MAX_TERMS} kata).")
        return clauses

    def _clause(self, raw: str, is_phrase: bool) -> list[Clause]:
        id_tokens, en_tokens = _tokens(self._id, raw), _tokens(self._en, raw)
        if is_phrase and (id_tokens or en_tokens) or id_tokens and en_tokens:
            return [Clause(raw, id_tokens, en_tokens, is_phrase)]
        return []

    def text_queries(self, clauses: list[Clause], reader: Any, names: Any = None) -> list[Tiered]:
        """Strict (every clause must match), then relaxed (any may) when there are several.

        ``names`` (returning the ``fuzzy.NameVocabulary`` of the reader's generation, called
        only for an unknown word) answers typo expansion; without it the lexicon is walked.
        """
        heads, fulls = zip(*(self._clause_parts(c, reader, names) for c in clauses), strict=True)
        plans = [Tiered(wq.And(heads), wq.And(fulls))]
        if len(clauses) > 1:
            plans.append(Tiered(wq.Or(heads), wq.Or(fulls)))
        return plans

    def _clause_parts(self, clause: Clause, reader: Any, names: Any) -> tuple[wq.Query, wq.Query]:
        head: list[wq.Query] = []
        if clause.id_tokens:
            head += [_field_query(f, clause.id_tokens, b) for f, b in ID_FIELDS]
        if clause.en_tokens:
            head.append(_field_query(EN_FIELD, clause.en_tokens, EN_BOOST))
        key = name_key(clause.raw)
        if len(key) >= 2:
            head.append(wq.Term("name_keys", key, boost=NAME_KEY_BOOST))
            head += [
                wq.Term("name_keys", near, boost=FUZZY_BOOST)
                for near in self._near_names(clause, key, reader, names)
            ]
        head_query = wq.Or(head)
        if not clause.id_tokens:
            return head_query, head_query
        # The head is shared, not copied: match sets computed for it are reused for the full query.
        return head_query, wq.Or([head_query, _field_query(BODY_FIELD, clause.id_tokens, BODY_BOOST)])

    def _near_names(self, clause: Clause, key: str, reader: Any, names: Any) -> list[str]:
        """Name keys within a few edits, only for words the index does not know: known words
        match as they are, and widening them would only add noise and posting lists."""
        distance = _fuzzy_distance(key)
        if not self.stemming or clause.is_phrase or not distance:
            return []
        if ("name_keys", key) in reader or any(
            (field, token) in reader
            for field in (*[f for f, _ in ID_FIELDS], BODY_FIELD)
            for token in clause.id_tokens
        ):
            return []
        if any((EN_FIELD, token) in reader for token in clause.en_tokens):
            return []
        if names is not None:
            return names().near(key, distance, MAX_FUZZY_TERMS)
        near = reader.terms_within("name_keys", key, distance, prefix=1)
        return sorted(itertools.islice(near, MAX_FUZZY_TERMS))


def filter_query(filters: Mapping[str, str] | None) -> wq.Query | None:
    """Exact-match constraints; unknown keys are refused rather than silently ignored."""
    if not filters:
        return None
    terms: list[wq.Query] = []
    for key, value in filters.items():
        if key not in FILTER_KEYS:
            known = ", ".join(sorted(FILTER_KEYS))
            raise QueryError(f"Filter tidak dikenal; yang tersedia: {known}.")
        normal = filter_value(clean_text(value, MAX_FILTER_CHARS, "Nilai filter"))
        if normal:
            terms.append(wq.Term(key, normal))
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else wq.And(terms)
