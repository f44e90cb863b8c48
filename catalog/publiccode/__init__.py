"""publiccode.yml for the catalog: parse, validate, map to app fields, export (no DB).

Problem messages are Flask-Babel `gettext` calls, made when an issue is created: in a request
they are in its language, in the worker (app context, no request) Indonesian, and without any
app context the untranslated Indonesian text. `Issue.message` is always a plain `str`.
"""
from __future__ import annotations

from .export import ExportEntry, ExportError, to_publiccode
from .mapping import to_entry_fields
from .parse import MAX_BYTES, MAX_DEPTH, parse
from .types import Issue, Loaded, ParseResult
from .validate import validate


def load(text: str | bytes) -> Loaded:
    """Parse, validate and map in one step; fields and extras stay empty when there are errors."""
    parsed = parse(text)
    if parsed.doc is None or parsed.errors:
        return Loaded({}, {}, list(parsed.errors), list(parsed.warnings))
    errors, warnings = validate(parsed.doc)
    warnings = list(parsed.warnings) + warnings
    if errors:
        return Loaded({}, {}, errors, warnings)
    fields, extras, mapped = to_entry_fields(parsed.doc)
    return Loaded(fields, extras, [], warnings + mapped)


__all__ = [
    "ExportEntry", "ExportError", "Issue", "Loaded", "MAX_BYTES", "MAX_DEPTH", "ParseResult",
    "load", "parse", "to_entry_fields", "to_publiccode", "validate",
]
