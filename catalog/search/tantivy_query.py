"""Tantivy schema and query building: QueryBuilder's clauses made into Tantivy queries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import tantivy
from tantivy import Occur, Query

from .analyzer import name_key
from .documents import FILTER_KEYS, QueryError
from .query import (
    BODY_BOOST,
    BODY_FIELD,
    EN_BOOST,
    EN_FIELD,
    FUZZY_BOOST,
    ID_FIELDS,
    MAX_FILTER_CHARS,
    NAME_KEY_BOOST,
    Clause,
    clean_text,
)
from .schema import filter_value


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("id", stored=True, indexed=True, fast=True)
    for field in ("name", "summary", BODY_FIELD, EN_FIELD, "name_keys"):
        sb.add_text_field(field, tokenizer_name="whitespace", index_option="position")
    for field in sorted(FILTER_KEYS):
        sb.add_text_field(field, tokenizer_name="raw", fast=True)
    sb.add_text_field("name_sort", tokenizer_name="raw", fast=True)
    return sb.build()


class TantivyQueries:
    """(head, full) per clause, as QueryBuilder builds them for Whoosh, and filter gates."""

    def __init__(self, schema: tantivy.Schema, stemming: bool = True) -> None:
        self._schema = schema
        self.stemming = stemming

    def field(self, field: str, tokens: tuple[str, ...], boost: float) -> Query:
        if len(tokens) == 1:
            q = Query.term_query(self._schema, field, tokens[0])
        else:
            q = Query.phrase_query(self._schema, field, list(tokens))
        return Query.boost_query(q, boost)

    def known(self, searcher: Any, clause: Clause, key: str) -> bool:
        if searcher.doc_freq("name_keys", key):
            return True
        fields = [f for f, _ in ID_FIELDS] + [BODY_FIELD]
        if any(searcher.doc_freq(f, t) for f in fields for t in clause.id_tokens):
            return True
        return any(searcher.doc_freq(EN_FIELD, t) for t in clause.en_tokens)

    def clause(self, searcher: Any, clause: Clause) -> tuple[Query, Query]:
        """(head, full) for one clause, as QueryBuilder builds them for Whoosh."""
        head: list[Query] = []
        if clause.id_tokens:
            head += [self.field(f, clause.id_tokens, b) for f, b in ID_FIELDS]
        if clause.en_tokens:
            head.append(self.field(EN_FIELD, clause.en_tokens, EN_BOOST))
        key = name_key(clause.raw)
        if len(key) >= 2:
            head.append(Query.boost_query(Query.term_query(self._schema, "name_keys", key), NAME_KEY_BOOST))
            distance = 0 if len(key) < 4 else 1 if len(key) <= 8 else 2
            if self.stemming and not clause.is_phrase and distance and not self.known(searcher, clause, key):
                fuzzy = Query.fuzzy_term_query(self._schema, "name_keys", key, distance=distance)
                head.append(Query.boost_query(fuzzy, FUZZY_BOOST))
        full = list(head)
        if clause.id_tokens:
            full.append(self.field(BODY_FIELD, clause.id_tokens, BODY_BOOST))
        return any_of(head), any_of(full)

    def plans(self, searcher: Any, clauses: list[Clause]) -> list[tuple[Query, Query]]:
        """Strict (every clause), then relaxed (any clause) when there are several."""
        parts = [self.clause(searcher, c) for c in clauses]
        plans = [(all_of([h for h, _ in parts]), all_of([f for _, f in parts]))]
        if len(parts) > 1:
            plans.append((any_of([h for h, _ in parts]), any_of([f for _, f in parts])))
        return plans

    def gate(self, filters: Mapping[str, str] | None) -> Query | None:
        if not filters:
            return None
        terms = []
        for key, value in filters.items():
            if key not in FILTER_KEYS:
                raise QueryError(f"Filter tidak dikenal; yang tersedia: {', '.join(sorted(FILTER_KEYS))}.")
            normal = filter_value(clean_text(value, MAX_FILTER_CHARS, "Nilai filter"))
            if normal:
                terms.append((Occur.Must, Query.term_query(self._schema, key, normal)))
        return Query.boolean_query(terms) if terms else None

def any_of(queries: list[Query]) -> Query:
    return queries[0] if len(queries) == 1 else Query.boolean_query([(Occur.Should, q) for q in queries])


def all_of(queries: list[Query]) -> Query:
    return queries[0] if len(queries) == 1 else Query.boolean_query([(Occur.Must, q) for q in queries])


def gated(query: Query, gate: Query | None) -> Query:
    if gate is None:
        return query
    return Query.boolean_query([(Occur.Must, query), (Occur.Must, Query.const_score_query(gate, 0.0))])
