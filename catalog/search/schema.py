"""The Whoosh schema and the mapping from AppDocument to index fields."""

from __future__ import annotations

import re

from whoosh.fields import ID, KEYWORD, TEXT, Schema

from .analyzer import english_analyzer, indonesian_analyzer, name_keys
from .documents import AppDocument

# Bump whenever fields or analyzers change: an index with another version is rebuilt.
SCHEMA_VERSION = "catalog-search-4"

MAX_DESCRIPTION_CHARS = 20_000
_URL = re.compile(r"https?://\S+|\]\([^)]*\)|<[^>]{0,200}>")
_SEPARATORS = re.compile(r"[,\r\n\t]+")


def schema_version(stemming: bool = True) -> str:
    return SCHEMA_VERSION if stemming else SCHEMA_VERSION + "-plain"


def build_schema(stemming: bool = True) -> Schema:
    """Few text fields on purpose: each query word becomes one posting list per field, and
    Whoosh's cost grows with that count. Only ``id`` is stored; rows come from the database.
    Filter fields are named as the filter keys."""
    indonesian = indonesian_analyzer(stem=stemming)
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        name=TEXT(analyzer=indonesian),
        name_keys=KEYWORD(scorable=True),
        summary=TEXT(analyzer=indonesian),
        body=TEXT(analyzer=indonesian),
        short_en=TEXT(analyzer=english_analyzer(stem=stemming)),
        name_sort=ID(sortable=True),
        category=ID,
        publisher=ID,
        province=ID,
        license=ID,
        status=ID,
        platform=KEYWORD(commas=True),
        tag=KEYWORD(commas=True),
    )


def filter_value(value: str) -> str:
    """The one normal form filter values take, both when indexed and when queried."""
    return " ".join(_SEPARATORS.sub(" ", value).split()).lower()


def _keywords(values: tuple[str, ...]) -> str:
    return ",".join(v for v in (filter_value(x) for x in values) if v)


def _plain(markdown: str) -> str:
    return _URL.sub(" ", markdown[:MAX_DESCRIPTION_CHARS])


def to_fields(doc: AppDocument) -> dict[str, str]:
    """Whoosh ``add_document`` keyword arguments for one app; empty values are left out."""
    summary = [
        doc.short_description_id,
        *doc.tags,
        doc.category.replace("-", " "),
        *doc.platforms,
        *doc.features,
    ]
    fields = {
        "id": str(doc.id),
        "name": doc.name,
        "name_keys": " ".join(sorted(name_keys(doc.name, doc.slug))),
        "summary": "\n".join(summary),
        "body": f"{_plain(doc.description)}\n{doc.publisher_name}\n{doc.province_name}",
        "short_en": doc.short_description_en,
        "name_sort": doc.name.casefold() or " ",
        "category": filter_value(doc.category),
        "publisher": filter_value(doc.publisher_code),
        "province": filter_value(doc.province_code),
        "license": filter_value(doc.license),
        "status": filter_value(doc.development_status),
        "platform": _keywords(doc.platforms),
        "tag": _keywords(doc.tags),
    }
    return {name: value for name, value in fields.items() if value.strip()}
